"""AWS Lambda handlers for the generated serverless app.

This package is copied verbatim into the Lambda deployment zip (zip root
holds ``runtime_handlers/``), so it may import only the standard library,
boto3/botocore (provided by the Lambda Python runtime, not zipped) and its
own modules. Handler strings: ``runtime_handlers.items.handler`` and
``runtime_handlers.health.handler``; both speak the API Gateway REST (v1)
Lambda proxy protocol. ``runtime_handlers.secrets.get_secret`` reads the
secrets a function lists in its spec ``uses.secrets``.
"""
