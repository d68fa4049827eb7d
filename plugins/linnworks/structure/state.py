"""Reading the current structure of many parents in few calls.

GetStockItemTypeInfo (200 SKUs a call) says which parents already are variation or composite
parents, so only those are read: a group's name (GetVariationGroupByParentId) and members
(GetVariationItems) one call each, as Linnworks has no bulk read of either; compositions 100 parents
a call (GetInventoryItemsCompositionByIds). The three reads run side by side (separate quotas).
"""
from __future__ import annotations

import threading

from linnworks.api.batching import chunked
from linnworks.api.client import LinnworksClient
from linnworks.api.compositions import CompositionRow
from linnworks.api.endpoints import COMPOSITIONS_BY_IDS_BATCH, TYPE_INFO_BATCH
from linnworks.api.variations import ItemTypeInfo
from linnworks.common.lanes import DATA_ERRORS, Task, run_lanes
from linnworks.common.report import Tally
from linnworks.structure.plan import CurrentGroup

TYPE_INFO = "Stock/GetStockItemTypeInfo"
GROUP_BY_PARENT = "Stock/GetVariationGroupByParentId"
GROUP_ITEMS = "Stock/GetVariationItems"
COMPOSITIONS = "Inventory/GetInventoryItemsCompositionByIds"


class StructureReader:
    """Reads for one `StructureWriter.write`; a refused read refuses its parents in `tally`."""

    def __init__(self, client: LinnworksClient, tally: Tally, workers: int):
        self.client = client
        self.tally = tally
        self.workers = workers
        self._lock = threading.Lock()

    def item_types(self, parent_skus: list[str]) -> dict[str, ItemTypeInfo]:
        types: dict[str, ItemTypeInfo] = {}

        def read(batch: list[str]) -> None:
            self.tally.called(TYPE_INFO)
            try:
                answer = self.client.get_item_types(batch)
            except DATA_ERRORS as exc:
                self.tally.refuse_error(batch, TYPE_INFO, exc)
                return
            with self._lock:
                types.update(answer)

        run_lanes({TYPE_INFO: [lambda b=batch: read(b) for batch in chunked(parent_skus, TYPE_INFO_BATCH)]},
                  self.workers)
        return types

    def current(self, groups: dict[str, str], compositions: dict[str, str]
                ) -> tuple[dict[str, CurrentGroup | None], dict[str, list[CompositionRow]]]:
        """Parent SKU -> id in, parent SKU -> current group (None: no group) / composition rows out."""
        names: dict[str, str | None] = {}
        members: dict[str, dict[str, str]] = {}
        rows: dict[str, list[CompositionRow]] = {}
        lanes: dict[str, list[Task]] = {
            GROUP_BY_PARENT: [lambda s=sku, i=item_id: self._group_name(s, i, names) for sku, item_id in groups.items()],
            GROUP_ITEMS: [lambda s=sku, i=item_id: self._group_items(s, i, members) for sku, item_id in groups.items()],
            COMPOSITIONS: [lambda b=batch: self._compositions(b, compositions, rows)
                           for batch in chunked(list(compositions), COMPOSITIONS_BY_IDS_BATCH)],
        }
        run_lanes(lanes, self.workers)
        current_groups = {sku: CurrentGroup(names[sku], members.get(sku, {})) if names.get(sku) is not None else None
                          for sku in groups if sku in names}
        return current_groups, rows

    def _group_name(self, sku: str, item_id: str, names: dict) -> None:
        self.tally.called(GROUP_BY_PARENT)
        try:
            group = self.client.get_variation_group(item_id)
        except DATA_ERRORS as exc:
            self.tally.refuse_error([sku], GROUP_BY_PARENT, exc)
            return
        with self._lock:  # a parent whose type said "group" but that has none gets one created
            names[sku] = group.variation_group_name or "" if group is not None else None

    def _group_items(self, sku: str, item_id: str, members: dict) -> None:
        self.tally.called(GROUP_ITEMS)
        try:
            items = self.client.get_variation_items(item_id)
        except DATA_ERRORS as exc:
            self.tally.refuse_error([sku], GROUP_ITEMS, exc)
            return
        with self._lock:
            members[sku] = {item.pk_stock_item_id.lower(): item.item_number or item.pk_stock_item_id for item in items}

    def _compositions(self, skus: list[str], ids: dict[str, str], rows: dict) -> None:
        self.tally.called(COMPOSITIONS)
        try:
            answer = self.client.get_compositions([ids[sku] for sku in skus])
        except DATA_ERRORS as exc:
            self.tally.refuse_error(skus, COMPOSITIONS, exc)
            return
        with self._lock:
            for sku in skus:
                rows[sku] = answer.get(ids[sku].lower(), [])
