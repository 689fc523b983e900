"""Pulumi entry: load the spec named by the stack config, validate it, build it.

`pulumi config set spec specs/serverless-app.yaml`; the stage is the config key `stage`, else the
spec's `stage`, else the stack name. A bad spec stops here with the same diagnostics as
`python -m compiler validate`, before any resource is registered.
"""
import pulumi

from compiler.pulumi_program import run

run(pulumi.Config())
