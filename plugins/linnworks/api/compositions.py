"""Compositions (kits): which items, and how many of each, make up a composite parent.

A row (StockItemComposition) has no id of its own: it is the pair (parent `StockItemId`, component
`LinkedStockItemId`) with a `Quantity`. Creating a row that exists is a primary-key violation, so
after a lost answer the client reads the parents' rows back and resends only the pairs not there
(`Retry.VERIFY`); delete takes the components' ids, one parent a call.
GetInventoryItemsCompositionByIds reads at most 100 parents a call.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import Field

from httpkit.verify import Landed, NotLanded
from linnworks.api.batching import map_batches
from linnworks.api.endpoints import COMPOSITION_ROWS_BATCH, COMPOSITIONS_BY_IDS_BATCH
from linnworks.api.models import Wire


class CompositionRow(Wire):
    stock_item_id: str = Field(alias="StockItemId")  # the composite parent
    linked_stock_item_id: str = Field(alias="LinkedStockItemId")  # the component
    quantity: int = Field(alias="Quantity", gt=0)
    sku: str | None = Field(None, alias="SKU")  # the component's SKU (in answers)
    item_title: str | None = Field(None, alias="ItemTitle")


class CompositionCalls:
    """Mixed into `LinnworksClient`, which provides `_call`, `_call_verified` and `_concurrency`."""

    def get_compositions(self, parent_ids: Iterable[str]) -> dict[str, list[CompositionRow]]:
        """Lower-cased parent StockItemId -> its rows, for every parent Linnworks knows."""
        def send(batch: list[str]) -> Mapping[str, list]:
            answer = self._call("Inventory/GetInventoryItemsCompositionByIds",
                                json={"request": {"InventoryItemIds": batch}})
            return (answer or {}).get("InventoryItemsCompositionByIds") or {}

        out: dict[str, list[CompositionRow]] = {}
        wanted = list(dict.fromkeys(parent_ids))
        for batch in map_batches(send, wanted, COMPOSITIONS_BY_IDS_BATCH, self._concurrency):
            for parent_id, rows in batch.items():
                out[parent_id.lower()] = [CompositionRow.model_validate({"StockItemId": parent_id, **row})
                                          for row in rows or []]
        return out

    def get_composition(self, parent_id: str, full_detail: bool = False) -> list[CompositionRow]:
        """One parent's rows; `full_detail` resolves inner kits down to real items."""
        answer = self._call("Inventory/GetInventoryItemCompositions",
                            params={"inventoryItemId": parent_id, "getFullDetail": str(full_detail).lower()})
        return [CompositionRow.model_validate({"StockItemId": parent_id, **row}) for row in answer or []]

    def create_compositions(self, rows: Iterable[CompositionRow]) -> None:
        """New rows, across parents, 200 a call (a batch lands whole or not at all)."""
        self._write_compositions("Create", rows)

    def update_compositions(self, rows: Iterable[CompositionRow]) -> None:
        """New quantities of existing rows (a row that does not exist is left as it is)."""
        self._write_compositions("Update", rows)

    def delete_compositions(self, parent_id: str, component_ids: Iterable[str]) -> None:
        component_ids = list(component_ids)
        if component_ids:
            self._call("Inventory/DeleteInventoryItemCompositions",
                       json={"stockItemId": parent_id, "inventoryItemCompositionIds": component_ids})

    def _write_compositions(self, verb: str, rows: Iterable[CompositionRow]) -> None:
        wire = [{"StockItemId": row.stock_item_id, "LinkedStockItemId": row.linked_stock_item_id,
                 "Quantity": row.quantity} for row in rows]
        path = f"Inventory/{verb}InventoryItemCompositions"

        def send(batch: list[dict]) -> None:
            self._call(path, json={"inventoryItemCompositions": batch})

        def verify(batch: list[dict]) -> Landed[None] | NotLanded[list[dict]]:
            rows = self.get_compositions({row["StockItemId"] for row in batch})
            landed = {(parent, row.linked_stock_item_id.lower()) for parent, parent_rows in rows.items()
                      for row in parent_rows}
            rest = [row for row in batch
                    if (row["StockItemId"].lower(), row["LinkedStockItemId"].lower()) not in landed]
            return NotLanded(rest) if rest else Landed(None)

        if verb == "Create":
            write = lambda batch: self._call_verified(path, batch, send, verify)  # noqa: E731
        else:
            write = send
        map_batches(write, wire, COMPOSITION_ROWS_BATCH, self._concurrency)
