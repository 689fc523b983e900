"""Declarative spec compiler for serverless apps on AWS, driving Pulumi.

Data flow (one direction): load -> validate -> normalize -> build. Only `build`, `plan` and
`factories` import Pulumi, so validating a spec stays fast enough for a pre-commit hook.
"""
