"""Akeneo → Linnworks through the pipeline steps: calls per method against the lower bound.

Starts both sandboxes as processes (`pimflow.sandboxes`, the Akeneo one with N products, the
Linnworks one with its quota window shrunk so minutes of real quota take seconds) and runs the
profile's steps (extract → transform → load → feedback) as plain functions with a RunContext,
without Airflow (the DAG only wraps these functions; this keeps the bench fast):

  1. full sync: every SKU is new;
  2. full no-change reconcile: every SKU read back, nothing written;
  3. incremental no-change: the window since run 2 selects no product, nothing read from Linnworks.

    .venv/bin/python -m bench.akeneo_to_linnworks [--products 10000] [--window 0.5] [--no-images]

Exits 1 when a target is missed: write calls within 10% of the lower bound (ceil(units / batch
limit) per method, the units being what the writer had to write), no write call in the no-change
runs, at most 10 Linnworks read calls in the incremental one.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import requests

from linnworks.endpoints import ENDPOINTS
from pimflow import steps
from pimflow.kinds import RunContext
from pimflow.profile import Profile
from pimflow.sandboxes import start_sandboxes
from pimflow.staging import RunStaging, as_storage_path
from pimflow.window import RunParams

LOOKUP, FULL_READ = "Inventory/GetStockItemIdsBySKU", "Stock/GetStockItemsFullByIds"
READ_PREFIXES = ("Inventory/Get", "Stock/Get")
BATCHED = {"Inventory/AddInventoryItemBulk": 200, LOOKUP: 200, FULL_READ: 200,
           **{f"Inventory/{verb}InventoryItem{noun}": 200 for verb in ("Create", "Update", "Delete")
              for noun in ("Prices", "Titles", "Descriptions", "ExtendedProperties")}}
PROFILE = {
    "id": "bench_akeneo_to_linnworks", "retries": 0, "chunk_size": 2500,
    "source": {"kind": "akeneo", "channel": "ecommerce", "locales": ["en_US", "de_DE"], "product_id": "identifier"},
    "target": {
        "kind": "linnworks",
        "prices": [{"attribute": "price", "currency": "EUR", "to": "retail"},
                   {"attribute": "cost", "currency": "EUR", "to": "purchase"},
                   {"attribute": "price", "currency": "GBP", "to": "channel", "source": "AMAZON", "subsource": "Amazon UK"}],
        "titles": [{"attribute": "name", "to": "item"},
                   {"attribute": "name~de_DE", "to": "channel", "source": "EBAY", "subsource": "eBay DE"}],
        "descriptions": [{"attribute": "description", "to": "metadata"}],
        "barcode": "ean", "dimensions": {"width": "width", "height": "height", "depth": "depth", "weight": "weight"},
        "extended_properties": {"attributes": ["brand", "color", "material"], "prefix": "ak_"},
        "images": {"main": "image_1", "others": ["image_2"], "mode": "upload"},
    },
}


def is_read(method: str) -> bool:
    return method.startswith(READ_PREFIXES)


def run(profile: Profile, base, name: str, params: RunParams) -> tuple[dict, Counter, float]:
    """One run through the steps; returns (summary, the writer's units, seconds)."""
    ctx = RunContext(profile, Path("."), RunStaging(base, profile.id, name), params, profile.id, name)
    started = time.monotonic()
    chunks = steps.extract(ctx, None, None, datetime.now(timezone.utc), backfill=False)
    transformed = [steps.transform(ctx, chunk, len(chunks)) for chunk in chunks]
    loads = [steps.load(ctx, item) for item in transformed]
    summary = steps.feedback(ctx, chunks, loads)
    units: Counter = Counter()
    for loaded in loads:
        units.update(loaded.get("units") or {})
    return summary.to_dict(), units, time.monotonic() - started


def print_table(title: str, calls: dict[str, int], units: Counter, seconds: float) -> tuple[int, int, int]:
    """The run's calls per method; returns (write calls, write lower bound, read calls)."""
    header = f"{'method':<50}{'calls':>7}{'lower bound':>13}{'quota/min':>11}{'minutes':>9}"
    print(f"\n{title} ({seconds:.1f} s)\n{header}\n{'-' * len(header)}")
    writes = bound_total = reads = 0
    minutes_total = busiest = 0.0
    for method in sorted(set(calls) | set(units)):
        made = calls.get(method, 0)
        bound = math.ceil(units.get(method, 0) / BATCHED.get(method, 1)) if not is_read(method) else None
        quota = ENDPOINTS[method].per_minute if method in ENDPOINTS else 150
        minutes = made / quota
        minutes_total, busiest = minutes_total + minutes, max(busiest, minutes)
        if is_read(method) or method.startswith("Auth/"):
            reads += made if is_read(method) else 0
        else:
            writes, bound_total = writes + made, bound_total + (bound or 0)
        print(f"{method:<50}{made:>7}{'' if bound is None else bound:>13}{quota:>11}{minutes:>9.2f}")
    print(f"{'-' * len(header)}\nwrite calls {writes} (lower bound {bound_total}), read calls {reads}; minutes "
          f"under the real quotas: {minutes_total:.2f} one method after another, {busiest:.2f} busiest method")
    return writes, bound_total, reads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=0.5, help="Linnworks quota window in seconds (real: 60)")
    parser.add_argument("--no-images", action="store_true")
    args = parser.parse_args(argv)
    config = json.loads(json.dumps(PROFILE))
    if args.no_images:
        del config["target"]["images"]
    profile = Profile.model_validate(config)
    missed: list[str] = []
    started_all = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, start_sandboxes(products=args.products) as sandboxes:
        control = f"{sandboxes.linnworks_data_url}/_sandbox"
        requests.patch(f"{control}/settings", json={"quota_window_seconds": args.window}, timeout=10).raise_for_status()
        for conn_id, conn in sandboxes.connections().items():
            if conn["conn_type"] == "linnworks":
                conn["extra"]["quota_window_seconds"] = args.window
            os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)
        base = as_storage_path(tmp)
        print(f"Akeneo → Linnworks: {args.products} products, Linnworks quota window {args.window} s (real: 60 s)")
        runs = [("full sync", RunParams()), ("full no-change reconcile", RunParams(full_sync=True)),
                ("incremental no-change", RunParams())]
        for n, (title, params) in enumerate(runs):
            requests.post(f"{control}/stats/reset", timeout=10).raise_for_status()
            summary, units, seconds = run(profile, base, f"run{n}", params)
            calls = requests.get(f"{control}/stats", timeout=10).json()["calls"]
            writes, bound, reads = print_table(title, calls, units, seconds)
            print(f"read {summary['read']}, statuses {summary['statuses']}")
            if n == 0 and writes > math.ceil(bound * 1.10):
                missed.append(f"{title}: {writes} write calls, lower bound {bound}")
            if n > 0 and writes:
                missed.append(f"{title}: {writes} write calls where none were needed")
            if n > 0 and summary["statuses"].get("unchanged", 0) != summary["read"]:
                missed.append(f"{title}: not everything unchanged: {summary['statuses']}")
            if n == 2 and reads > 10:
                missed.append(f"{title}: {reads} read calls (target at most 10)")
    total = time.monotonic() - started_all
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nwhole bench: {total:.0f} s (target under 300 s); peak memory of this process: {peak:.0f} MB")
    if total > 300:
        missed.append(f"bench took {total:.0f} s")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
