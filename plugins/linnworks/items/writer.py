"""`LinnworksWriter`: make Linnworks items match their desired state in the fewest calls.

    writer = LinnworksWriter(hook.get_conn(), WriteOptions(create_products=True), image_ledger)
    report = writer.write(desired_items)   # one ItemResult per input, plus the diff rows

Reads the affected SKUs in batches (GetStockItemIdsBySKU, then GetStockItemsFullByIds with only the
data requirements the desired items need), diffs field by field and writes only what changed,
batched per method to Linnworks' limits. A second run with the same input makes no write call.
Which images the writer put on an item is in its image ledger (`image_ledger`), kept outside
Linnworks: nothing but what the profile asks for is written to the items.
A refused call refuses its SKUs (with method, message and what was sent) and never stops the run;
throttling is waited out by the client and never reported as a data error.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from linnworks.api import ids
from linnworks.api.batching import chunked
from linnworks.api.client import LinnworksClient
from linnworks.api.endpoints import FULL_BY_IDS_BATCH
from linnworks.api.models import StockItemFull
from linnworks.common.lanes import DATA_ERRORS, run_lanes
from linnworks.common.lookup import lookup_ids
from linnworks.common.report import DiffRow, Refusal, Tally
from linnworks.items.checks import CategoryResolver, refuse_missing_required, required_extra
from linnworks.items.desired import DesiredItem, WriteOptions
from linnworks.items.image_ledger import ImageLedger, MemoryImageLedger
from linnworks.items.plan import ItemPlan, plan_item, requirements
from linnworks.items.report import ItemResult, Status, WriteReport
from linnworks.items.writes import PlanWriter

log = logging.getLogger(__name__)

FULL_READ = "Stock/GetStockItemsFullByIds"
DUPLICATE_SKU = "SKU appears more than once in this load (letter case aside); only its first record was used"


class LinnworksWriter:
    """Desired item state -> Linnworks writes, over one `LinnworksClient` (thread-safe, shared quotas)."""

    def __init__(self, client: LinnworksClient, options: WriteOptions | None = None,
                 image_ledger: ImageLedger | None = None):
        self.client = client
        self.options = options or WriteOptions()
        # in memory unless given: the writer's own runs only (pimflow passes the profile's, in staging)
        self.image_ledger = image_ledger if image_ledger is not None else MemoryImageLedger()
        # Lanes of different methods wait on different quotas; twice the client's concurrency keeps
        # them busy. Images (fetch, upload, attach: the slowest part of a sync) get their own pool,
        # twice that again, so their quota is used up whatever the latency; the HTTP pool holds both.
        self.workers = 2 * client.settings.concurrency
        self.image_workers = 4 * client.settings.concurrency

    def write(self, items: Iterable[DesiredItem]) -> WriteReport:
        items = list(items)
        unique: dict[str, DesiredItem] = {}
        folded: set[str] = set()  # Linnworks matches SKUs ignoring letter case
        for item in items:
            if item.sku.casefold() not in folded:
                folded.add(item.sku.casefold())
                unique[item.sku] = item
        tally = Tally()
        # Required SKUs are looked up in the same batches as the items' own.
        found, unchecked = lookup_ids(self.client, list(unique) + required_extra(unique), tally, self.workers)
        refuse_missing_required(unique, found, unchecked, self.options.create_products, tally)
        categories = CategoryResolver(self.client, tally, self.options.dry_run)
        category_ids = categories.resolve(unique)
        ledger = self.image_ledger.entries(found[sku] for sku, item in unique.items()
                                           if sku in found and item.images is not None)
        current = self._read(found, unique, ledger, tally)

        plans: dict[str, ItemPlan] = {}
        skipped: set[str] = set()
        for sku, desired in unique.items():
            if sku in tally.refusals:
                continue
            if sku in found:
                full = current.get(found[sku].lower())
                if full is None:  # deleted or archived between the lookup and the read
                    tally.refuse([sku], FULL_READ, "item not returned by GetStockItemsFullByIds")
                    continue
                plans[sku] = plan_item(desired, full, full.stock_item_id, self.options, category_ids,
                                       ledger.get(full.stock_item_id.lower()))
            elif self.options.create_products:
                plans[sku] = plan_item(desired, None, ids.stock_item_id(sku), self.options, category_ids)
            else:
                skipped.add(sku)

        if not self.options.dry_run:
            written = PlanWriter(self.client, self.options, tally, self.workers, category_ids, self.image_workers,
                                 self.image_ledger).run(list(plans.values()), unique)
            plans.update((plan.sku, plan) for plan in written)
        report = self._report(items, plans, skipped, tally)
        report.categories_created = categories.created
        return report

    # -- reading ------------------------------------------------------------------------------------
    def _read(self, found: dict[str, str], unique: dict[str, DesiredItem], ledger: dict, tally: Tally
              ) -> dict[str, StockItemFull]:
        """Lower-cased StockItemId -> full state, with each batch's data requirements only (the
        extended properties too where an item with images has no ledger yet: an earlier version's
        ledger property may be there)."""
        current: dict[str, StockItemFull] = {}
        lock = threading.Lock()
        skus = [sku for sku in unique if sku in found and sku not in tally.refusals]

        def read(batch: list[str]) -> None:
            tally.called(FULL_READ)
            try:
                unledgered = any(unique[sku].images is not None and found[sku].lower() not in ledger for sku in batch)
                items = self.client.get_items_full([found[sku] for sku in batch],
                                                   requirements([unique[sku] for sku in batch], unledgered))
            except DATA_ERRORS as exc:
                tally.refuse_error(batch, FULL_READ, exc)
                return
            with lock:
                current.update((item.stock_item_id.lower(), item) for item in items)

        run_lanes({FULL_READ: [lambda batch=batch: read(batch) for batch in chunked(skus, FULL_BY_IDS_BATCH)]},
                  self.workers)
        return current

    # -- answering ----------------------------------------------------------------------------------
    def _report(self, items: list[DesiredItem], plans: dict[str, ItemPlan], skipped: set[str],
                tally: Tally) -> WriteReport:
        results, diff, seen = [], [], set()
        for item in items:
            sku = item.sku
            if sku.casefold() in seen:
                results.append(ItemResult(sku, Status.REFUSED, refusals=[Refusal(None, DUPLICATE_SKU)]))
                continue
            seen.add(sku.casefold())
            plan = plans.get(sku)
            if plan is not None:
                diff.extend(plan.diff)
            if sku in skipped:
                diff.append(DiffRow(sku, "item", None, None, "skip"))
            results.append(self._result(sku, plan, sku in skipped, tally))
        report = WriteReport(results, diff, self.options.dry_run, tally.calls, tally.units)
        log.info("Linnworks writer%s: %s; %d change(s); %d call(s)", " (dry run)" if report.dry_run else "",
                 ", ".join(f"{n} {status}" for status, n in report.counts().items() if n), len(diff),
                 sum(report.calls.values()))
        for result in report.refused[:5]:
            log.warning("Linnworks writer: %s refused by %s: %s", result.sku, result.endpoint, result.message)
        return report

    def _result(self, sku: str, plan: ItemPlan | None, skipped: bool, tally: Tally) -> ItemResult:
        stock_item_id = plan.stock_item_id if plan is not None else None
        if plan is not None and plan.is_new and not self.options.dry_run and sku not in tally.written:
            stock_item_id = None  # the bulk add refused it: no such item
        if sku in tally.refusals:
            return ItemResult(sku, Status.REFUSED, stock_item_id, list(tally.refusals[sku]))
        if skipped:
            return ItemResult(sku, Status.SKIPPED)
        if plan.is_new:
            return ItemResult(sku, Status.CREATED, stock_item_id)
        return ItemResult(sku, Status.UPDATED if plan.has_writes() else Status.UNCHANGED, stock_item_id)
