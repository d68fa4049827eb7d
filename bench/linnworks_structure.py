"""The structure writer on a catalogue: calls per method against the lower bound and the real quotas.

Runs the Linnworks sandbox in this process with its quota window shrunk, creates the items (not
measured), then three StructureWriter runs over G variation groups (V variations each) and K kits
(C components each, drawn from a pool of single items):

  1. first sync: no group or kit exists yet;
  2. re-sync: the same input again, which must make no write call;
  3. 1% change: a hundredth of the groups renamed, another hundredth gaining a variation, a
     hundredth of the kits with a new quantity.

    .venv/bin/python -m bench.linnworks_structure [--groups 1000] [--kits 500] [--window 0.5]

Lower bound (what any writer that does not know the state in advance must call):
  - GetStockItemIdsBySKU: ceil(SKUs named / 200) — every parent, variation and component needs its id;
  - first sync: GetStockItemTypeInfo ceil(parents / 200) to learn that nothing exists yet (the
    cheapest batched existence check), then one CreateVariationGroup per group (no bulk create;
    the template carries the variations) and ceil(rows / 200) CreateInventoryItemCompositions;
  - re-sync: per group its name (GetVariationGroupByParentId) and members (GetVariationItems), one
    call each since Linnworks has no bulk read of either, and ceil(kits / 100)
    GetInventoryItemsCompositionByIds; no write. (The writer also makes ceil(parents / 200) type-info
    calls here, which a writer that knew every group exists could skip: they count against it.)
  - change: the re-sync reads plus one RenameVariationGroup / AddVariationItems per changed group and
    ceil(changed rows / 200) UpdateInventoryItemCompositions.
Exits 1 when a run makes more than 10% over its lower bound, or the re-sync writes anything.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter

import requests

from bench.linnworks_sandbox import sandbox_client

from linnworks.api.endpoints import (
    ADD_ITEMS_BATCH,
    COMPOSITION_ROWS_BATCH,
    COMPOSITIONS_BY_IDS_BATCH,
    ENDPOINTS,
    SKU_LOOKUP_BATCH,
    TYPE_INFO_BATCH,
)
from linnworks.api.models import NewStockItem
from linnworks.structure.desired import DesiredComposition, DesiredVariationGroup
from linnworks.structure.writer import StructureWriter

VARIATIONS, COMPONENTS, POOL = 4, 3, 300
READS = {"Inventory/GetStockItemIdsBySKU", "Stock/GetStockItemTypeInfo", "Stock/GetVariationGroupByParentId",
         "Stock/GetVariationItems", "Inventory/GetInventoryItemsCompositionByIds"}


def catalogue(groups: int, kits: int) -> tuple[list[DesiredVariationGroup], list[DesiredComposition]]:
    desired_groups = [DesiredVariationGroup(f"TEE-{g:05d}", f"Tee {g}", tuple(f"TEE-{g:05d}-{v}" for v in range(VARIATIONS)))
                      for g in range(groups)]
    desired_kits = [DesiredComposition(f"KIT-{k:05d}", {f"PART-{(k * 7 + c * 31) % POOL:04d}": 1 + (k + c) % 3
                                                         for c in range(COMPONENTS)}) for k in range(kits)]
    return desired_groups, desired_kits


def changed(groups: list[DesiredVariationGroup], kits: list[DesiredComposition]):
    """One percent renamed, one percent with an extra variation (an item made for it), one percent
    of the kits with a new quantity."""
    step = 100
    out_groups, extra = [], []
    for n, group in enumerate(groups):
        if n % step == 0:
            group = DesiredVariationGroup(group.parent_sku, f"{group.name} (renamed)", group.variation_skus)
        elif n % step == 1:
            extra.append(f"{group.parent_sku}-X")
            group = DesiredVariationGroup(group.parent_sku, group.name, (*group.variation_skus, extra[-1]))
        out_groups.append(group)
    out_kits = [DesiredComposition(kit.parent_sku, {sku: q + 1 if i == 0 and n % step == 0 else q
                                                    for i, (sku, q) in enumerate(kit.components.items())})
                for n, kit in enumerate(kits)]
    return out_groups, out_kits, extra


def every_sku(groups, kits, extra=()) -> list[str]:
    skus = [sku for g in groups for sku in (g.parent_sku, *g.variation_skus)]
    skus += [sku for k in kits for sku in (k.parent_sku, *k.components)]
    return list(dict.fromkeys([*skus, *extra]))


def lower_bound(run: str, groups, kits, changes: Counter) -> dict[str, int]:
    parents = len(groups) + len(kits)
    bound = {"Inventory/GetStockItemIdsBySKU": math.ceil(len(every_sku(groups, kits)) / SKU_LOOKUP_BATCH)}
    if run == "first sync":
        rows = sum(len(k.components) for k in kits)
        return {**bound, "Stock/GetStockItemTypeInfo": math.ceil(parents / TYPE_INFO_BATCH),
                "Stock/CreateVariationGroup": len(groups),
                "Inventory/CreateInventoryItemCompositions": math.ceil(rows / COMPOSITION_ROWS_BATCH)}
    bound.update({"Stock/GetVariationGroupByParentId": len(groups), "Stock/GetVariationItems": len(groups),
                  "Inventory/GetInventoryItemsCompositionByIds": math.ceil(len(kits) / COMPOSITIONS_BY_IDS_BATCH)})
    if run == "1% change":
        bound.update({"Stock/RenameVariationGroup": changes["rename"], "Stock/AddVariationItems": changes["add"],
                      "Inventory/UpdateInventoryItemCompositions": math.ceil(changes["quantity"] / COMPOSITION_ROWS_BATCH)})
    return bound


def print_table(title: str, calls: dict[str, int], bound: dict[str, int], seconds: float) -> list[str]:
    header = f"{'method':<48}{'calls':>7}{'lower bound':>13}{'quota/min':>11}{'minutes':>9}"
    print(f"\n{title} ({seconds:.1f} s in the sandbox)\n{header}\n{'-' * len(header)}")
    busiest = 0.0
    for method in sorted(set(calls) | set(bound)):
        made, quota = calls.get(method, 0), ENDPOINTS[method].per_minute
        busiest = max(busiest, made / quota)
        print(f"{method:<48}{made:>7}{bound.get(method, 0):>13}{quota:>11}{made / quota:>9.2f}")
    total, lower = sum(calls.values()), sum(bound.values())
    overhead = (total - lower) / lower if lower else 0.0
    print(f"{'-' * len(header)}\n{'total':<48}{total:>7}{lower:>13}")
    print(f"calls over the lower bound: {overhead:+.1%} (target within 10%); the busiest method alone needs "
          f"{busiest:.2f} minutes of real quota")
    missed = [f"{title}: {total} calls for a lower bound of {lower}"] if overhead > 0.10 else []
    if title == "re-sync":
        writes = {m: n for m, n in calls.items() if m not in READS}
        missed += [f"re-sync wrote: {writes}"] if writes else []
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--kits", type=int, default=500)
    parser.add_argument("--window", type=float, default=0.5, help="quota window in seconds (real: 60)")
    args = parser.parse_args(argv)
    groups, kits = catalogue(args.groups, args.kits)
    new_groups, new_kits, extra = changed(groups, kits)
    changes = Counter(rename=sum(g.name != n.name for g, n in zip(groups, new_groups)), add=len(extra),
                      quantity=sum(dict(k.components) != dict(n.components) for k, n in zip(kits, new_kits)))
    runs = [("first sync", groups, kits, {"written": len(groups) + len(kits)}),
            ("re-sync", groups, kits, {"unchanged": len(groups) + len(kits)}),
            ("1% change", new_groups, new_kits, {"written": sum(changes.values()),
                                                "unchanged": len(groups) + len(kits) - sum(changes.values())})]
    missed, started_all = [], time.monotonic()
    print(f"Linnworks structure writer: {args.groups} groups of {VARIATIONS} variations, {args.kits} kits of "
          f"{COMPONENTS} components; sandbox quota window {args.window} s (real: 60 s)")
    with sandbox_client(args.window) as (control, client):
        skus = every_sku(groups, kits, extra)
        added = client.add_items(NewStockItem(item_number=sku, item_title=sku) for sku in skus)
        if added.failed:
            raise SystemExit(f"setup: {len(added.failed)} items refused, first {added.failed[0]}")
        print(f"setup: {len(skus)} items in {math.ceil(len(skus) / ADD_ITEMS_BATCH)} bulk adds (not measured)")
        writer = StructureWriter(client)
        for title, run_groups, run_kits, want in runs:
            requests.post(f"{control}/stats/reset", timeout=10).raise_for_status()
            started = time.monotonic()
            report = writer.write(run_groups, run_kits)
            seconds = time.monotonic() - started
            stats = requests.get(f"{control}/stats", timeout=10).json()
            missed += print_table(title, stats["calls"], lower_bound(title, run_groups, run_kits, changes), seconds)
            counts = {status: n for status, n in report.counts().items() if n}
            print(f"results: {counts}; 429 answers: {stats['status_codes'].get('429', 0)}")
            if counts != want:
                missed.append(f"{title}: results {counts}, expected {want}")
        groups_stored = requests.get(f"{control}/variation-groups", timeout=30).json()
        kits_stored = requests.get(f"{control}/compositions", timeout=30).json()
    expected = {g.parent_sku: list(g.variation_skus) for g in new_groups}
    wrong = [g["VariationSKU"] for g in groups_stored if expected.get(g["VariationSKU"]) != g["Items"]]
    wrong += [sku for sku, rows in kits_stored.items() if rows != dict(next(k for k in new_kits
                                                                             if k.parent_sku == sku).components)]
    print(f"\nstored structure check: {len(groups_stored)} groups, {len(kits_stored)} kits, {len(wrong)} wrong")
    missed += [f"stored structure differs for {wrong[:5]}"] if wrong or len(groups_stored) != len(groups) else []
    print(f"whole bench: {time.monotonic() - started_all:.0f} s")
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
