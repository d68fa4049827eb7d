"""`python -m sandbox.akeneo --host 127.0.0.1 --port 8081 --products 1000 --seed 42 --latency-ms 0
[--variant-share 0.5] [--ready-file PATH]`."""
from __future__ import annotations

import argparse
import gc

import uvicorn

from sandbox.akeneo.app import create_app
from sandbox.akeneo.catalog import generate_catalog
from sandbox.akeneo.settings import SandboxSettings
from sandbox.common.server import bound_socket, write_ready_file


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.akeneo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081,
                        help="0: a free port (the banner and the ready file say which)")
    parser.add_argument("--ready-file", help="once listening, write {\"url\", \"port\"} as JSON here")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--variant-share", type=float, default=None,
                        help="share of variant products (0-1): one- and two-level models, bundles, related "
                             "products, reference entity values; default: the classic demo layout")
    args = parser.parse_args(argv)
    if args.variant_share is not None and not 0 <= args.variant_share <= 1:
        parser.error("--variant-share must be between 0 and 1")
    settings = SandboxSettings(latency_ms=args.latency_ms)
    app = create_app(generate_catalog(args.products, args.seed, variant_share=args.variant_share), settings)
    # The catalog lives as long as the server: keep the cycle collector from rescanning it on
    # every full collection (with 50,000 products that scan is most of a page's cost).
    gc.freeze()
    sock = bound_socket(args.host, args.port)
    port = sock.getsockname()[1]
    write_ready_file(args.ready_file, {"url": f"http://{args.host}:{port}", "port": port})  # before the banner
    # The sandbox's demo credentials are public defaults, so printing them is intended.
    layout = "" if args.variant_share is None else f", variant share {args.variant_share:g}"
    print(f"Akeneo sandbox on http://{args.host}:{port} ({args.products} products, seed {args.seed}{layout})")
    print(f"client id: {settings.client_id}  secret: {settings.secret}  "
          f"username: {settings.username}  password: {settings.password}", flush=True)
    config = uvicorn.Config(app, host=args.host, port=port, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
