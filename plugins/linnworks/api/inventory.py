"""Item-level calls: SKU lookup, bulk add with per-SKU results, item updates, channels, locations."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from httpkit.verify import Landed, NotLanded
from linnworks.api import ids
from linnworks.api.batching import map_batches
from linnworks.api.endpoints import ADD_ITEMS_BATCH, SKU_LOOKUP_BATCH
from linnworks.api.errors import LinnworksRequestError
from linnworks.api.models import (
    BulkAddResult,
    Channel,
    InventoryItem,
    ItemFailure,
    ItemField,
    NewStockItem,
    StockLocation,
)

log = logging.getLogger(__name__)

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
_SUCCESS = {"SUCCESSFUL", "PARTIALLY_SUCCESSFUL"}


class InventoryCalls:
    """Mixed into `LinnworksClient`, which provides `_call`, `_call_verified` and `_concurrency`."""

    def find_stock_item_ids(self, skus: Iterable[str]) -> dict[str, str]:
        """SKU -> StockItemId for the SKUs that exist (unknown and deleted SKUs are left out)."""
        wanted = list(dict.fromkeys(skus))
        found: dict[str, str] = {}
        for batch in map_batches(self._lookup_skus, wanted, SKU_LOOKUP_BATCH, self._concurrency):
            found.update(batch)
        return found

    def _lookup_skus(self, skus: list[str]) -> dict[str, str]:
        answer = self._call("Inventory/GetStockItemIdsBySKU", json={"request": {"SKUS": skus}})
        rows = (answer or {}).get("Items") or []
        by_sku = {row["SKU"]: row["StockItemId"] for row in rows if row.get("SKU") and row.get("StockItemId")}
        # Answer the SKUs as asked, even where Linnworks echoes them in another letter case.
        folded = {sku.casefold(): stock_id for sku, stock_id in by_sku.items()}
        return {sku: by_sku.get(sku) or folded[sku.casefold()]
                for sku in skus if sku in by_sku or sku.casefold() in folded}

    def add_items(self, items: Iterable[NewStockItem]) -> BulkAddResult:
        """Create items with AddInventoryItemBulk: per-SKU results; refused SKUs do not stop the rest.

        StockItemIds default to `ids.stock_item_id(sku)`, so a retry or a re-run never makes a
        second item. SKUs already in Linnworks are reported as failed by Linnworks itself.
        """
        result = BulkAddResult()
        unique: dict[str, NewStockItem] = {}
        for item in items:
            if item.item_number in unique:
                result.failed.append(ItemFailure(sku=item.item_number, message="SKU appears more than once in this load"))
                continue
            unique[item.item_number] = item.model_copy(
                update={"stock_item_id": item.stock_item_id or ids.stock_item_id(item.item_number)})
        for batch_result in map_batches(self._add_batch, list(unique.values()), ADD_ITEMS_BATCH, self._concurrency):
            result.added.update(batch_result.added)
            result.failed.extend(batch_result.failed)
        log.info("Linnworks AddInventoryItemBulk: %d added, %d refused", len(result.added), len(result.failed))
        return result

    def _add_batch(self, batch: list[NewStockItem]) -> BulkAddResult:
        result = BulkAddResult()

        def send(pending: list[NewStockItem]) -> BulkAddResult:
            try:
                answer = self._call("Inventory/AddInventoryItemBulk",
                                    json={"request": {"InventoryItems": [item.wire() for item in pending]}})
            except LinnworksRequestError as exc:  # the whole call refused: every SKU gets the reason
                result.failed.extend(ItemFailure(sku=item.item_number, message=exc.message) for item in pending)
                return result
            self._read_bulk_answer(answer, pending, result)
            return result

        def verify(pending: list[NewStockItem]) -> Landed[BulkAddResult] | NotLanded[list[NewStockItem]]:
            # Resending what landed would answer "already exists" for it: look up what landed.
            still_pending = self._drop_landed(pending, result)
            return NotLanded(still_pending) if still_pending else Landed(result)

        return self._call_verified("Inventory/AddInventoryItemBulk", batch, send, verify)

    def _drop_landed(self, pending: list[NewStockItem], result: BulkAddResult) -> list[NewStockItem]:
        landed = self._lookup_skus([item.item_number for item in pending])
        still_pending = []
        for item in pending:
            found = landed.get(item.item_number)
            if found is None:
                still_pending.append(item)
            elif found.lower() == (item.stock_item_id or "").lower():
                result.added[item.item_number] = found
            else:
                result.failed.append(ItemFailure(sku=item.item_number,
                                                 message=f"SKU already exists in Linnworks as {found}"))
        return still_pending

    def _read_bulk_answer(self, answer: Any, sent: list[NewStockItem], result: BulkAddResult) -> None:
        """BatchedAPIResponse<Guid> {"Results": [{"Result", "ResultStatus", "Message"}]} in request order
        (older accounts answer {"Items": [{"Item", "Result", "Message"}]}; both are read)."""
        answer = answer if isinstance(answer, dict) else {}
        if "Results" in answer:
            rows = [(row.get("Result"), str(row.get("ResultStatus", "")).upper() in _SUCCESS,
                     row.get("Message") or row.get("ResultStatus") or "") for row in answer["Results"] or []]
        else:
            rows = [(row.get("Item"), bool(row.get("Item")) and row.get("Item") != ZERO_GUID
                     and not row.get("Message"), row.get("Message") or "") for row in answer.get("Items") or []]
        if len(rows) != len(sent):
            log.warning("Linnworks AddInventoryItemBulk answered %d results for %d items; checking by SKU",
                        len(rows), len(sent))
            for item in self._drop_landed(sent, result):
                result.failed.append(ItemFailure(sku=item.item_number, message="not created (no result returned)"))
            return
        for item, (stock_id, ok, message) in zip(sent, rows):
            if ok:
                result.added[item.item_number] = stock_id if stock_id and stock_id != ZERO_GUID else item.stock_item_id
            else:
                result.failed.append(ItemFailure(sku=item.item_number, message=message or "refused without a message"))

    def get_item(self, stock_item_id: str) -> InventoryItem:
        return InventoryItem.model_validate(self._call("Inventory/GetInventoryItemById", params={"id": stock_item_id}))

    def update_item(self, stock_item_id: str, **changes: Any) -> InventoryItem:
        """Change item properties that UpdateInventoryItemField cannot (MetaData, TaxRate, ...).

        UpdateInventoryItem is a full replace (omitted fields are cleared), so the item is read,
        merged and written whole. Returns what was written.
        """
        unknown = sorted(set(changes) - set(InventoryItem.model_fields))
        if unknown:
            raise ValueError(f"unknown item fields {unknown}; use InventoryItem's field names")
        current = self.get_item(stock_item_id)
        merged = current.model_copy(update={**changes, "stock_item_id": current.stock_item_id or stock_item_id})
        self._call("Inventory/UpdateInventoryItem", json={"inventoryItem": merged.model_dump(by_alias=True)})
        return merged

    def update_item_field(self, stock_item_id: str, field: ItemField | str, value: Any) -> dict[str, Any]:
        """One field of one item; `field` is a ColumnNameType name (`Title`, not `ItemTitle`)."""
        field = ItemField(field)
        answer = self._call("Inventory/UpdateInventoryItemField", json={
            "inventoryItemId": stock_item_id, "fieldName": field.value,
            "fieldValue": "" if value is None else str(value),  # always a string on the wire
        })
        return answer if isinstance(answer, dict) else {}

    def count_items(self, include_deleted: bool = False, include_archived: bool = False) -> int:
        answer = self._call("Inventory/GetInventoryItemsCount", params={
            "includeDeleted": str(include_deleted).lower(), "includeArchived": str(include_archived).lower()})
        return int(answer or 0)

    def get_channels(self) -> list[Channel]:
        return [Channel.model_validate(row) for row in self._call("Inventory/GetChannels") or []]

    def get_stock_locations(self) -> list[StockLocation]:
        """All locations; the Default location's id is the all-zeros GUID."""
        return [StockLocation.model_validate(row) for row in self._call("Inventory/GetStockLocations") or []]
