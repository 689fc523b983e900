"""`serve`: run a spec's API locally, the way API Gateway and Lambda would run it deployed.

Built from the same validated model as `plan` (load.py), never importing Pulumi. One concern per
module: routing.py (resource tree and precedence), events.py (proxy payload 1.0 both ways),
keys.py and limits.py (API keys, usage plans, throttles), auth.py (authorizers), responses.py
(the gateway's own answers and CORS), gateway.py (the request path in API Gateway's order),
workers.py and worker.py (functions in worker processes), environment.py (their environment),
logs.py (access log and function logs), banner.py (start-up), server.py (HTTP), cli.py.
"""
from .limits import Clock, FakeClock
from .server import Running, build_server, running

__all__ = ["Clock", "FakeClock", "Running", "build_server", "running"]
