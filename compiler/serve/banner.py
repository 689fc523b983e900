"""What `serve` prints at start-up: the routes with each one's key requirement, auth and limits,
the local API keys, loud warnings for what is not verified locally, and the URL."""
from __future__ import annotations

from typing import Optional

from ..model import App, Throttling
from .keys import ApiKeys


def _limits(throttling: Optional[Throttling]) -> str:
    return f"{throttling.rate_limit:g}/s burst {throttling.burst_limit}" if throttling else ""


def _auth(app: App, auth: Optional[str], scopes: tuple[str, ...]) -> str:
    if auth is None:
        return "none"
    authorizer = app.api.authorizer(auth)
    kind = (f"lambda {'REQUEST' if authorizer.request_type else 'TOKEN'} -> {authorizer.function}"
            if authorizer.type == "lambda" else f"{authorizer.type}, NOT VERIFIED")
    return f"{auth} ({kind})" + (f" scopes {' '.join(scopes)}" if scopes else "")


def route_rows(app: App) -> list[tuple[str, ...]]:
    api = app.api
    plans = "; ".join(f"plan {p.key}: " + ", ".join(x for x in (_limits(p.throttling), f"{p.quota.limit}/{p.quota.period}"
                                                                  if p.quota else "") if x) for p in api.usage_plans)
    rows = []
    for route in api.routes:
        limit = f"route {_limits(route.throttling)}" if route.throttling else (f"stage {_limits(api.throttling)}" if api.throttling else "-")
        if route.api_key_required:
            limit += f"; {plans}" if plans else "; no usage plan: every key is refused"
        rows.append((route.method, route.path, route.function, "required" if route.api_key_required else "-",
                     _auth(app, route.auth, route.scopes), limit + (" | body schema" if route.body_schema else "")))
    return rows


def table(rows: list[tuple[str, ...]]) -> list[str]:
    header = ("METHOD", "PATH", "FUNCTION", "API KEY", "AUTH", "LIMITS")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]


def unverified(app: App) -> list[str]:
    used = {route.auth for route in app.api.routes if route.auth}
    lines = []
    for authorizer in app.api.authorizers:
        if authorizer.key in used and authorizer.type == "cognito":
            lines.append(f"WARNING: authorizer '{authorizer.key}' (cognito) is NOT VERIFIED locally: any well-formed JWT in "
                         "Authorization is accepted (its claims are passed on unchecked; scopes are read from it)")
        elif authorizer.key in used and authorizer.type == "iam":
            lines.append(f"WARNING: authorizer '{authorizer.key}' (iam) is NOT VERIFIED locally: any well-formed SigV4 "
                         "Authorization header is accepted")
    return lines


def banner(app: App, keys: ApiKeys, host: str, port: int) -> str:
    api = app.api
    lines = [f"{app.name} (stage {app.stage}, {app.region}) from {app.spec_file}", *table(route_rows(app))]
    if api.cors is not None:
        lines.append(f"  OPTIONS on every path: CORS preflight for {', '.join(api.cors.allow_origins)} (no key, no authorizer)")
    if keys.keys:
        lines.append("API keys (send as the x-api-key header):")
        lines += [f"  {key.name:<12} plan {key.plan.key:<12} {key.value}" for key in keys.keys]
    lines += unverified(app)
    shown = f"[{host}]" if ":" in host else host
    lines.append(f"Listening on http://{shown}:{port}/{app.stage}/ (also without the stage prefix). Ctrl-C stops.")
    return "\n".join(lines)
