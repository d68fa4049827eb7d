"""Variation groups: a parent item and its variation items, under a group name.

A group's id (`pkVariationItemId`) is its parent's StockItemId (the SDK calls it "Variation parent
ID"; GetVariationGroupByParentId looks groups up by it). So creating a group for a parent twice
cannot make two groups: the second create is refused. After a lost answer the client therefore
reads what landed before sending again (`Retry.VERIFY`). Shapes: generated client
`linnworks_api.generated.stock` and the .NET SDK's StockController.
"""
from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from httpkit.verify import Landed, NotLanded
from linnworks.api.batching import chunked, map_batches
from linnworks.api.endpoints import TYPE_INFO_BATCH, VARIATION_GROUPS_BATCH, VARIATION_ITEMS_BATCH
from linnworks.api.models import Wire


class VariationGroup(Wire):
    variation_sku: str | None = Field(None, alias="VariationSKU")  # the parent's SKU
    pk_variation_item_id: str = Field(alias="pkVariationItemId")  # the parent's StockItemId
    variation_group_name: str | None = Field(None, alias="VariationGroupName")


class VariationItem(Wire):
    pk_row_id: str | None = Field(None, alias="pkRowId")
    pk_stock_item_id: str = Field(alias="pkStockItemId")
    item_number: str | None = Field(None, alias="ItemNumber")
    item_title: str | None = Field(None, alias="ItemTitle")


class ItemTypeInfo(Wire):
    """Stock/GetStockItemTypeInfo: what kind of item a SKU is."""

    sku: str = Field(alias="SKU")
    stock_item_id: str | None = Field(None, alias="StockItemId")
    is_variation_group: bool = Field(False, alias="IsVariationGroup")  # the SKU is a group's parent
    is_composite_parent: bool = Field(False, alias="IsCompositeParent")
    is_archived: bool = Field(False, alias="IsArchived")


class VariationCalls:
    """Mixed into `LinnworksClient`, which provides `_call`, `_call_verified` and `_concurrency`."""

    def get_item_types(self, skus: Iterable[str]) -> dict[str, ItemTypeInfo]:
        """SKU (as asked) -> its type; unknown SKUs are left out."""
        wanted = list(dict.fromkeys(skus))
        found: dict[str, ItemTypeInfo] = {}
        for batch in map_batches(self._item_types, wanted, TYPE_INFO_BATCH, self._concurrency):
            found.update(batch)
        return found

    def _item_types(self, skus: list[str]) -> dict[str, ItemTypeInfo]:
        answer = self._call("Stock/GetStockItemTypeInfo", json={"request": {"SKUS": skus}})
        rows = [ItemTypeInfo.model_validate(row) for row in (answer or {}).get("StockItemInfo") or []]
        by_sku = {row.sku.casefold(): row for row in rows}
        return {sku: by_sku[sku.casefold()] for sku in skus if sku.casefold() in by_sku}

    def get_variation_group(self, parent_stock_item_id: str) -> VariationGroup | None:
        """The group whose parent is this item, or None (Linnworks answers `null`)."""
        answer = self._call("Stock/GetVariationGroupByParentId", params={"pkStockItemId": parent_stock_item_id})
        return VariationGroup.model_validate(answer) if isinstance(answer, dict) and answer else None

    def get_variation_group_by_name(self, name: str) -> VariationGroup | None:
        answer = self._call("Stock/GetVariationGroupByName", params={"variationName": name})
        return VariationGroup.model_validate(answer) if isinstance(answer, dict) and answer else None

    def get_variation_items(self, group_id: str) -> list[VariationItem]:
        answer = self._call("Stock/GetVariationItems", params={"pkVariationItemId": group_id})
        return [VariationItem.model_validate(row) for row in answer or []]

    def create_variation_group(self, name: str, parent_sku: str, parent_stock_item_id: str,
                               variation_item_ids: Iterable[str] = ()) -> VariationGroup:
        """A group on an existing parent item, with its first variation items."""
        template = {"VariationGroupName": name, "ParentSKU": parent_sku, "ParentStockItemId": parent_stock_item_id,
                    "VariationItemIds": list(variation_item_ids)}

        def send(template: dict) -> VariationGroup:
            answer = self._call("Stock/CreateVariationGroup", json={"template": template})
            return VariationGroup.model_validate(answer or {"pkVariationItemId": parent_stock_item_id,
                                                            "VariationSKU": parent_sku,
                                                            "VariationGroupName": name})

        def verify(template: dict) -> Landed[VariationGroup] | NotLanded[dict]:
            landed = self.get_variation_group(parent_stock_item_id)
            return NotLanded(template) if landed is None else Landed(landed)

        return self._call_verified("Stock/CreateVariationGroup", template, send, verify)

    def add_variation_items(self, group_id: str, stock_item_ids: Iterable[str]) -> list[VariationItem]:
        """Add items to a group, up to 200 a call; items already in it are not sent again."""
        added: list[VariationItem] = []
        for batch in chunked(list(dict.fromkeys(stock_item_ids)), VARIATION_ITEMS_BATCH):
            added += self._add_variation_batch(group_id, batch)
        return added

    def _add_variation_batch(self, group_id: str, batch: list[str]) -> list[VariationItem]:
        def send(pending: list[str]) -> list[VariationItem]:
            answer = self._call("Stock/AddVariationItems", json={"pkVariationItemId": group_id,
                                                                 "pkStockItemIds": pending})
            return [VariationItem.model_validate(row) for row in answer or []]

        def verify(pending: list[str]) -> Landed[list[VariationItem]] | NotLanded[list[str]]:
            members = {item.pk_stock_item_id.lower(): item for item in self.get_variation_items(group_id)}
            still_pending = [item_id for item_id in pending if item_id.lower() not in members]
            if still_pending:
                return NotLanded(still_pending)
            return Landed([members[item_id.lower()] for item_id in batch if item_id.lower() in members])

        return self._call_verified("Stock/AddVariationItems", batch, send, verify)

    def remove_variation_items(self, group_id: str, stock_item_ids: Iterable[str]) -> None:
        """Take items out of a group (the items themselves stay)."""
        for batch in chunked(list(dict.fromkeys(stock_item_ids)), VARIATION_ITEMS_BATCH):
            self._call("Stock/DeleteVariationItems",
                       json={"request": {"VariationItemId": group_id, "StockItemIds": batch}})

    def rename_variation_group(self, group_id: str, name: str) -> None:
        self._call("Stock/RenameVariationGroup", json={"pkVariationItemId": group_id, "variationName": name})

    def delete_variation_groups(self, group_ids: Iterable[str]) -> None:
        map_batches(lambda batch: self._call("Stock/DeleteVariationGroups",
                                             json={"request": {"VariationGroupsIdList": batch}}),
                    list(dict.fromkeys(group_ids)), VARIATION_GROUPS_BATCH, self._concurrency)
