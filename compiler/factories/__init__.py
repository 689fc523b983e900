"""Resource factories: one module per concern, each a ComponentResource built from the model.

Conventions (pulumi/examples hub-and-spoke style): type token `serverless:index:<Kind>`, every
child has `parent=self` and the explicit regional provider (BuildContext.opts), child names derive
from the component's name, `register_outputs` comes last, and nothing is created inside `.apply()`.
"""
