"""Stock levels and full-state reads: batched by id, or paged over the whole catalogue."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from linnworks.api.batching import map_batches
from linnworks.api.endpoints import FULL_BY_IDS_BATCH, FULL_ITEMS_PAGE, STOCK_LEVELS_BATCH
from linnworks.api.errors import LinnworksRequestError
from linnworks.api.models import DataRequirement, ExtendedDataRequirement, StockItemFull, StockLevel, StockLevelUpdate
from linnworks.api.paging import MAX_READS, PagedListing

DEFAULT_LOCATION_ID = "00000000-0000-0000-0000-000000000000"
# GetStockItemsFull answers a page past the end with 400 "No items found with given filter".
_END_OF_PAGES = "no items found"


class StockCalls:
    """Mixed into `LinnworksClient`, which provides `_call` and `_concurrency`."""

    def get_stock_levels(self, stock_item_ids: Iterable[str]) -> dict[str, list[StockLevel]]:
        """StockItemId -> one level per location (GetStockLevel_Batch)."""
        levels: dict[str, list[StockLevel]] = {}
        for batch in map_batches(self._stock_levels_batch, list(dict.fromkeys(stock_item_ids)),
                                 STOCK_LEVELS_BATCH, self._concurrency):
            levels.update(batch)
        return levels

    def _stock_levels_batch(self, stock_item_ids: list[str]) -> dict[str, list[StockLevel]]:
        answer = self._call("Stock/GetStockLevel_Batch", json={"request": {"StockItemIds": stock_item_ids}})
        return {row["pkStockItemId"]: [StockLevel.model_validate(level) for level in row.get("StockItemLevels") or []]
                for row in answer or []}

    def set_stock_levels(self, updates: Iterable[StockLevelUpdate], change_source: str = "pimflow") -> list[StockLevel]:
        """Set ABSOLUTE levels by SKU and location (SetStockLevel; a repeat is harmless)."""
        def send(batch: list[dict[str, Any]]) -> list[StockLevel]:
            answer = self._call("Stock/SetStockLevel", json={"stockLevels": batch, "changeSource": change_source})
            return [StockLevel.model_validate(row) for row in answer or []]

        rows = [update.wire() for update in updates]
        return [level for batch in map_batches(send, rows, STOCK_LEVELS_BATCH, self._concurrency) for level in batch]

    def get_items_full(self, stock_item_ids: Iterable[str],
                       requirements: Iterable[ExtendedDataRequirement | str] = ()) -> list[StockItemFull]:
        """Full state of many items (GetStockItemsFullByIds), with what `requirements` asks to load.
        Only the documented values (`ExtendedDataRequirement`) are sent: another one is a ValueError."""
        wanted = []
        for requirement in requirements:
            try:
                wanted.append(ExtendedDataRequirement(requirement).value)
            except ValueError:
                raise ValueError(f"{requirement!r} is not a data requirement of GetStockItemsFullByIds "
                                 f"(one of {', '.join(ExtendedDataRequirement)})") from None

        def send(batch: list[str]) -> list[StockItemFull]:
            answer = self._call("Stock/GetStockItemsFullByIds",
                                json={"request": {"StockItemIds": batch, "DataRequirements": wanted}})
            rows = (answer or {}).get("StockItemsFullExtended") or []
            return [StockItemFull.model_validate(row) for row in rows]

        ids = list(dict.fromkeys(stock_item_ids))
        return [item for batch in map_batches(send, ids, FULL_BY_IDS_BATCH, self._concurrency) for item in batch]

    def iter_items_full(self, requirements: Iterable[DataRequirement] = (), keyword: str | None = None,
                        load_composite_parents: bool = True, load_variation_parents: bool = True,
                        page_size: int = FULL_ITEMS_PAGE, max_reads: int = MAX_READS) -> PagedListing[StockItemFull]:
        """Every stock item, page by page (GetStockItemsFull), each StockItemId once. Archived items are never listed.

        Pages are 1-based; a read ends on a short page or on Linnworks' 400 end marker. The pages
        have no documented order or key, so items archived or added during the read shift them: the
        read is checked against the listing's size counted just before it (GetStockItems'
        TotalEntries, same filters: one call) and read again when they differ (`linnworks.api.paging`);
        after iterating, the returned listing's `report` says what moved and what could not be read
        (when no read could be trusted, items only earlier reads listed are looked up by SKU to tell the
        archived ones from the live ones the last read missed).
        A keyword search is not counted (GetStockItems' keyword search is not documented to match),
        so it is de-duplicated but not checked.
        `load_*_parents=False` leaves those parents out (it does not just skip loading them).
        """
        if not 1 <= page_size <= FULL_ITEMS_PAGE:
            raise ValueError(f"page_size must be 1..{FULL_ITEMS_PAGE}")
        body: dict[str, Any] = {
            "loadCompositeParents": load_composite_parents, "loadVariationParents": load_variation_parents,
            "entriesPerPage": page_size, "dataRequirements": [DataRequirement(r).value for r in requirements],
        }
        if keyword:
            body.update(keyword=keyword, searchTypes=["SKU", "Title", "Barcode"])

        def fetch_page(number: int) -> list[dict] | None:
            try:
                return self._call("Stock/GetStockItemsFull", json={**body, "pageNumber": number}) or []
            except LinnworksRequestError as exc:
                if exc.status == 400 and _END_OF_PAGES in exc.message.lower():
                    return None
                raise

        def count() -> int:
            return self.count_listed(load_composite_parents, load_variation_parents)

        def still_listed(skus_by_key: dict[str, str]) -> set[str]:
            # GetStockItemIdsBySKU leaves archived and deleted items out, like the listing does.
            found = {stock_id.lower() for stock_id in self.find_stock_item_ids(skus_by_key.values()).values()}
            return {key for key in skus_by_key if key in found}

        return PagedListing(fetch_page, page_size, key=lambda row: str(row.get("StockItemId") or "").lower(),
                            parse=StockItemFull.model_validate, count=None if keyword else count,
                            max_reads=max_reads, what="Linnworks stock listing (GetStockItemsFull)",
                            name=lambda row: row.get("ItemNumber"), still_listed=still_listed)

    def count_listed(self, load_composite_parents: bool = True, load_variation_parents: bool = True) -> int:
        """How many items GetStockItemsFull lists with these filters now (GetStockItems' TotalEntries, 1 row)."""
        answer = self._call("Stock/GetStockItems", params={
            "entriesPerPage": 1, "pageNumber": 1,
            "excludeComposites": str(not load_composite_parents).lower(),
            "excludeVariations": str(not load_variation_parents).lower()})
        return int((answer or {}).get("TotalEntries") or 0)
