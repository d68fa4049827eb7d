"""Feed → Akeneo: a 10,000-line feed written into the Akeneo sandbox at 50 ms latency.

Run: `python -m bench.feed_to_akeneo [--lines N] [--latency-ms N]`. The sandbox runs in its own
process; the pipeline's four steps run here, in one process, exactly as the DAG's tasks call them
(without the scheduler, so only pimflow's own work is timed). Twice: batches sent one at a time
(`max_concurrent_requests: 1`) and several in flight (the connection's cap, 4). Prints PATCH
requests against the lower bound ceil(lines / batch size), lines per second and peak memory.
Every line gives a price in one currency (`price@EUR`), a part of a collection Akeneo replaces
whole, so the load first reads what Akeneo holds of those products: the extra GET requests are
printed against their bound, ceil(lines giving part of a price / 100), for the two runs into an
empty catalog and for a third that sends the same feed again over the products it wrote.
Targets: requests equal the lower bound, extra reads within theirs; concurrent batches at least 3 ×
faster. Timed runs are not traced; peak memory (tracemalloc) comes from a separate run of each mode.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from pimflow import steps  # noqa: E402
from pimflow.kinds import RunContext  # noqa: E402
from pimflow.loader import parse_profile  # noqa: E402
from pimflowdev.sandboxes import start_sandboxes  # noqa: E402
from pimflow.staging import RunStaging, as_storage_path  # noqa: E402
from pimflow.window import RunParams  # noqa: E402

BATCH = 100
READ_BATCH = 100  # products read per GET when partial price collections are completed
PROFILE = """
id: bench_feed_to_akeneo
source: {kind: feed, path: feed.csv, delimiter: ";"}
target: {kind: akeneo, product_id: identifier}
batch_size: 100
chunk_size: 100000
"""
COLORS = ["black", "white", "red", "blue", "green"]


#: every activated currency of the sandbox catalog (it also lists CHF and JPY, deactivated)
ALL_CURRENCIES = ("EUR", "GBP", "USD")


def write_feed(path: Path, lines: int, currencies: tuple[str, ...] = ("EUR",)) -> None:
    """`lines` lines with a price in each of `currencies` (EUR only: part of the collection, which the
    target completes with what Akeneo holds; ALL_CURRENCIES: every activated currency. The target reads
    what Akeneo holds either way: a product may keep a price in a currency deactivated since)."""
    rng = random.Random(11)
    prices = ";".join(f"price@{currency}" for currency in currencies)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f"sku;family;name~en_US;name~de_DE;ean;color;{prices};weight;warranty_years;release_date\n")
        for n in range(lines):
            amount = rng.randint(100, 99999) / 100
            cells = ";".join(f"{amount:.2f} {currency}" for currency in currencies)
            handle.write(f"BENCH-{n:06d};clothing;Product {n};Produkt {n};{4000000000000 + n};"
                         f"{rng.choice(COLORS)};{cells};"
                         f"{rng.randint(100, 5000)} GRM;{rng.randint(0, 5)};2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n")


def run_once(workdir: Path, sandboxes, concurrency: int, trace_memory: bool = False, empty: bool = True) -> dict:
    """One pipeline run, into an empty catalog (or, `empty=False`, over the previous run's products).
    Timed runs are not traced (tracemalloc slows Python down several times); a separate traced run
    measures peak memory."""
    if empty:
        requests.post(f"{sandboxes.akeneo_url}/_sandbox/catalog", json={"products": 0, "seed": 42},
                      timeout=60).raise_for_status()
    requests.post(f"{sandboxes.akeneo_url}/_sandbox/stats/reset", timeout=10).raise_for_status()
    connection = sandboxes.connections()["akeneo_default"]
    connection["extra"] = {**connection["extra"], "max_concurrent_requests": concurrency, "throttle_requests": 0}
    os.environ["AIRFLOW_CONN_AKENEO_DEFAULT"] = json.dumps(connection)
    profile = parse_profile(workdir / "profile.yaml")
    run_id = f"bench_{concurrency}_{time.time_ns()}"
    ctx = RunContext(profile, workdir, RunStaging(as_storage_path(workdir / "staging"), profile.id, run_id),
                     RunParams(), profile.id, run_id)
    if trace_memory:
        tracemalloc.start()
    started = time.perf_counter()
    chunks = steps.extract(ctx, None, None, datetime.now(timezone.utc))
    transformed = [steps.transform(ctx, chunk) for chunk in chunks]
    load_started = time.perf_counter()
    loads = [steps.load(ctx, item) for item in transformed]
    load_seconds = time.perf_counter() - load_started
    summary = steps.feedback(ctx, chunks, loads)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
    tracemalloc.stop()
    stats = requests.get(f"{sandboxes.akeneo_url}/_sandbox/stats", timeout=10).json()
    return {"seconds": elapsed, "load_seconds": load_seconds, "peak_mb": peak / 2**20, "patches": stats["requests"].get("PATCH /api/rest/v1/products", 0),
            "reads": stats["requests"].get("GET /api/rest/v1/products", 0),
            "requests": stats["total"], "written": summary.written, "refused": summary.refused, "read": summary.read}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50)
    args = parser.parse_args(argv)
    bound = math.ceil(args.lines / BATCH)
    read_bound = math.ceil(args.lines / READ_BATCH)  # every line gives part of a price collection
    with tempfile.TemporaryDirectory() as temp, start_sandboxes(products=0, latency_ms=args.latency_ms) as sandboxes:
        workdir = Path(temp)
        os.environ["AIRFLOW__PIMFLOW__STAGING_BASE"] = str(workdir / "staging")
        (workdir / "profile.yaml").write_text(PROFILE, encoding="utf-8")
        write_feed(workdir / "feed.csv", args.lines)
        results = {name: run_once(workdir, sandboxes, concurrency) for name, concurrency in
                   (("one batch at a time", 1), ("concurrent batches (4)", 4))}
        # the same feed again over the products it wrote: every read finds a full hundred
        results["updates, concurrent (4)"] = run_once(workdir, sandboxes, 4, empty=False)
        for name, concurrency in (("one batch at a time", 1), ("concurrent batches (4)", 4)):
            results[name]["peak_mb"] = run_once(workdir, sandboxes, concurrency, trace_memory=True)["peak_mb"]
        results["updates, concurrent (4)"]["peak_mb"] = run_once(workdir, sandboxes, 4, True, empty=False)["peak_mb"]
    print(f"feed → Akeneo, {args.lines:,} lines, batches of {BATCH}, sandbox latency {args.latency_ms:g} ms")
    print("(load = the load step, where batches go out; run = extract + transform + load + feedback)")
    print(f"{'mode':<24} {'PATCH':>6} {'bound':>6} {'GET':>5} {'bound':>6} {'all req':>8} {'written':>8} {'load s':>7} "
          f"{'load lines/s':>13} {'run s':>6} {'run lines/s':>12} {'peak MB':>8}")
    for name, r in results.items():
        print(f"{name:<24} {r['patches']:>6} {bound:>6} {r['reads']:>5} {read_bound:>6} {r['requests']:>8} {r['written']:>8} "
              f"{r['load_seconds']:>7.1f} {r['read'] / r['load_seconds']:>13,.0f} {r['seconds']:>6.1f} "
              f"{r['read'] / r['seconds']:>12,.0f} {r['peak_mb']:>8.1f}")
    print("(GET: the extra reads of what Akeneo holds, to complete partial price collections)")
    one, many, _ = results.values()
    speedup = one["load_seconds"] / many["load_seconds"]
    ok_requests = all(r["patches"] == bound and r["reads"] <= read_bound and r["written"] == args.lines
                      for r in results.values())
    print(f"PATCH requests equal the lower bound, extra reads within theirs, every line written: "
          f"{'yes' if ok_requests else 'NO'}")
    print(f"load step: concurrent batches {speedup:.2f} × faster (target ≥ 3): {'met' if speedup >= 3 else 'MISSED'}; "
          f"whole run {one['seconds'] / many['seconds']:.2f} ×")
    return 0 if ok_requests and speedup >= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
