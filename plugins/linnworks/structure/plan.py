"""Desired against current structure of one parent: the writes to make, and diff rows (pure, no HTTP).

Items are compared by StockItemId (letter case aside), names exactly. What the desired structure
does not list is removed only with `remove_unlisted`, and never a member whose SKU it lists (`keep`:
a listed SKU whose id is unknown, e.g. not found by SKU, stays where it is).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from linnworks.api.compositions import CompositionRow
from linnworks.common.report import DiffRow
from linnworks.structure.report import Membership

CREATE_GROUP = "Stock/CreateVariationGroup"
RENAME_GROUP = "Stock/RenameVariationGroup"
ADD_VARIATIONS = "Stock/AddVariationItems"
REMOVE_VARIATIONS = "Stock/DeleteVariationItems"
CREATE_ROWS = "Inventory/CreateInventoryItemCompositions"
UPDATE_ROWS = "Inventory/UpdateInventoryItemCompositions"
DELETE_ROWS = "Inventory/DeleteInventoryItemCompositions"
ADD_ITEMS = "Inventory/AddInventoryItemBulk"


@dataclass
class CurrentGroup:
    """A group as read: its name and members (lower-cased StockItemId -> SKU)."""

    name: str | None
    members: dict[str, str] = field(default_factory=dict)


@dataclass
class GroupPlan:
    parent_sku: str
    parent_id: str  # also the group's id
    name: str
    create: bool = False  # CreateVariationGroup with `adds` as its VariationItemIds
    rename: bool = False
    adds: list[str] = field(default_factory=list)  # StockItemIds
    removes: list[str] = field(default_factory=list)
    diff: list[DiffRow] = field(default_factory=list)
    members: dict[str, Membership] = field(default_factory=dict)  # desired variation SKU -> kept or joined

    def has_writes(self) -> bool:
        return self.create or self.rename or bool(self.adds or self.removes)


@dataclass
class CompositionPlan:
    parent_sku: str
    parent_id: str
    creates: list[CompositionRow] = field(default_factory=list)
    updates: list[CompositionRow] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)  # component StockItemIds
    diff: list[DiffRow] = field(default_factory=list)
    members: dict[str, Membership] = field(default_factory=dict)  # desired component SKU -> kept, joined, updated

    def has_writes(self) -> bool:
        return bool(self.creates or self.updates or self.deletes)


def plan_group(parent_sku: str, parent_id: str, name: str, variations: Mapping[str, str],
               current: CurrentGroup | None, remove_unlisted: bool, keep: Iterable[str] = ()) -> GroupPlan:
    """`variations`: desired variation SKU -> StockItemId, in the desired order; `keep`: other SKUs
    the input lists for this group (never removed)."""
    plan = GroupPlan(parent_sku, parent_id, name)
    if current is None:
        plan.create, plan.adds = True, list(variations.values())
        plan.members = dict.fromkeys(variations, Membership.JOINED)
        plan.diff.append(DiffRow(parent_sku, "variation_group", None, name, "create", CREATE_GROUP))
        plan.diff += [DiffRow(parent_sku, f"variation[{sku}]", None, sku, "add", CREATE_GROUP) for sku in variations]
        return plan
    if current.name != name:
        plan.rename = True
        plan.diff.append(DiffRow(parent_sku, "variation_group", current.name, name, "update", RENAME_GROUP))
    wanted = {item_id.lower() for item_id in variations.values()}
    for sku, item_id in variations.items():
        if item_id.lower() in current.members:
            plan.members[sku] = Membership.KEPT
        else:
            plan.members[sku] = Membership.JOINED
            plan.adds.append(item_id)
            plan.diff.append(DiffRow(parent_sku, f"variation[{sku}]", None, sku, "add", ADD_VARIATIONS))
    if remove_unlisted:
        listed = {sku.casefold() for sku in (*variations, *keep)}
        for item_id, sku in current.members.items():
            if item_id not in wanted and sku.casefold() not in listed:
                plan.removes.append(item_id)
                plan.diff.append(DiffRow(parent_sku, f"variation[{sku}]", sku, None, "delete", REMOVE_VARIATIONS))
    return plan


def plan_composition(parent_sku: str, parent_id: str, components: Mapping[str, tuple[str, int]],
                     current: list[CompositionRow], remove_unlisted: bool, keep: Iterable[str] = ()) -> CompositionPlan:
    """`components`: desired component SKU -> (StockItemId, quantity); `keep`: other SKUs the input
    lists for this kit (their rows are never deleted)."""
    plan = CompositionPlan(parent_sku, parent_id)
    rows = {row.linked_stock_item_id.lower(): row for row in current}
    wanted = set()
    for sku, (item_id, quantity) in components.items():
        wanted.add(item_id.lower())
        row = rows.get(item_id.lower())
        label = f"component[{sku}]"
        if row is None:
            plan.members[sku] = Membership.JOINED
            plan.creates.append(CompositionRow(stock_item_id=parent_id, linked_stock_item_id=item_id, quantity=quantity))
            plan.diff.append(DiffRow(parent_sku, label, None, quantity, "create", CREATE_ROWS))
        elif row.quantity != quantity:
            plan.members[sku] = Membership.UPDATED
            plan.updates.append(row.model_copy(update={"stock_item_id": parent_id, "quantity": quantity}))
            plan.diff.append(DiffRow(parent_sku, label, row.quantity, quantity, "update", UPDATE_ROWS))
        else:
            plan.members[sku] = Membership.KEPT
    if remove_unlisted:
        listed = {sku.casefold() for sku in (*components, *keep)}
        for item_id, row in rows.items():
            if item_id not in wanted and (row.sku or "").casefold() not in listed:
                plan.deletes.append(row.linked_stock_item_id)
                plan.diff.append(DiffRow(parent_sku, f"component[{row.sku or item_id}]", row.quantity, None,
                                         "delete", DELETE_ROWS))
    return plan
