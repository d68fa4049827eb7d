"""`python -m bench [NAME ...]`: run the benchmarks (all, or the ones named) one after another.

Each prints its own table; see the README for what each measures. All of them take about 15
minutes on a 2-core machine; each alone stays under five.
"""
from __future__ import annotations

import importlib
import sys

BENCHES = ("codec", "akeneo_extract", "extract_task", "feed_to_akeneo", "linnworks_calls", "linnworks_writer", "linnworks_structure",
           "akeneo_to_linnworks", "stock_to_akeneo", "linnworks_images", "dag_parse", "step_cpu", "sandbox_timing",
           "wide_feed", "history", "event_latency")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [name for name in names if name not in BENCHES]
    if unknown:
        print(f"unknown bench {', '.join(unknown)}; choose from {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"\n=== bench.{name}", flush=True)
        try:
            result = importlib.import_module(f"bench.{name}").main([])
        except SystemExit as exit_:
            result = exit_.code
        if result not in (None, 0):
            failed.append(name)
    if failed:
        print(f"\ntargets missed in: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
