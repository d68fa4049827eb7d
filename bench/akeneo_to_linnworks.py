"""Akeneo → Linnworks through the pipeline steps: calls per method against the lower bound.

Starts both sandboxes as processes (`pimflowdev.sandboxes`, the Akeneo one with N products, the
Linnworks one with its quota window shrunk so minutes of real quota take seconds) and runs the
profile's steps (extract → transform → load → feedback) as plain functions with a RunContext,
without Airflow (the DAG only wraps these functions; this keeps the bench fast):

  1. full sync: every SKU is new;
  2. full no-change reconcile: every SKU read back, nothing written;
  3. incremental no-change: the window since run 2 selects no product, nothing read from Linnworks.

and again on a structured catalog where half the products are variants (one- and two-level product
models → variation groups, bundles → compositions, related products → extended properties).

    .venv/bin/python -m bench.akeneo_to_linnworks [--products 10000] [--structured 4000] [--window 0.5] [--no-images]

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

from linnworks.api.endpoints import ENDPOINTS
from pimflow import steps
from pimflow.factory import has_link_step, has_parents_step
from pimflow.kinds import RunContext
from pimflow.profile import Profile
from pimflowdev.sandboxes import start_sandboxes
from pimflow.staging import RunStaging, as_storage_path
from pimflow.window import RunParams

LOOKUP, FULL_READ = "Inventory/GetStockItemIdsBySKU", "Stock/GetStockItemsFullByIds"
READ_PREFIXES = ("Inventory/Get", "Stock/Get")
BATCHED = {"Inventory/AddInventoryItemBulk": 200, LOOKUP: 200, FULL_READ: 200,
           "Inventory/CreateInventoryItemCompositions": 200, "Inventory/UpdateInventoryItemCompositions": 200,
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


STRUCTURE = {"product_models": True}
STRUCTURE_TARGET = {"compositions": {"association": "PACK", "create_missing_components": True},
                    "related_products": {"require_existing": False}}


def is_read(method: str) -> bool:
    return method.startswith(READ_PREFIXES)


def run(profile: Profile, base, name: str, params: RunParams) -> tuple[dict, Counter, float, dict]:
    """One run through the steps; returns (summary, the writer's units, seconds, what the link step did)."""
    ctx = RunContext(profile, Path("."), RunStaging(base, profile.id, name), params, profile.id, name)
    started = time.monotonic()
    chunks = steps.extract(ctx, None, None, datetime.now(timezone.utc))
    transformed = [steps.transform(ctx, chunk, len(chunks)) for chunk in chunks]
    if has_parents_step(profile):
        steps.load_parents(ctx, transformed)
    loads = [steps.load(ctx, item) for item in transformed]
    linked = steps.link(ctx, transformed, loads) if has_link_step(profile) else {}
    summary = steps.feedback(ctx, chunks, loads)
    units: Counter = Counter(linked.get("units") or {})
    for loaded in loads:
        units.update(loaded.get("units") or {})
    return summary.to_dict(), units, time.monotonic() - started, linked


def read_bound(summary: dict, linked: dict, first: bool) -> int:
    """Fewest read calls a run can make: one lookup per 200 items (and one full read per 200 on a
    re-sync), one type check per 200 structure parents, and on a re-sync each group's name and
    members (Linnworks reads groups one at a time) and one composition read per 100 kits; plus
    GetChannels."""
    items = sum(summary["statuses"].get(s, 0) for s in ("created", "updated", "unchanged"))
    parents = linked.get("groups", 0) + linked.get("compositions", 0)
    bound = 1 + math.ceil(items / 200) + math.ceil(parents / 200)
    if not first:
        bound += math.ceil(items / 200) + 2 * linked.get("groups", 0) + math.ceil(linked.get("kits", 0) / 100)
    return bound


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
    parser.add_argument("--products", type=int, default=10_000, help="simple catalog size (0: skip)")
    parser.add_argument("--structured", type=int, default=4_000,
                        help="structured catalog size, half of it variants (0: skip)")
    parser.add_argument("--window", type=float, default=0.5, help="Linnworks quota window in seconds (real: 60)")
    parser.add_argument("--no-images", action="store_true")
    args = parser.parse_args(argv)
    missed: list[str] = []
    started_all = time.monotonic()
    catalogs = [(args.products, None), (args.structured, 0.5)]
    for products, share in catalogs:
        if products:
            missed += bench_catalog(products, share, args)
    total = time.monotonic() - started_all
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nwhole bench: {total:.0f} s (target under 300 s); peak memory of this process: {peak:.0f} MB")
    if total > 300:
        missed.append(f"bench took {total:.0f} s")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


def bench_catalog(products: int, variant_share: float | None, args) -> list[str]:
    config = json.loads(json.dumps(PROFILE))
    if args.no_images:
        del config["target"]["images"]
    if variant_share is not None:
        config["source"].update(STRUCTURE)
        config["target"].update(STRUCTURE_TARGET)
    profile = Profile.model_validate(config)
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, \
            start_sandboxes(products=products, variant_share=variant_share) as sandboxes:
        control = f"{sandboxes.linnworks_data_url}/_sandbox"
        requests.patch(f"{control}/settings", json={"quota_window_seconds": args.window}, timeout=10).raise_for_status()
        for conn_id, conn in sandboxes.connections().items():
            if conn["conn_type"] == "linnworks":
                conn["extra"]["quota_window_seconds"] = args.window
            os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)
        base = as_storage_path(tmp)
        layout = "simple catalog" if variant_share is None else f"structured catalog, {variant_share:.0%} variants"
        print(f"\nAkeneo → Linnworks: {products} products ({layout}), Linnworks quota window {args.window} s (real: 60 s)")
        runs = [("full sync", RunParams()), ("full no-change reconcile", RunParams(full_sync=True)),
                ("incremental no-change", RunParams())]
        for n, (title, params) in enumerate(runs):
            title = f"{title} [{layout}]"
            requests.post(f"{control}/stats/reset", timeout=10).raise_for_status()
            summary, units, seconds, linked = run(profile, base, f"run{n}", params)
            calls = requests.get(f"{control}/stats", timeout=10).json()["calls"]
            writes, bound, reads = print_table(title, calls, units, seconds)
            print(f"read {summary['read']}, statuses {summary['statuses']}")
            if variant_share is not None and n < 2:
                lowest = read_bound(summary, linked, first=n == 0)
                print(f"read calls {reads} against a lower bound of {lowest} ({reads / lowest - 1:+.1%})")
                if reads > math.ceil(lowest * 1.10):
                    missed.append(f"{title}: {reads} read calls, lower bound {lowest}")
            if variant_share is not None and n == 0:
                groups = requests.get(f"{control}/variation-groups", timeout=30).json()
                kits = requests.get(f"{control}/compositions", timeout=30).json()
                print(f"Linnworks now holds {len(groups)} variation group(s) with "
                      f"{sum(len(g['Items']) for g in groups)} variation(s), {len(kits)} kit(s)")
            if n == 0 and writes > math.ceil(bound * 1.10):
                missed.append(f"{title}: {writes} write calls, lower bound {bound}")
            if n > 0 and writes:
                missed.append(f"{title}: {writes} write calls where none were needed")
            settled = summary["statuses"].get("unchanged", 0) + summary["statuses"].get("skipped", 0)
            if n > 0 and settled != summary["read"]:
                missed.append(f"{title}: not everything unchanged: {summary['statuses']}")
            if n == 2 and reads > 10:
                missed.append(f"{title}: {reads} read calls (target at most 10)")
    return missed


if __name__ == "__main__":
    sys.exit(main())
