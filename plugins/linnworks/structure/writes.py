"""Carry out structure plans: a lane per method, side by side; one call per group change (Linnworks
has no bulk group methods), composition rows 200 a call across parents, row deletes one parent a call."""
from __future__ import annotations

from collections.abc import Callable

from linnworks.api.client import LinnworksClient
from linnworks.api.endpoints import COMPOSITION_ROWS_BATCH
from linnworks.common.lanes import DATA_ERRORS, Task, batch_tasks, run_lanes
from linnworks.common.report import Tally
from linnworks.structure.plan import (
    ADD_VARIATIONS,
    CREATE_GROUP,
    CREATE_ROWS,
    DELETE_ROWS,
    REMOVE_VARIATIONS,
    RENAME_GROUP,
    UPDATE_ROWS,
    CompositionPlan,
    GroupPlan,
)


class StructureWrites:
    """Writes the plans of one `StructureWriter.write`; outcomes go to `tally` (keyed by parent SKU)."""

    def __init__(self, client: LinnworksClient, tally: Tally, workers: int, split_refused_batches: bool = True):
        self.client = client
        self.tally = tally
        self.workers = workers
        self.split = split_refused_batches

    def run(self, groups: list[GroupPlan], compositions: list[CompositionPlan]) -> None:
        lanes: dict[str, list[Task]] = {
            CREATE_GROUP: self._tasks(CREATE_GROUP, [g for g in groups if g.create], self._create_group),
            RENAME_GROUP: self._tasks(RENAME_GROUP, [g for g in groups if g.rename and not g.create],
                                      lambda g: self.client.rename_variation_group(g.parent_id, g.name)),
            ADD_VARIATIONS: self._tasks(ADD_VARIATIONS, [g for g in groups if g.adds and not g.create],
                                        lambda g: self.client.add_variation_items(g.parent_id, g.adds)),
            REMOVE_VARIATIONS: self._tasks(REMOVE_VARIATIONS, [g for g in groups if g.removes],
                                           lambda g: self.client.remove_variation_items(g.parent_id, g.removes)),
            DELETE_ROWS: self._tasks(DELETE_ROWS, [c for c in compositions if c.deletes],
                                     lambda c: self.client.delete_compositions(c.parent_id, c.deletes)),
        }
        for endpoint, attr, send in ((CREATE_ROWS, "creates", self.client.create_compositions),
                                     (UPDATE_ROWS, "updates", self.client.update_compositions)):
            rows = [(plan.parent_sku, row) for plan in compositions for row in getattr(plan, attr)]
            self.tally.needs(endpoint, len(rows))
            lanes[endpoint] = batch_tasks(endpoint, rows, COMPOSITION_ROWS_BATCH, send, self.tally,
                                          wire=lambda row: row.wire(), split=self.split)
        run_lanes(lanes, self.workers)

    def _create_group(self, plan: GroupPlan) -> None:
        self.client.create_variation_group(plan.name, plan.parent_sku, plan.parent_id, plan.adds)

    def _tasks(self, endpoint: str, plans: list, write: Callable) -> list[Task]:
        """One call per plan; a refusal refuses that parent only."""
        self.tally.needs(endpoint, len(plans))

        def task(plan) -> None:
            self.tally.called(endpoint)
            try:
                write(plan)
            except DATA_ERRORS as exc:
                self.tally.refuse_error([plan.parent_sku], getattr(exc, "method", endpoint), exc,
                                  {plan.parent_sku: _sent(endpoint, plan)})
                return
            self.tally.wrote([plan.parent_sku])

        return [lambda plan=plan: task(plan) for plan in plans]


def _sent(endpoint: str, plan) -> dict:
    """What a refused call carried, for the feedback file."""
    if endpoint == CREATE_GROUP:
        return {"VariationGroupName": plan.name, "ParentStockItemId": plan.parent_id, "VariationItemIds": plan.adds}
    if endpoint == RENAME_GROUP:
        return {"pkVariationItemId": plan.parent_id, "variationName": plan.name}
    if endpoint == ADD_VARIATIONS:
        return {"pkVariationItemId": plan.parent_id, "pkStockItemIds": plan.adds}
    if endpoint == REMOVE_VARIATIONS:
        return {"VariationItemId": plan.parent_id, "StockItemIds": plan.removes}
    return {"stockItemId": plan.parent_id, "inventoryItemCompositionIds": plan.deletes}
