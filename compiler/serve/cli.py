"""`python -m compiler serve SPEC`: exit 1 with the diagnostics for a bad spec (as `plan`), 2 for
a usage problem (unknown --api-key name, address in use), 0 after Ctrl-C (or SIGTERM) stopped the
server and every worker process."""
from __future__ import annotations

import argparse
import signal
import sys

EXIT_OK, EXIT_SPEC, EXIT_USAGE = 0, 1, 2


def _interrupt(signum, frame):  # SIGINT and SIGTERM stop the server the same way
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    from ..errors import SpecError, format_text
    from ..openapi_export import NoApi
    from .banner import banner
    from .keys import parse_overrides
    from .server import build_server

    from ..validate import root_for

    try:
        overrides = parse_overrides(getattr(args, "api_key", None) or [])
        server, port = build_server(args.spec, stage=args.stage, host=args.host, port=args.port,
                                    aws_endpoint=args.aws_endpoint, api_keys=overrides, log_file=args.log_file,
                                    project_root=root_for(args.spec, getattr(args, "root", None)))
    except SpecError as exc:
        print(format_text(exc.diagnostics), file=sys.stderr)
        return EXIT_SPEC
    except NoApi as exc:
        print(exc, file=sys.stderr)
        return EXIT_SPEC
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    # Ctrl-C even when started in the background of a script (which starts it with SIGINT ignored).
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(banner(server.app, server.keys, args.host, port), flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping: closing the server and its worker processes", file=sys.stderr, flush=True)
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK
