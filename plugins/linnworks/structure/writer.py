"""`StructureWriter`: make Linnworks' variation groups and compositions match, in the fewest calls.

    groups = [DesiredVariationGroup("TEE", "T-shirt", ("TEE-S", "TEE-M"))]
    kits = [DesiredComposition("KIT-1", {"TEE-S": 2, "MUG": 1})]
    report = StructureWriter(client, StructureOptions()).write(groups, kits)   # one result per parent

The items themselves (parents, variations, components) are written first by `LinnworksWriter`.
This looks every SKU up at once, reads the current groups and compositions of the parents that
have any, and writes only the differences. A group whose parent is missing is refused with the
missing SKUs; one whose variations are missing is written with those that exist (each result says
what became of every member: kept, joined, updated, missing, refused). A kit whose components are
missing is refused with their SKUs, unless `create_missing_components` (bare items are then created
first, with deterministic ids). With `remove_unlisted`, only what the input does not list is taken
out: a member whose SKU it lists stays, even when its lookup found nothing. A second
write with the same input makes no write call. A group's id is its parent's StockItemId, so a
resent create can never make a second group.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping

from linnworks.api import ids
from linnworks.api.batching import chunked
from linnworks.api.client import LinnworksClient
from linnworks.api.endpoints import ADD_ITEMS_BATCH
from linnworks.api.models import NewStockItem
from linnworks.common.lanes import DATA_ERRORS, run_lanes
from linnworks.common.lookup import lookup_ids
from linnworks.common.report import DiffRow, Refusal, Tally
from linnworks.structure.desired import DesiredComposition, DesiredVariationGroup, StructureOptions
from linnworks.structure.plan import (ADD_ITEMS, ADD_VARIATIONS, CREATE_GROUP, CREATE_ROWS, UPDATE_ROWS,
                                      CompositionPlan, GroupPlan, plan_composition, plan_group)
from linnworks.structure.report import Membership, StructureKind, StructureReport, StructureResult, StructureStatus
from linnworks.structure.state import StructureReader
from linnworks.structure.writes import StructureWrites

log = logging.getLogger(__name__)

DUPLICATE_PARENT = "parent SKU appears more than once in this write (letter case aside); only its first structure was used"


class StructureWriter:
    """Desired groups and compositions -> Linnworks writes, over one `LinnworksClient`."""

    def __init__(self, client: LinnworksClient, options: StructureOptions | None = None):
        self.client = client
        self.options = options or StructureOptions()
        self.workers = 2 * client.settings.concurrency

    def write(self, groups: Iterable[DesiredVariationGroup] = (),
              compositions: Iterable[DesiredComposition] = (),
              known_ids: Mapping[str, str] | None = None,
              would_create: Iterable[str] = ()) -> StructureReport:
        """`known_ids` (SKU → StockItemId, e.g. from the item writer's results) spares their lookups.
        `would_create`: on a dry run, SKUs the item writes of the same dry run would create; when
        Linnworks lacks them they count as there, with the id a real run gives them, so the dry run
        plans what a real run would write."""
        entries = [(StructureKind.VARIATION_GROUP, g) for g in groups]
        entries += [(StructureKind.COMPOSITION, c) for c in compositions]
        tally = Tally()
        unique: dict[str, tuple[StructureKind, object]] = {}
        folded: set[str] = set()
        for kind, desired in entries:
            if desired.parent_sku.casefold() not in folded:
                folded.add(desired.parent_sku.casefold())
                unique[desired.parent_sku] = (kind, desired)

        skus = list(dict.fromkeys(sku for _, desired in unique.values() for sku in _skus(desired)))
        known = {sku: known_ids[sku] for sku in skus if known_ids and known_ids.get(sku)}
        found, unchecked = lookup_ids(self.client, [sku for sku in skus if sku not in known], tally, self.workers)
        found.update(known)
        if self.options.dry_run:
            found.update((sku, ids.stock_item_id(sku)) for sku in would_create
                         if sku in skus and sku not in found and sku not in unchecked)
        missing: dict[str, list[str]] = {}  # group parent SKU -> its variations Linnworks lacks
        created, skipped = self._settle_missing(unique, found, unchecked, tally, missing)

        parents = {sku: found[sku] for sku in unique if sku not in tally.refusals and sku in found}
        reader = StructureReader(self.client, tally, self.workers)
        types = reader.item_types(list(parents))
        to_read_groups = {sku: parents[sku] for sku, (kind, _) in unique.items()
                          if kind is StructureKind.VARIATION_GROUP and sku in types and types[sku].is_variation_group
                          and sku not in tally.refusals}
        to_read_kits = {sku: parents[sku] for sku, (kind, _) in unique.items()
                        if kind is StructureKind.COMPOSITION and sku in types and types[sku].is_composite_parent
                        and sku not in tally.refusals}
        current_groups, current_rows = reader.current(to_read_groups, to_read_kits)

        plans: dict[str, GroupPlan | CompositionPlan] = {}
        for sku, (kind, desired) in unique.items():
            if sku in tally.refusals or sku in skipped or sku not in parents:
                continue
            if kind is StructureKind.VARIATION_GROUP:  # written with the variations that exist
                plans[sku] = plan_group(sku, parents[sku], desired.name,
                                        {v: found[v] for v in desired.variation_skus if v in found},
                                        current_groups.get(sku), self.options.remove_unlisted,
                                        keep=missing.get(sku, ()))
            else:
                plans[sku] = plan_composition(sku, parents[sku],
                                              {c: (found[c], q) for c, q in desired.components.items()},
                                              current_rows.get(sku, []), self.options.remove_unlisted)
        if not self.options.dry_run:
            todo = [plan for plan in plans.values() if plan.has_writes()]
            StructureWrites(self.client, tally, self.workers, self.options.split_refused_batches).run(
                [p for p in todo if isinstance(p, GroupPlan)], [p for p in todo if isinstance(p, CompositionPlan)])
        return self._report(entries, unique, plans, created, skipped, found, tally, missing)

    # -- missing SKUs -------------------------------------------------------------------------------
    def _settle_missing(self, unique: dict, found: dict[str, str], unchecked: set[str], tally: Tally,
                        missing_variations: dict[str, list[str]]) -> tuple[dict[str, tuple[str, ...]], set[str]]:
        """Refuse what misses SKUs, or create missing components; returns the components created per
        kit (parent SKU -> SKUs; in a dry run: to be created) and the parents with nothing to do. A
        group misses only its parent: variations Linnworks lacks are left out of it (listed in
        `missing_variations`), the others are written."""
        to_create: dict[str, list[str]] = {}  # component SKU -> kits that need it
        skipped: set[str] = set()
        for sku, (kind, desired) in unique.items():
            if sku in tally.refusals:
                continue
            unknown = [s for s in _skus(desired) if s in unchecked]
            if unknown:
                tally.refuse([sku], "Inventory/GetStockItemIdsBySKU", f"could not look up {', '.join(unknown)}")
                continue
            missing_parent = sku not in found
            if kind is StructureKind.COMPOSITION and missing_parent and not desired.components:
                skipped.add(sku)
                continue
            if kind is StructureKind.VARIATION_GROUP:
                missing = [v for v in desired.variation_skus if v not in found]
                if missing_parent:
                    tally.refuse([sku], None, f"missing in Linnworks: {', '.join([f'{sku} (parent)', *missing])}")
                elif missing:
                    missing_variations[sku] = missing
                continue
            missing = [c for c in desired.components if c not in found]
            if missing_parent:
                tally.refuse([sku], None, f"missing in Linnworks: {sku} (parent)" +
                             (f"; missing components: {', '.join(missing)}" if missing else ""))
            elif missing and not self.options.create_missing_components:
                tally.refuse([sku], None, f"missing components: {', '.join(missing)}", {sku: missing})
            else:
                for component in missing:
                    to_create.setdefault(component, []).append(sku)
        created_for: dict[str, list[str]] = {}
        for component, kits in self._create_components(to_create, found, tally).items():
            for kit in kits:
                created_for.setdefault(kit, []).append(component)
        return {kit: tuple(skus) for kit, skus in created_for.items()}, skipped

    def _create_components(self, to_create: dict[str, list[str]], found: dict[str, str], tally: Tally
                           ) -> dict[str, list[str]]:
        """Bare items (title = SKU) for missing components, 200 a call; component -> kits, as created."""
        if not to_create:
            return {}
        tally.needs(ADD_ITEMS, len(to_create))
        if self.options.dry_run:
            found.update((sku, ids.stock_item_id(sku)) for sku in to_create)
            return to_create
        created: dict[str, list[str]] = {}
        lock = threading.Lock()

        def add(batch: list[str]) -> None:
            tally.called(ADD_ITEMS)
            items = [NewStockItem(item_number=sku, item_title=sku, stock_item_id=ids.stock_item_id(sku)) for sku in batch]
            try:
                result = self.client.add_items(items)
            except DATA_ERRORS as exc:
                for sku in batch:
                    tally.refuse_error(to_create[sku], ADD_ITEMS, exc, prefix=f"component {sku}: ")
                return
            for failure in result.failed:
                tally.refuse(to_create[failure.sku], ADD_ITEMS, f"component {failure.sku}: {failure.message}")
            with lock:
                for sku, stock_item_id in result.added.items():
                    found[sku] = stock_item_id
                    created[sku] = to_create[sku]

        run_lanes({ADD_ITEMS: [lambda b=batch: add(b) for batch in chunked(list(to_create), ADD_ITEMS_BATCH)]},
                  self.workers)
        return created

    # -- answering ----------------------------------------------------------------------------------
    def _report(self, entries, unique, plans, created, skipped, found, tally: Tally,
                missing: dict[str, list[str]]) -> StructureReport:
        results, seen = [], set()
        for kind, desired in entries:
            sku = desired.parent_sku
            if sku.casefold() in seen or unique.get(sku, (None, None))[1] is not desired:
                results.append(StructureResult(sku, kind, StructureStatus.REFUSED,
                                               refusals=[Refusal(None, DUPLICATE_PARENT)]))
                continue
            seen.add(sku.casefold())
            plan = plans.get(sku)
            made = created.get(sku, ())
            diff = [DiffRow(sku, f"component_item[{c}]", None, c, "create", ADD_ITEMS) for c in made]
            diff += plan.diff if plan is not None else []
            if sku in tally.refusals:
                status = StructureStatus.REFUSED
            elif sku in skipped:
                status = StructureStatus.SKIPPED
            else:
                status = StructureStatus.WRITTEN if made or (plan is not None and plan.has_writes()) \
                    else StructureStatus.UNCHANGED
            refusals = list(tally.refusals.get(sku, []))
            members = _members(plan, refusals) if plan is not None else {}
            members.update(dict.fromkeys(missing.get(sku, ()), Membership.MISSING))
            results.append(StructureResult(sku, kind, status, found.get(sku), refusals, made, diff, members))
        report = StructureReport(results, self.options.dry_run, tally.calls, tally.units)
        log.info("Linnworks structure writer%s: %s; %d call(s)", " (dry run)" if report.dry_run else "",
                 ", ".join(f"{n} {status}" for status, n in report.counts().items() if n), sum(report.calls.values()))
        for result in report.refused[:5]:
            log.warning("Linnworks structure writer: %s refused by %s: %s", result.parent_sku, result.endpoint,
                        result.message)
        return report


def _members(plan: GroupPlan | CompositionPlan, refusals) -> dict[str, Membership]:
    """The plan's members, those whose joining write was refused marked so."""
    refused = {refusal.endpoint for refusal in refusals}
    if isinstance(plan, GroupPlan):
        joins = {Membership.JOINED: CREATE_GROUP if plan.create else ADD_VARIATIONS}
    else:
        joins = {Membership.JOINED: CREATE_ROWS, Membership.UPDATED: UPDATE_ROWS}
    return {sku: Membership.REFUSED if joins.get(fate) in refused else fate for sku, fate in plan.members.items()}


def _skus(desired) -> list[str]:
    """Every SKU a structure names, the parent first."""
    if isinstance(desired, DesiredVariationGroup):
        return [desired.parent_sku, *desired.variation_skus]
    return [desired.parent_sku, *desired.components]
