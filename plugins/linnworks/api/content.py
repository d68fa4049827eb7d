"""Per-channel rows of an item: prices, titles, descriptions, extended properties.

Price, title and description rows are named by the client (`pkRowId`, in the spec's models of their
Create calls); the client fills it with a deterministic id from the row's item and key (`ids`).
Extended properties are not: CreateInventoryItemExtendedProperties takes
StockItemExtendedPropertyUpsertItem (fkStockItemId or SKU, ProperyName, PropertyValue, PropertyType),
which has no pkRowId, so Linnworks names the row. Either way, after a create's answer is lost the
client reads the batch's items back (one GetStockItemsFullByIds call) and resends only the rows not
there yet (`Retry.VERIFY`): channel rows by their pkRowId, extended properties by their item and name.
A row is never created twice, and a create that landed is a success.
Create/Update take arrays and answer nothing per row: a batch lands whole or fails with one message.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from httpkit.verify import Landed, NotLanded
from linnworks.api import ids
from linnworks.api.batching import map_batches
from linnworks.api.endpoints import ROWS_BATCH
from linnworks.api.models import (ExtendedDataRequirement, ExtendedProperty, ItemDescription, ItemPrice,
                                  ItemTitle, StockItemFull, Wire)


@dataclass(frozen=True)
class _RowKind:
    noun: str  # Prices, Titles, Descriptions
    rows_param: str  # the body key of Create/Update
    ids_param: str  # the body key of Delete
    model: type[Wire]
    row_id: Callable[[Any], str]
    requirement: ExtendedDataRequirement  # what GetStockItemsFullByIds must load to list the rows
    listed: Callable[[StockItemFull], list | None]  # the rows in its answer


_PRICES = _RowKind("Prices", "inventoryItemPrices", "inventoryItemPriceIds", ItemPrice,
                   lambda r: ids.price_row_id(r.stock_item_id, r.source, r.sub_source, r.tag or ""),
                   ExtendedDataRequirement.CHANNEL_PRICE, lambda item: item.item_channel_prices)
_TITLES = _RowKind("Titles", "inventoryItemTitles", "inventoryItemTitleIds", ItemTitle,
                   lambda r: ids.title_row_id(r.stock_item_id, r.source, r.sub_source),
                   ExtendedDataRequirement.CHANNEL_TITLE, lambda item: item.item_channel_titles)
_DESCRIPTIONS = _RowKind("Descriptions", "inventoryItemDescriptions", "inventoryItemDescriptionIds",
                         ItemDescription, lambda r: ids.description_row_id(r.stock_item_id, r.source, r.sub_source),
                         ExtendedDataRequirement.CHANNEL_DESCRIPTION, lambda item: item.item_channel_descriptions)


class ContentCalls:
    """Mixed into `LinnworksClient`, which provides `_call`, `_call_verified`, `_concurrency` and
    `get_items_full` (to read rows back)."""

    # -- prices ---------------------------------------------------------------------------------
    def get_prices(self, stock_item_id: str) -> list[ItemPrice]:
        """Channel price rows (the default price is the item's RetailPrice and is not listed)."""
        return self._get_rows(_PRICES, stock_item_id)

    def create_prices(self, rows: Iterable[ItemPrice]) -> None:
        rows = list(rows)
        if any(not row.source and not row.sub_source for row in rows):
            # The default price is an implicit zero-GUID row: creating one collides.
            raise ValueError("the default price (empty Source and SubSource) is the item's RetailPrice: "
                             "use update_item_field(stock_item_id, ItemField.RETAIL_PRICE, price)")
        self._write_rows(_PRICES, "Create", rows)

    def update_prices(self, rows: Iterable[ItemPrice]) -> None:
        """Update by pkRowId. Rows without one are taken to be pimflow's (their deterministic id);
        pass the pkRowId read from Linnworks for rows made elsewhere."""
        self._write_rows(_PRICES, "Update", rows)

    def delete_prices(self, row_ids: Iterable[str]) -> None:
        self._delete_rows(_PRICES, row_ids)

    # -- titles ---------------------------------------------------------------------------------
    def get_titles(self, stock_item_id: str) -> list[ItemTitle]:
        return self._get_rows(_TITLES, stock_item_id)

    def create_titles(self, rows: Iterable[ItemTitle]) -> None:
        self._write_rows(_TITLES, "Create", rows)

    def update_titles(self, rows: Iterable[ItemTitle]) -> None:
        self._write_rows(_TITLES, "Update", rows)

    def delete_titles(self, row_ids: Iterable[str]) -> None:
        self._delete_rows(_TITLES, row_ids)

    # -- descriptions ---------------------------------------------------------------------------
    def get_descriptions(self, stock_item_id: str) -> list[ItemDescription]:
        return self._get_rows(_DESCRIPTIONS, stock_item_id)

    def create_descriptions(self, rows: Iterable[ItemDescription]) -> None:
        self._write_rows(_DESCRIPTIONS, "Create", rows)

    def update_descriptions(self, rows: Iterable[ItemDescription]) -> None:
        self._write_rows(_DESCRIPTIONS, "Update", rows)

    def delete_descriptions(self, row_ids: Iterable[str]) -> None:
        self._delete_rows(_DESCRIPTIONS, row_ids)

    # -- extended properties (their own shapes: POST read, per-item delete, `ProperyName`) -------
    def get_extended_properties(self, stock_item_id: str, name: str | None = None,
                                property_type: str | None = None) -> list[ExtendedProperty]:
        body: dict[str, Any] = {"inventoryItemId": stock_item_id}
        if name or property_type:
            body["propertyParams"] = {key: value for key, value in
                                      (("PropertyName", name), ("PropertyType", property_type)) if value}
        answer = self._call("Inventory/GetInventoryItemExtendedProperties", json=body)
        return [ExtendedProperty.model_validate(row) for row in answer or []]

    def create_extended_properties(self, rows: Iterable[ExtendedProperty]) -> None:
        """Create does not upsert: create new names, update existing ones by pkRowId. Linnworks
        names the new rows (a pkRowId on a row given here is not sent)."""
        prepared = []
        for row in rows:
            if not row.fk_stock_item_id:
                raise ValueError(f"extended property {row.propery_name!r} has no fk_stock_item_id")
            prepared.append(row.model_copy(update={"pk_row_id": None, "item_number": None}).wire())
        path = "Inventory/CreateInventoryItemExtendedProperties"

        def send(batch: list[dict]) -> None:
            self._call(path, json={"inventoryItemExtendedProperties": batch})

        def verify(batch: list[dict]) -> Landed[None] | NotLanded[list[dict]]:
            items = self.get_items_full({row["fkStockItemId"] for row in batch},
                                        [ExtendedDataRequirement.EXTENDED_PROPERTIES])
            there = {(item.stock_item_id.lower(), row.propery_name)
                     for item in items for row in item.item_extended_properties or ()}
            rest = [row for row in batch if (row["fkStockItemId"].lower(), row["ProperyName"]) not in there]
            return NotLanded(rest) if rest else Landed(None)

        map_batches(lambda batch: self._call_verified(path, batch, send, verify),
                    prepared, ROWS_BATCH, self._concurrency)

    def update_extended_properties(self, rows: Iterable[ExtendedProperty]) -> None:
        """Update by pkRowId, as read from Linnworks."""
        prepared = []
        for row in rows:
            if not (row.fk_stock_item_id and row.pk_row_id):
                raise ValueError(f"extended property {row.propery_name!r}: an update needs the pkRowId and "
                                 "fk_stock_item_id Linnworks answered")
            prepared.append(row.wire())
        path = "Inventory/UpdateInventoryItemExtendedProperties"
        map_batches(lambda batch: self._call(path, json={"inventoryItemExtendedProperties": batch}),
                    prepared, ROWS_BATCH, self._concurrency)

    def delete_extended_properties(self, stock_item_id: str, row_ids: Iterable[str]) -> None:
        """One call per item: DeleteInventoryItemExtendedProperties takes one inventoryItemId."""
        row_ids = list(row_ids)
        if row_ids:
            self._call("Inventory/DeleteInventoryItemExtendedProperties", json={
                "inventoryItemId": stock_item_id, "inventoryItemExtendedPropertyIds": row_ids})

    # -- shared ---------------------------------------------------------------------------------
    def _get_rows(self, kind: _RowKind, stock_item_id: str) -> list:
        answer = self._call(f"Inventory/GetInventoryItem{kind.noun}", params={"inventoryItemId": stock_item_id})
        return [kind.model.model_validate(row) for row in answer or []]

    def _write_rows(self, kind: _RowKind, verb: str, rows: Iterable[Wire]) -> None:
        prepared = []
        for row in rows:
            if not row.stock_item_id:
                raise ValueError(f"{kind.noun.lower()[:-1]} row has no stock_item_id")
            prepared.append(row.model_copy(update={"pk_row_id": row.pk_row_id or kind.row_id(row)}).wire())
        path = f"Inventory/{verb}InventoryItem{kind.noun}"
        if verb == "Create":
            self._create_rows(path, kind.rows_param, prepared, "StockItemId", kind.requirement, kind.listed)
            return
        map_batches(lambda batch: self._call(path, json={kind.rows_param: batch}),
                    prepared, ROWS_BATCH, self._concurrency)

    def _create_rows(self, path: str, rows_param: str, prepared: list[dict], item_key: str,
                     requirement: ExtendedDataRequirement, listed: Callable[[StockItemFull], list | None]) -> None:
        """Create rows 200 a call; after a lost answer, read the batch's items back and resend only
        the rows whose pkRowId is not there yet."""
        def send(batch: list[dict]) -> None:
            self._call(path, json={rows_param: batch})

        def verify(batch: list[dict]) -> Landed[None] | NotLanded[list[dict]]:
            items = self.get_items_full({row[item_key] for row in batch}, [requirement])
            landed = {(row.pk_row_id or "").lower() for item in items for row in listed(item) or ()}
            rest = [row for row in batch if row["pkRowId"].lower() not in landed]
            return NotLanded(rest) if rest else Landed(None)

        map_batches(lambda batch: self._call_verified(path, batch, send, verify),
                    prepared, ROWS_BATCH, self._concurrency)

    def _delete_rows(self, kind: _RowKind, row_ids: Iterable[str]) -> None:
        path = f"Inventory/DeleteInventoryItem{kind.noun}"
        map_batches(lambda batch: self._call(path, json={kind.ids_param: batch}),
                    list(row_ids), ROWS_BATCH, self._concurrency)

