"""Linnworks calls for a typical write workload, against the lower bound and the real quotas.

Runs the Linnworks sandbox in this process (two uvicorn threads) with its quota window shrunk, so
the run takes seconds, then reports what the same calls need under Linnworks' real per-minute quotas:

    .venv/bin/python -m bench.linnworks_calls [--items 10000] [--window 0.5]

Workload for N items: bulk add, one channel price, title and description each, three extended
properties each, a stock level each, then the full state read back by id (GetStockItemsFullByIds).
"""
from __future__ import annotations

import argparse
import math
import sys
import time

import requests

from linnworks.api import ids
from linnworks.api.client import LinnworksClient
from linnworks.api.endpoints import (
    ADD_ITEMS_BATCH,
    ENDPOINTS,
    FULL_BY_IDS_BATCH,
    ROWS_BATCH,
    STOCK_LEVELS_BATCH,
)
from linnworks.api.models import (
    DataRequirement,
    ExtendedProperty,
    ItemDescription,
    ItemPrice,
    ItemTitle,
    NewStockItem,
    StockLevelUpdate,
)
from linnworks.api.quota import QuotaBook
from linnworks.api.settings import LinnworksSettings
from linnworks.api.stock import DEFAULT_LOCATION_ID
from sandbox.linnworks import serve

PROPERTIES = ("colour", "material", "origin")
READ_BACK = [DataRequirement.STOCK_LEVELS, DataRequirement.CHANNEL_PRICE, DataRequirement.CHANNEL_TITLE,
             DataRequirement.CHANNEL_DESCRIPTION, DataRequirement.EXTENDED_PROPERTIES]


def lower_bounds(items: int) -> dict[str, int]:
    """ceil(rows / largest batch) for every method the workload needs; one authorization."""
    return {
        "Auth/AuthorizeByApplication": 1,
        "Inventory/AddInventoryItemBulk": math.ceil(items / ADD_ITEMS_BATCH),
        "Inventory/CreateInventoryItemPrices": math.ceil(items / ROWS_BATCH),
        "Inventory/CreateInventoryItemTitles": math.ceil(items / ROWS_BATCH),
        "Inventory/CreateInventoryItemDescriptions": math.ceil(items / ROWS_BATCH),
        "Inventory/CreateInventoryItemExtendedProperties": math.ceil(items * len(PROPERTIES) / ROWS_BATCH),
        "Stock/SetStockLevel": math.ceil(items / STOCK_LEVELS_BATCH),
        "Stock/GetStockItemsFullByIds": math.ceil(items / FULL_BY_IDS_BATCH),
    }


def run_workload(client: LinnworksClient, items: int) -> list[str]:
    """Write everything, read it back; returns the SKUs whose read-back state differs."""
    skus = [f"BENCH-{n:06d}" for n in range(items)]
    added = client.add_items(NewStockItem(item_number=sku, item_title=f"Bench item {sku}", retail_price=19.99)
                             for sku in skus)
    if added.failed:
        raise SystemExit(f"bulk add refused {len(added.failed)} SKUs, first: {added.failed[0]}")
    item_ids = [added.added[sku] for sku in skus]
    client.create_prices(ItemPrice(stock_item_id=i, source="AMAZON", sub_source="Amazon UK", price=21.5)
                         for i in item_ids)
    client.create_titles(ItemTitle(stock_item_id=i, source="EBAY", sub_source="eBay DE", title=f"Title {s}")
                         for s, i in zip(skus, item_ids))
    client.create_descriptions(ItemDescription(stock_item_id=i, source="SHOPIFY", sub_source="Shop",
                                               description=f"<p>About {s}</p>") for s, i in zip(skus, item_ids))
    client.create_extended_properties(ExtendedProperty(fk_stock_item_id=i, propery_name=name, property_value=f"{name}-{n % 5}")
                                      for n, i in enumerate(item_ids) for name in PROPERTIES)
    client.set_stock_levels(StockLevelUpdate(sku=s, location_id=DEFAULT_LOCATION_ID, level=n % 50)
                            for n, s in enumerate(skus))
    state = {item.item_number: item for item in client.get_items_full(item_ids, READ_BACK)}
    return [sku for n, sku in enumerate(skus) if not _as_written(state.get(sku), sku, n)]


def _as_written(item, sku: str, n: int) -> bool:
    if item is None or item.stock_item_id != ids.stock_item_id(sku):
        return False
    default_level = {lvl.location.stock_location_id: lvl.stock_level for lvl in item.stock_levels or []}
    return ([p.price for p in item.item_channel_prices or []] == [21.5]
            and [t.title for t in item.item_channel_titles or []] == [f"Title {sku}"]
            and [d.description for d in item.item_channel_descriptions or []] == [f"<p>About {sku}</p>"]
            and sorted(p.propery_name for p in item.item_extended_properties or []) == sorted(PROPERTIES)
            and default_level.get(DEFAULT_LOCATION_ID) == n % 50)


def print_table(calls: dict[str, int], bounds: dict[str, int], wall_seconds: float, throttled: int) -> bool:
    rows = sorted(set(calls) | set(bounds), key=lambda m: (m != "Auth/AuthorizeByApplication", m))
    # minutes: calls / quota, the steady-state pace; forced: whole minutes the quota makes a burst
    # wait even if every call were instant (a sliding window admits `quota` calls at once).
    header = f"{'method':<48}{'calls':>7}{'lower bound':>13}{'quota/min':>11}{'minutes':>9}{'forced':>8}"
    print(header)
    print("-" * len(header))
    total_minutes, total_forced = 0.0, 0
    for method in rows:
        quota, made = ENDPOINTS[method].per_minute, calls.get(method, 0)
        minutes, forced = made / quota, max(0, math.ceil(made / quota) - 1)
        total_minutes += minutes
        total_forced += forced
        print(f"{method:<48}{made:>7}{bounds.get(method, 0):>13}{quota:>11}{minutes:>9.2f}{forced:>8}")
    total, bound = sum(calls.values()), sum(bounds.values())
    print("-" * len(header))
    print(f"{'total':<48}{total:>7}{bound:>13}{'':>11}{total_minutes:>9.2f}{total_forced:>8}")
    overhead = (total - bound) / bound
    print(f"\ncalls over the lower bound: {overhead:+.1%} (target within 10%); 429 answers: {throttled}")
    print(f"minutes under real quotas, methods one after another: {total_minutes:.2f}; "
          f"sandbox run (shrunk window): {wall_seconds:.1f} s")
    return overhead <= 0.10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=0.5, help="quota window in seconds (real: 60)")
    args = parser.parse_args(argv)

    with serve() as sandbox:
        control = f"{sandbox.data_url}/_sandbox"
        requests.patch(f"{control}/settings", json={"quota_window_seconds": args.window}, timeout=10).raise_for_status()
        requests.post(f"{control}/seed", json={"items": 0}, timeout=10).raise_for_status()
        requests.post(f"{control}/stats/reset", timeout=10).raise_for_status()
        settings = LinnworksSettings.build(
            application_id=sandbox.settings.application_id, application_secret=sandbox.settings.application_secret,
            installation_token=sandbox.settings.installation_token, auth_host=sandbox.auth_url,
            quota_window_seconds=args.window, concurrency=4, timeout=120)
        started = time.monotonic()
        with LinnworksClient(settings, quotas=QuotaBook(settings)) as client:
            wrong = run_workload(client, args.items)
        wall = time.monotonic() - started
        stats = requests.get(f"{control}/stats", timeout=10).json()

    calls = dict(stats["calls"])
    calls["Auth/AuthorizeByApplication"] = stats["auth_calls"]
    print(f"Linnworks write workload: {args.items} items, sandbox quota window {args.window} s\n")
    within_target = print_table(calls, lower_bounds(args.items), wall, stats["status_codes"].get("429", 0))
    print(f"read-back check: {args.items - len(wrong)} of {args.items} items as written")
    return 0 if within_target and not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
