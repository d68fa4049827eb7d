"""Compositions (kits): Inventory/*InventoryItemComposition(s)*.

Rows are StockItemComposition: `StockItemId` is the composite parent, `LinkedStockItemId` the
component, `Quantity` how many. A row has no id of its own: it is keyed by (parent, component), and
DeleteInventoryItemCompositions takes the components' ids as `inventoryItemCompositionIds`.
Every SKU, the parent included, must exist first (Linnworks' composition import says so).
GetInventoryItemsCompositionByIds takes at most 100 ids (reference §7c).
"""
from __future__ import annotations

from .errors import bad_request, primary_key_violation
from .params import fields_list, optional_guid, to_guid, to_int
from .registry import NO_CONTENT, READ, Call, api
from .store import ItemRecord, Store

BY_IDS_LIMIT = 100


def composition_row(store: Store, parent: ItemRecord, linked_id: str, quantity: int) -> dict:
    linked = store.items[linked_id].fields
    return {"LinkedStockItemId": linked_id, "ItemTitle": linked["ItemTitle"], "SKU": linked["ItemNumber"],
            "Quantity": quantity, "PurchasePrice": linked["PurchasePrice"],
            "InventoryTrackingType": linked["InventoryTrackingType"], "DimHeight": linked["Height"],
            "DimWidth": linked["Width"], "DimDepth": linked["Depth"], "Weight": linked["Weight"],
            "PackageGroupId": linked["PackageGroupId"], "TaxRate": linked["TaxRate"],
            "StockItemId": parent.id, "StockItemIntId": parent.int_id}


def composition_rows(store: Store, parent: ItemRecord, full_detail: bool = False) -> list[dict]:
    """The parent's rows; `full_detail` resolves inner composites down to real items."""
    rows = []
    for linked_id, quantity in store.compositions.get(parent.id, {}).items():
        inner = store.compositions.get(linked_id)
        if full_detail and inner:
            for row in composition_rows(store, store.items[linked_id], True):
                rows.append({**row, "Quantity": row["Quantity"] * quantity, "StockItemId": parent.id,
                             "StockItemIntId": parent.int_id})
        else:
            rows.append(composition_row(store, parent, linked_id, quantity))
    return rows


def _contains(store: Store, composite_id: str, item_id: str) -> bool:
    """True when `item_id` is `composite_id` or sits somewhere inside it."""
    if composite_id == item_id:
        return True
    return any(_contains(store, inner, item_id) for inner in store.compositions.get(composite_id, {}))


def _rows(call: Call) -> list[tuple[ItemRecord, str, int]]:
    """(parent, component id, quantity) for each row sent; a bad row refuses the whole call."""
    rows = fields_list(call.params.list("inventoryItemCompositions"), "inventoryItemCompositions")
    store, out = call.store, []
    for row in rows:
        parent = store.by_id(optional_guid(row.get("StockItemId"), "StockItemId"))
        linked = store.by_id(optional_guid(row.get("LinkedStockItemId"), "LinkedStockItemId"))
        if parent is None:
            raise bad_request(f"Stock item '{row.get('StockItemId')}' not found")
        if linked is None:
            raise bad_request(f"Linked stock item '{row.get('LinkedStockItemId')}' not found")
        quantity = to_int(row.get("Quantity") if row.get("Quantity") is not None else 0, "Quantity")
        if quantity < 1:
            raise bad_request(f"Quantity of '{linked.sku}' in '{parent.sku}' must be greater than 0")
        if _contains(store, linked.id, parent.id):
            raise bad_request(f"'{linked.sku}' can not be a component of '{parent.sku}': it contains it")
        out.append((parent, linked.id, quantity))
    return out


@api("Inventory/CreateInventoryItemCompositions", 150)
async def create_inventory_item_compositions(call: Call):
    store, staged = call.store, set()
    rows = _rows(call)
    for parent, linked_id, _ in rows:
        key = (parent.id, linked_id)
        if linked_id in store.compositions.get(parent.id, {}) or key in staged:
            raise primary_key_violation("StockItem_Composition", f"{parent.id}, {linked_id}")
        staged.add(key)
    for parent, linked_id, quantity in rows:
        store.compositions.setdefault(parent.id, {})[linked_id] = quantity
        store.sync_composite_flag(parent)
    return NO_CONTENT


@api("Inventory/UpdateInventoryItemCompositions", 150)
async def update_inventory_item_compositions(call: Call):
    store = call.store
    for parent, linked_id, quantity in _rows(call):
        current = store.compositions.get(parent.id, {})
        if linked_id in current:  # a row that does not exist updates nothing, like the other row updates
            current[linked_id] = quantity
    return NO_CONTENT


@api("Inventory/DeleteInventoryItemCompositions", 150)
async def delete_inventory_item_compositions(call: Call):
    store = call.store
    parent = store.by_id(call.params.guid("stockItemId"))
    ids = call.params.list("inventoryItemCompositionIds")
    if parent is not None:
        current = store.compositions.get(parent.id, {})
        for raw in ids:
            current.pop(to_guid(raw, "inventoryItemCompositionIds"), None)
        if not current:
            store.compositions.pop(parent.id, None)
        store.sync_composite_flag(parent)
    return NO_CONTENT


@api("Inventory/GetInventoryItemCompositions", 250, READ)
async def get_inventory_item_compositions(call: Call):
    parent = call.store.by_id(call.params.guid("inventoryItemId"))
    if parent is None:
        return []
    return composition_rows(call.store, parent, call.params.bool("getFullDetail"))


@api("Inventory/GetInventoryItemsCompositionByIds", 250)
async def get_inventory_items_composition_by_ids(call: Call):
    """{"InventoryItemsCompositionByIds": {parent id: [rows]}}; every known id asked for has a key."""
    request = call.params.obj("request")
    ids = request.get("InventoryItemIds")
    if not isinstance(ids, list) or not ids:
        raise bad_request("request is empty")
    if len(ids) > BY_IDS_LIMIT:
        raise bad_request(f"The maximum items count for this call is {BY_IDS_LIMIT}")
    answer = {}
    for raw in ids:
        parent = call.store.by_id(to_guid(raw, "InventoryItemIds"))
        if parent is not None:
            answer[parent.id] = composition_rows(call.store, parent)
    return {"InventoryItemsCompositionByIds": answer}
