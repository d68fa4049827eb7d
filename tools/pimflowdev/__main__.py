"""`python -m pimflowdev demo | airflow | sandbox`: the development commands (dev install only)."""
from __future__ import annotations

import argparse
import sys


def _demo(args) -> int:
    from pimflowdev.demo import main

    return main()


def _airflow(args) -> int:
    from pimflowdev.stack import main

    return main()


def _sandbox(args) -> int:
    import signal
    import threading

    from pimflowdev.sandboxes import start_sandboxes

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with start_sandboxes(products=args.products, linnworks_items=args.linnworks_items,
                         latency_ms=args.latency_ms) as sandboxes:
        print(f"Akeneo sandbox     {sandboxes.akeneo_url}   ({args.products} products; control API under /_sandbox/)")
        print(f"Linnworks sandbox  auth {sandboxes.linnworks_auth_url}   data {sandboxes.linnworks_data_url}")
        print("\nAirflow connections for them (paste into the shell that runs Airflow):")
        for name, value in sandboxes.connection_env().items():
            print(f"export {name}='{value}'")
        print("\nCtrl-C stops both.", flush=True)
        stop.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pimflowdev",
                                     description="pimflow's development commands (not installed by the wheel)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the demo profiles through real Airflow against the sandboxes "
                                     "(make demo)").set_defaults(run=_demo)
    commands.add_parser("airflow", help="a local Airflow on SQLite with the sandboxes, until Ctrl-C "
                                        "(make airflow)").set_defaults(run=_airflow)
    sandbox = commands.add_parser("sandbox", help="run the Akeneo and Linnworks sandboxes until Ctrl-C")
    sandbox.add_argument("--products", type=int, default=1000, help="generated Akeneo products")
    sandbox.add_argument("--linnworks-items", type=int, default=0, help="items already in Linnworks")
    sandbox.add_argument("--latency-ms", type=float, default=0, help="added to every answer")
    sandbox.set_defaults(run=_sandbox)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
