"""Linnworks stock → Akeneo listable quantities through the pipeline steps: calls and peak memory.

Starts the Linnworks sandbox (`pimflowdev.sandboxes`) and an Akeneo sandbox whose demo catalog has one
more attribute, `listable_quantity` (scopable number; the stock demo catalog has none), both as
processes, fills Linnworks with N items stocked in two locations, and runs the profile's steps
(extract → transform → load → feedback) as plain functions with a RunContext, without Airflow:

  1. first sync: every SKU gets its quantities;
  2. no change: everything read, nothing written;
  3. 1% stock change: only the SKUs whose listed quantities moved are written.

    .venv/bin/python -m bench.stock_to_akeneo [--items 10000] [--chunk-size 5000]

Exits 1 when a target is missed: Linnworks stock reads (pages, plus the one count that checks the
listing did not shift while it was read) above ceil(N/200) + 1 + 1 (the end-of-list page),
Akeneo PATCH calls above the per-chunk bound sum(ceil(changed in chunk / 100)), any write on run 2.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import requests

DEFAULT, LONDON = "00000000-0000-0000-0000-000000000000", "6f1a0c3e-0000-4000-8000-00000000a001"
STOCK_PAGE, AKENEO_BATCH = 200, 100


def profile_config(chunk_size: int) -> dict:
    return {"id": "bench_stock_to_akeneo", "retries": 0, "chunk_size": chunk_size,
            "source": {"kind": "linnworks_stock", "locations": ["Default", "London Warehouse"],
                       "quantity": "available", "attribute": "listable_quantity",
                       "channels": {"ecommerce": {"max_quantity": 10}, "mobile": {"max_percent": 50}}},
            "target": {"kind": "akeneo", "connection": "akeneo_stock", "product_id": "identifier"}}


def serve_akeneo(port: int, products: int) -> None:
    """Child process: the demo Akeneo catalog plus the scopable number attribute `listable_quantity`."""
    from sandbox.akeneo.app import create_app
    from sandbox.akeneo.catalog import generate_catalog
    from sandbox.akeneo.settings import SandboxSettings
    from sandbox.common.server import start_server

    state = generate_catalog(products, seed=42)
    state.attributes["listable_quantity"] = {**state.attributes["stock_quantity"], "code": "listable_quantity",
                                             "scopable": True}
    with start_server(create_app(state, SandboxSettings()), port=port):
        while True:
            time.sleep(3600)


def start_akeneo(products: int) -> tuple[subprocess.Popen, str]:
    from sandbox.common.server import free_port

    port = free_port("127.0.0.1")
    process = subprocess.Popen([sys.executable, "-m", "bench.stock_to_akeneo", "--serve-akeneo", str(port),
                                "--items", str(products)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_sandbox/settings", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the Akeneo sandbox did not start")


def sku(n: int) -> str:
    return f"PF-{n:06d}"


def stock_rows(items: int, changed_every: int | None = None) -> list[dict]:
    rows = []
    for n in range(1, items + 1):
        bump = 5 if changed_every and n % changed_every == 0 else 0
        rows.append({"SKU": sku(n), "LocationId": DEFAULT, "StockLevel": n % 9 + bump, "InOrderBook": n % 3})
        rows.append({"SKU": sku(n), "LocationId": LONDON, "StockLevel": n % 4, "InOrderBook": 0})
    return rows


def fill_linnworks(url: str, items: int) -> None:
    from linnworks.api.models import NewStockItem
    from linnworks.hook import LinnworksHook

    added = LinnworksHook(linnworks_conn_id="linnworks_default").get_conn().add_items(
        NewStockItem(ItemNumber=sku(n), ItemTitle=f"Item {n}") for n in range(1, items + 1))
    assert not added.failed, added.failed[:3]
    requests.put(f"{url}/_sandbox/stock", json=stock_rows(items), timeout=120).raise_for_status()


def run(profile, base, name: str) -> tuple[dict, list[dict], float, float]:
    """One run through the steps; returns (summary, loads, seconds, peak traced MiB)."""
    from pimflow import steps
    from pimflow.kinds import RunContext
    from pimflow.staging import RunStaging
    from pimflow.window import RunParams

    ctx = RunContext(profile, Path("."), RunStaging(base, profile.id, name), RunParams(), profile.id, name)
    tracemalloc.start()
    started = time.monotonic()
    chunks = steps.extract(ctx, None, None, datetime.now(timezone.utc))
    transformed = [steps.transform(ctx, chunk, len(chunks)) for chunk in chunks]
    loads = [steps.load(ctx, item) for item in transformed]
    summary = steps.feedback(ctx, chunks, loads)
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return summary.to_dict(), loads, seconds, peak


def calls(url: str, key: str) -> dict[str, int]:
    return requests.get(f"{url}/_sandbox/stats", timeout=10).json()[key]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument("--serve-akeneo", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_akeneo:
        serve_akeneo(args.serve_akeneo, args.items)
        return 0

    from pimflow.profile import Profile
    from pimflowdev.sandboxes import start_sandboxes
    from pimflow.staging import as_storage_path

    logging.getLogger("pimflow").setLevel(logging.WARNING)
    profile = Profile.model_validate(profile_config(args.chunk_size))
    missed: list[str] = []
    started_all = time.monotonic()
    akeneo, akeneo_url = start_akeneo(args.items)
    try:
        with tempfile.TemporaryDirectory() as tmp, start_sandboxes(products=1) as sandboxes:
            connections = sandboxes.connections()
            connections["akeneo_stock"] = {**connections["akeneo_default"], "host": akeneo_url}
            for conn_id, conn in connections.items():
                os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)
            lw = sandboxes.linnworks_data_url
            fill_linnworks(lw, args.items)
            base = as_storage_path(tmp)
            print(f"Linnworks stock → Akeneo: {args.items} SKUs, 2 channels, chunk_size {args.chunk_size}, "
                  "steps called directly (no Airflow)\n")
            header = (f"{'run':<22}{'s':>6}{'LW stock reads':>16}{'bound':>7}{'AK GET':>8}{'written':>9}"
                      f"{'PATCH':>7}{'ceil(w/100)':>13}{'per-chunk':>11}{'peak MiB':>10}")
            print(header + "\n" + "-" * len(header))
            for n, title in enumerate(("first sync", "no change", "1% stock change")):
                if n == 2:
                    requests.put(f"{lw}/_sandbox/stock", json=stock_rows(args.items, 100), timeout=120).raise_for_status()
                for url in (lw, akeneo_url):
                    requests.post(f"{url}/_sandbox/stats/reset", timeout=10).raise_for_status()
                summary, loads, seconds, peak = run(profile, base, f"run{n}")
                lw_calls, ak_calls = calls(lw, "calls"), calls(akeneo_url, "requests")
                reads = lw_calls.get("Stock/GetStockItemsFull", 0) + lw_calls.get("Stock/GetStockItems", 0)
                bound = math.ceil(args.items / STOCK_PAGE) + 1  # the pages and the listing's count
                gets = sum(v for k, v in ak_calls.items() if k.startswith("GET /api/rest/v1/products"))
                patches = sum(v for k, v in ak_calls.items() if k.startswith("PATCH"))
                written = sum(load.get("updated", 0) + load.get("created", 0) for load in loads)
                per_chunk = sum(math.ceil((load.get("updated", 0) + load.get("created", 0)) / AKENEO_BATCH)
                                for load in loads)
                print(f"{title:<22}{seconds:>6.1f}{reads:>16}{bound:>7}{gets:>8}{written:>9}{patches:>7}"
                      f"{math.ceil(written / AKENEO_BATCH):>13}{per_chunk:>11}{peak:>10.1f}")
                if reads > bound + 1:
                    missed.append(f"{title}: {reads} stock reads, lower bound {bound}")
                if patches > per_chunk:
                    missed.append(f"{title}: {patches} PATCH calls, per-chunk bound {per_chunk}")
                if n == 1 and (patches or summary["statuses"].get("unchanged") != args.items):
                    missed.append(f"{title}: {patches} PATCH calls, statuses {summary['statuses']}")
                other = {k: v for k, v in lw_calls.items() if k not in ("Stock/GetStockItemsFull", "Stock/GetStockItems")}
                print(f"{'':<22}statuses {summary['statuses']}; other Linnworks calls {other}; "
                      f"Akeneo calls {ak_calls}")
    finally:
        akeneo.terminate()
        akeneo.wait(timeout=10)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmax RSS of this process {rss:.0f} MiB (Python, Airflow imports and the steps); "
          f"total {time.monotonic() - started_all:.0f} s")
    for problem in missed:
        print("MISSED:", problem)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
