"""`python -m sandbox.akeneo --host 127.0.0.1 --port 8081 --products 1000 --seed 42 --latency-ms 0`."""
from __future__ import annotations

import argparse
import gc

import uvicorn

from sandbox.akeneo.app import create_app
from sandbox.akeneo.catalog import generate_catalog
from sandbox.akeneo.settings import SandboxSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.akeneo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    settings = SandboxSettings(latency_ms=args.latency_ms)
    app = create_app(generate_catalog(args.products, args.seed), settings)
    # The catalog lives as long as the server: keep the cycle collector from rescanning it on
    # every full collection (with 50,000 products that scan is most of a page's cost).
    gc.freeze()
    # The sandbox's demo credentials are public defaults, so printing them is intended.
    print(f"Akeneo sandbox on http://{args.host}:{args.port} ({args.products} products, seed {args.seed})")
    print(f"client id: {settings.client_id}  secret: {settings.secret}  "
          f"username: {settings.username}  password: {settings.password}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
