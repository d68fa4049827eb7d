"""CLI: `python -m sandbox.linnworks --auth-port 8082 --data-port 8083 --seed-items 100 --latency-ms 0
[--ready-file PATH]` (ports 0: free ports, which the banner and the ready file say)."""
from __future__ import annotations

import argparse
import signal
import threading

from sandbox.common.server import write_ready_file

from .runner import serve
from .settings import SandboxSettings
from .state import SandboxState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.linnworks", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--public-data-url", help="the data host's URL as clients reach it (the session's Server)")
    parser.add_argument("--auth-port", type=int, default=8082)
    parser.add_argument("--data-port", type=int, default=8083)
    parser.add_argument("--seed-items", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--quota-window-seconds", type=float, default=60)
    parser.add_argument("--no-quotas", action="store_true", help="never answer 429")
    parser.add_argument("--ready-file", help="once both hosts serve, write their URLs and ports as JSON here")
    args = parser.parse_args(argv)
    settings = SandboxSettings(latency_ms=args.latency_ms, quota_window_seconds=args.quota_window_seconds,
                               quotas_enabled=not args.no_quotas)
    state = SandboxState(items=args.seed_items, seed_value=args.seed)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with serve(state, settings, auth_port=args.auth_port, data_port=args.data_port, host=args.host,
               public_data_url=args.public_data_url) as sandbox:
        write_ready_file(args.ready_file, {  # before the banner: whoever reads the banner finds it
            "auth_url": sandbox.auth_url, "data_url": sandbox.data_url,
            "auth_port": int(sandbox.auth_url.rsplit(":", 1)[1]), "data_port": int(sandbox.data_url.rsplit(":", 1)[1])})
        print(f"Linnworks sandbox: auth {sandbox.auth_url}  data {sandbox.data_url}  "
              f"items {args.seed_items}", flush=True)
        print(f"  ApplicationId {settings.application_id}  ApplicationSecret {settings.application_secret}  "
              f"Token {settings.installation_token}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
