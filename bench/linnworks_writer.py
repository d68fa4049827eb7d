"""The Linnworks writer on a catalogue: calls per method against the lower bound and the real quotas.

Runs the Linnworks sandbox in this process with its quota window shrunk (so minutes of real quota
take seconds), then three writer runs over the same N SKUs:

  1. create: every SKU is new (bulk add, channel rows, extended properties, one image each);
  2. no change: the same input again, which must make no write call and only the minimal reads;
  3. 1% change: a hundredth of the SKUs changed in one way or another, a few of them with their
     image replaced (the dropped image deleted: DeleteInventoryItemImageBulk, 200 images a call).

    .venv/bin/python -m bench.linnworks_writer [--items 10000] [--window 0.5]

Exits 1 when a target is missed: write calls within 10% of ceil(units / batch limit) per method,
exactly ceil(N/200) SKU lookups and ceil(existing/200) full reads, no write call on the no-change run.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from dataclasses import replace

import requests

from bench.linnworks_sandbox import sandbox_client

from linnworks.api.endpoints import ADD_ITEMS_BATCH, ENDPOINTS, FULL_BY_IDS_BATCH, ROWS_BATCH, SKU_LOOKUP_BATCH
from linnworks.items.desired import DesiredItem, ImageRef, WriteOptions
from linnworks.items.writer import LinnworksWriter

LOOKUP, FULL_READ = "Inventory/GetStockItemIdsBySKU", "Stock/GetStockItemsFullByIds"
READS = {LOOKUP, FULL_READ, "Inventory/GetInventoryItemById"}
AMAZON, EBAY, SHOP = ("AMAZON", "Amazon UK"), ("EBAY", "eBay DE"), ("SHOPIFY", "Shop")
BATCHED = {"Inventory/AddInventoryItemBulk": ADD_ITEMS_BATCH, LOOKUP: SKU_LOOKUP_BATCH, FULL_READ: FULL_BY_IDS_BATCH,
           **{f"Inventory/{verb}InventoryItem{noun}": ROWS_BATCH for verb in ("Create", "Update", "Delete")
              for noun in ("Prices", "Titles", "Descriptions")},
           **{f"Inventory/{verb}InventoryItemExtendedProperties": ROWS_BATCH for verb in ("Create", "Update")},
           "Inventory/DeleteInventoryItemImageBulk": ROWS_BATCH}


def desired(n: int) -> DesiredItem:
    sku = f"WB-{n:06d}"
    price = round(5 + (n % 400) * 0.25, 2)
    return DesiredItem(
        sku=sku, title=f"Bench widget {n}", barcode=f"{5_000_000_000_000 + n}", retail_price=price,
        purchase_price=round(price * 0.4, 2), weight=float(100 + n % 900), width=float(1 + n % 50),
        height=float(1 + n % 30), depth=float(1 + n % 20), metadata=f"Bench widget {n}: the long description",
        channel_prices={AMAZON: round(price * 1.1, 2), EBAY: round(price * 1.05, 2)},
        channel_titles={EBAY: f"Bench-Widget {n}"}, channel_descriptions={SHOP: f"<p>Widget {n}</p>"},
        extended_properties={"colour": ("red", "green", "blue")[n % 3], "material": "steel", "origin": "DE"},
        images=(ImageRef(f"media/{n % 97}/{sku}-main.jpg", f"https://images.example/{sku}-main.jpg"),))


def changed(item: DesiredItem, n: int, group: str) -> DesiredItem:
    """One percent of the catalogue changes; each group in its own way."""
    if group == "price":  # retail and Amazon price: one field call, one row in a batched price update
        return replace(item, retail_price=item.retail_price + 1,
                        channel_prices={**item.channel_prices, AMAZON: item.channel_prices[AMAZON] + 1})
    if group == "metadata":  # MetaData is only writable by a full replace
        return replace(item, metadata=f"{item.metadata} (revised)")
    if group == "property":  # a property changes and a Shopify title appears
        return replace(item, extended_properties={**item.extended_properties, "colour": "black"},
                        channel_titles={**item.channel_titles, SHOP: f"Shop widget {n}"})
    new_main = ImageRef(f"media/new/{item.sku}.jpg", f"https://images.example/{item.sku}-v2.jpg")
    if group == "image swap":  # the image is replaced in Akeneo: the old one leaves Linnworks
        return replace(item, images=(new_main,))
    return replace(item, images=(new_main, *item.images))


GROUPS = ("price",) * 50 + ("metadata",) * 20 + ("property",) * 20 + ("image",) * 5 + ("image swap",) * 5


def expected_units(items: int, run: str, changed_groups: Counter) -> Counter:
    """What each method must write, from the workload alone (not from the writer)."""
    if run == "create":
        return Counter({"Inventory/AddInventoryItemBulk": items, "Inventory/CreateInventoryItemPrices": 2 * items,
                        "Inventory/CreateInventoryItemTitles": items,
                        "Inventory/CreateInventoryItemDescriptions": items,
                        # three properties (the image ledger is pimflow's, kept out of Linnworks)
                        "Inventory/CreateInventoryItemExtendedProperties": 3 * items,
                        "Inventory/AddImageToInventoryItem": items})
    if run == "no change":
        return Counter()
    g = changed_groups
    return Counter({"Inventory/UpdateInventoryItemField": g["price"], "Inventory/UpdateInventoryItemPrices": g["price"],
                    "Inventory/UpdateInventoryItem": g["metadata"], "Inventory/GetInventoryItemById": g["metadata"],
                    "Inventory/UpdateInventoryItemExtendedProperties": g["property"],
                    "Inventory/CreateInventoryItemTitles": g["property"],
                    "Inventory/AddImageToInventoryItem": g["image"] + g["image swap"],
                    "Inventory/DeleteInventoryItemImageBulk": g["image swap"]})


def bounds(units: Counter, items: int, existing: int) -> dict[str, int]:
    out = {method: math.ceil(n / BATCHED.get(method, 1)) for method, n in units.items() if n}
    out[LOOKUP] = math.ceil(items / SKU_LOOKUP_BATCH)
    if existing:
        out[FULL_READ] = math.ceil(existing / FULL_BY_IDS_BATCH)
    return out


def print_table(title: str, calls: dict[str, int], lower: dict[str, int], seconds: float) -> list[str]:
    """The table of one run; returns the targets it missed."""
    missed = []
    header = f"{'method':<50}{'calls':>7}{'lower bound':>13}{'quota/min':>11}{'minutes':>9}"
    print(f"\n{title} ({seconds:.1f} s in the sandbox)\n{header}\n{'-' * len(header)}")
    minutes_total, busiest = 0.0, 0.0
    for method in sorted(set(calls) | set(lower)):
        made, bound, quota = calls.get(method, 0), lower.get(method, 0), ENDPOINTS[method].per_minute
        minutes = made / quota
        minutes_total, busiest = minutes_total + minutes, max(busiest, minutes)
        flag = ""
        if method in READS and made != bound or method not in READS and made > bound * 1.10:
            flag = "  <- target missed"
            missed.append(f"{title}: {method} made {made} calls, lower bound {bound}")
        print(f"{method:<50}{made:>7}{bound:>13}{quota:>11}{minutes:>9.2f}{flag}")
    writes = sum(n for method, n in calls.items() if method not in READS)
    write_bound = sum(n for method, n in lower.items() if method not in READS)
    print(f"{'-' * len(header)}\n{'total':<50}{sum(calls.values()):>7}{sum(lower.values()):>13}{'':>11}"
          f"{minutes_total:>9.2f}")
    print(f"write calls {writes} for a lower bound of {write_bound}; minutes under the real quotas: "
          f"{minutes_total:.2f} one method after another, {busiest:.2f} for the busiest method alone")
    if write_bound == 0 and writes:
        missed.append(f"{title}: {writes} write calls where none were needed")
    return missed


def spot_check(control: str, items: list[DesiredItem], sample: int = 25) -> list[str]:
    """Read a sample of SKUs from the sandbox's own view and compare field by field."""
    wrong = []
    for item in random.Random(7).sample(items, min(sample, len(items))):
        state = requests.get(f"{control}/items/{item.sku}", timeout=10).json()
        got = state["item"]
        checks = [got["ItemTitle"] == item.title, got["RetailPrice"] == item.retail_price,
                  got["MetaData"] == item.metadata, got["Weight"] == item.weight,
                  {(p["Source"], p["SubSource"]): p["Price"] for p in state["prices"]} == dict(item.channel_prices),
                  {p["ProperyName"]: p["PropertyValue"] for p in state["extended_properties"]
                   } == dict(item.extended_properties),  # exactly those: pimflow keeps none of its own
                  len(state["images"]) == len(item.images) and state["images"][0]["IsMain"]]
        if not all(checks):
            wrong.append(item.sku)
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=0.5, help="quota window in seconds (real: 60)")
    args = parser.parse_args(argv)
    n_items, missed = args.items, []
    catalogue = [desired(n) for n in range(n_items)]
    step = max(1, n_items // len(GROUPS))
    changes = {n: GROUPS[i] for i, n in enumerate(range(0, n_items, step)) if i < len(GROUPS)}
    revised = [changed(item, n, changes[n]) if n in changes else item for n, item in enumerate(catalogue)]
    runs = [("create", catalogue, 0, {"created": n_items}),
            ("no change", catalogue, n_items, {"unchanged": n_items}),
            ("1% change", revised, n_items, {"updated": len(changes), "unchanged": n_items - len(changes)})]

    started_all = time.monotonic()
    print(f"Linnworks writer: {n_items} SKUs, sandbox quota window {args.window} s (real: 60 s)")
    with sandbox_client(args.window) as (control, client):
        writer = LinnworksWriter(client, WriteOptions(create_products=True))
        for title, items, existing, want in runs:
            requests.post(f"{control}/stats/reset", timeout=10).raise_for_status()
            started = time.monotonic()
            report = writer.write(items)
            seconds = time.monotonic() - started
            stats = requests.get(f"{control}/stats", timeout=10).json()
            units = expected_units(n_items, title, Counter(changes.values()))
            missed += print_table(title, stats["calls"], bounds(units, n_items, existing), seconds)
            counts = {status: n for status, n in report.counts().items() if n}
            print(f"results: {counts}; 429 answers: {stats['status_codes'].get('429', 0)}")
            if counts != want:
                missed.append(f"{title}: results {counts}, expected {want}")
            if report.units + Counter() != units + Counter():
                print(f"  note: writer's own unit count differs: {dict(report.units)}")
            if title == "create":
                wrong = spot_check(control, catalogue)
                print(f"spot check of the sandbox's stored items: {len(wrong)} wrong")
                missed += [f"create: {sku} not stored as desired" for sku in wrong]
    total = time.monotonic() - started_all
    print(f"\nwhole bench: {total:.0f} s (target under 300 s)")
    if total > 300:
        missed.append(f"bench took {total:.0f} s")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
