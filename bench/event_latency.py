"""Event-driven sync on `make airflow`'s stack (`pimflowdev.event_stack`: the real scheduler, the API
server serving pimflow's receiver, the stack's default settings), with only `demo_akeneo_events`:

1. latency: 20 products renamed one at a time in the Akeneo sandbox (a person's edit), each waited
   for until its item in the Linnworks sandbox has the new title: p50 and p95 of the time from the
   change to the item written (target: p95 under 60 s);
2. a burst of 500 renames (8 at a time, as fast as the sandbox takes them): how many runs it took
   (target: at most 3), how long until the last item was written;
3. Akeneo calls of the burst's event-started runs: product listing calls against the fewest that
   fetch the named products (one per 100 UUIDs, the runs' own `events.json` say how many each
   named), product model listings (target: 0 beyond fetching the named products).

Prints a table; exit 1 on a missed target.

    .venv/bin/python -m bench.event_latency [--changes 20] [--burst 500]
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TARGET_P95 = 60.0
TARGET_BURST_RUNS = 3
PRODUCTS_CALL = "GET /api/rest/v1/products"  # the stack's connection reads products by identifier
MODELS_CALL = "GET /api/rest/v1/product-models"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.event_latency")
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args(argv)
    from pimflowdev.event_stack import EventStack

    with tempfile.TemporaryDirectory(prefix="bench-events-") as work:
        started = time.monotonic()
        # enough products for the burst: half the catalog are variants, some simple ones unclassified
        with EventStack(Path(work), products=max(200, int(args.burst * 1.4) + args.changes)) as stack:
            stack.wait_for_dag()
            stack.subscribe()
            print(f"stack up and subscribed in {time.monotonic() - started:.0f} s ({stack.api})", flush=True)
            skus = stack.skus(args.changes + args.burst)
            one_by_one, burst = skus[:args.changes], skus[args.changes:]

            latencies = []
            for sku in one_by_one:
                title = f"Latency {uuid.uuid4().hex[:8]}"
                changed = stack.rename(sku, title)
                seen = stack.wait_for_titles({sku: title}, timeout=300)
                if sku not in seen:
                    print(f"{sku} never reached Linnworks; see {stack.log}", file=sys.stderr)
                    return 1
                latencies.append(seen[sku] - changed)
                print(f"  {sku}: {latencies[-1]:.1f} s", flush=True)
            stack.wait_until_idle()

            stack.reset_akeneo_calls()
            before = {run["dag_run_id"] for run in stack.runs()}
            wanted = {sku: f"Burst {uuid.uuid4().hex[:8]}" for sku in burst}
            burst_started = time.monotonic()
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda item: stack.rename(*item), wanted.items()))
            changed_in = time.monotonic() - burst_started
            seen = stack.wait_for_titles(wanted, timeout=900, every=2)
            last_written = max(seen.values(), default=burst_started) - burst_started
            runs = [run for run in stack.wait_until_idle(900) if run["dag_run_id"] not in before]
            event_runs = [run for run in runs if run["run_type"] == "asset_triggered"]
            calls = stack.akeneo_calls()
            named = [stack.run_report(run["dag_run_id"]).get("named", {}) for run in event_runs]
            fewest = sum(math.ceil(n.get("products", 0) / 100) + math.ceil(n.get("product_models", 0) / 100)
                         for n in named)
            product_calls, model_calls = calls.get(PRODUCTS_CALL, 0), calls.get(MODELS_CALL, 0)
            beyond = product_calls - fewest + model_calls

    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    rows = [
        ("latency p50, change → item written", f"{p50:.1f} s", ""),
        ("latency p95", f"{p95:.1f} s", f"< {TARGET_P95:g} s"),
        (f"burst: {len(wanted)} changes made in", f"{changed_in:.1f} s", ""),
        ("burst: items written", f"{len(seen)} of {len(wanted)}", f"{len(wanted)}"),
        ("burst: last item written after", f"{last_written:.0f} s", ""),
        ("burst: runs", f"{len(event_runs)} asset-triggered ({len(runs)} in all)", f"≤ {TARGET_BURST_RUNS}"),
        ("burst: product listing calls", f"{product_calls} (fewest for the named: {fewest})", ""),
        ("burst: product model listing calls", f"{model_calls}", ""),
        ("Akeneo search calls beyond the named products", f"{beyond}", "0"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"\n{'measure':<{width}}  {'value':<45}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<45}  {target}")
    missed = [name for name, ok in (("p95 latency", p95 < TARGET_P95),
                                    ("items written", len(seen) == len(wanted)),
                                    ("burst runs", 0 < len(event_runs) <= TARGET_BURST_RUNS),
                                    ("search calls", beyond <= 0)) if not ok]
    if missed:
        print(f"targets missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
