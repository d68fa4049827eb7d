"""Variation groups (Stock/*Variation*) and Stock/GetStockItemTypeInfo.

Shapes from the generated client (`linnworks_api.generated.stock`) and the official .NET SDK
(`LinnworksNetSDK` Controllers/Stock.cs, ClassBase/Variation*.cs). A group's id (pkVariationItemId)
is its parent item's StockItemId ("Variation parent ID" in the SDK). The messages of refusals are
guesses: Linnworks does not document them.
"""
from __future__ import annotations

from .errors import bad_request, invalid
from .params import ZERO_GUID, optional_guid, to_guid
from .registry import NO_CONTENT, READ, Call, api
from .store import ItemRecord, Store, VariationGroup, new_guid

SEARCH_TYPES = ["VariationName", "ParentSKU", "ItemSKU"]  # VariationSearchType, in enum order


def group_row(store: Store, group: VariationGroup) -> dict:
    """VariationGroup: VariationSKU is the parent's SKU."""
    return {"VariationSKU": store.items[group.id].sku, "pkVariationItemId": group.id,
            "VariationGroupName": group.name}


def variation_item_row(store: Store, group: VariationGroup, item_id: str) -> dict:
    record = store.items[item_id]
    return {"pkRowId": group.members[item_id], "pkStockItemId": item_id, "ItemNumber": record.sku,
            "ItemTitle": record.fields["ItemTitle"]}


def _group(store: Store, group_id) -> VariationGroup:
    group = store.groups.get(optional_guid(group_id, "pkVariationItemId") or ZERO_GUID)
    if group is None:
        raise bad_request("Variation group not found")
    return group


def _children(store: Store, parent_id: str, ids) -> list[ItemRecord]:
    """Live items that may join a group; the whole call is refused when one may not."""
    if not isinstance(ids, list):
        raise invalid("pkStockItemIds", "The value must be a JSON array of GUIDs.")
    children, unknown, seen = [], [], set()
    for raw in ids:
        record = store.by_id(to_guid(raw, "pkStockItemIds"))
        if record is None or record.status != "live":
            unknown.append(str(raw))
        elif record.id == parent_id or record.id in store.groups:
            raise bad_request(f"Item '{record.sku}' is a variation parent and can not be a variation item")
        elif record.id not in seen:
            seen.add(record.id)
            children.append(record)
    if unknown:
        raise bad_request(f"Stock items not found: {', '.join(unknown)}")
    return children


def _parent(call: Call, template) -> ItemRecord:
    """The parent named by ParentStockItemId and/or ParentSKU; a new parent item when neither exists."""
    store = call.store
    parent_id = optional_guid(template.get("ParentStockItemId"), "ParentStockItemId")
    parent_id = None if parent_id == ZERO_GUID else parent_id
    sku = (template.get("ParentSKU") or "").strip() or None
    record = store.by_id(parent_id) if parent_id else store.live_by_sku(sku)
    if record is None:
        if not sku:
            raise bad_request("ParentSKU could not be empty")
        if store.any_by_sku(sku) is not None or sku in store.deleted_skus:
            raise bad_request(f"Item with SKU '{sku}' already exists.")
        # The parent is a "fictional" item made by the group (Linnworks docs, Variations).
        return store.add_item(parent_id or new_guid(), {
            "ItemNumber": sku, "ItemTitle": template.get("VariationGroupName"), "IsVariationParent": True})
    if record.status != "live":
        raise bad_request(f"Item '{record.sku}' is archived")
    if sku and sku != record.sku:
        raise bad_request(f"ParentSKU '{sku}' does not match the item of ParentStockItemId ('{record.sku}')")
    return record


@api("Stock/CreateVariationGroup", 150)
async def create_variation_group(call: Call):
    template = call.params.obj("template")
    name = (template.get("VariationGroupName") or "").strip()
    if not name:
        raise bad_request("VariationGroupName could not be empty")
    store = call.store
    parent_id = optional_guid(template.get("ParentStockItemId"), "ParentStockItemId")
    existing = store.by_id(parent_id) if parent_id not in (None, ZERO_GUID) else store.live_by_sku(
        template.get("ParentSKU"))
    if existing is not None and existing.id in store.groups:
        raise bad_request(f"Item '{existing.sku}' is already a variation parent")
    children = _children(store, existing.id if existing else "", template.get("VariationItemIds") or [])
    parent = _parent(call, template)  # checked everything first: a refused call creates nothing
    group = store.groups[parent.id] = VariationGroup(parent.id, name)
    group.members.update((child.id, new_guid()) for child in children)
    parent.fields.update(IsVariationParent=True, VariationGroupName=name)
    return group_row(store, group)


@api("Stock/AddVariationItems", 250)
async def add_variation_items(call: Call):
    store = call.store
    group = _group(store, call.params.guid("pkVariationItemId"))
    children = _children(store, group.id, call.params.list("pkStockItemIds"))
    for child in children:  # already a member: kept as it is, not added twice
        group.members.setdefault(child.id, new_guid())
    return [variation_item_row(store, group, child.id) for child in children]


@api("Stock/GetVariationItems", 250, READ)
async def get_variation_items(call: Call):
    store = call.store
    group = store.groups.get(call.params.guid("pkVariationItemId"))
    if group is None:
        return []
    return [variation_item_row(store, group, item_id) for item_id in group.members
            if store.by_id(item_id) is not None]


@api("Stock/GetVariationGroupByParentId", 150, READ)
async def get_variation_group_by_parent_id(call: Call):
    group = call.store.groups.get(call.params.guid("pkStockItemId"))
    # ASP.NET Web API answers a null result as 200 with the body `null`.
    return group_row(call.store, group) if group else None


@api("Stock/GetVariationGroupByName", 150, READ)
async def get_variation_group_by_name(call: Call):
    name = (call.params.str("variationName") or "").strip().lower()
    group = next((g for g in call.store.groups.values() if g.name.lower() == name), None)
    return group_row(call.store, group) if group else None


@api("Stock/GetVariationGroupSearchTypes", 150, READ)
async def get_variation_group_search_types(call: Call):
    return [{"Description": name, "Value": name, "IsDefault": i == 0} for i, name in enumerate(SEARCH_TYPES)]


def _search_type(value) -> str:
    text = str(value if value is not None else "").strip()
    if text.isdigit() and int(text) < len(SEARCH_TYPES):
        return SEARCH_TYPES[int(text)]
    for name in SEARCH_TYPES:
        if name.lower() == text.lower():
            return name
    raise invalid("searchType", f"The value '{value}' is not valid for VariationSearchType.")


@api("Stock/SearchVariationGroups", 150, READ)
async def search_variation_groups(call: Call):
    """GenericPagedResult<VariationGroup>; the search text matches in part, ignoring letter case."""
    params, store = call.params, call.store
    kind = _search_type(params.str("searchType", "VariationName"))
    text = (params.str("searchText") or "").lower()
    per_page, page = params.int("entriesPerPage", 0) or 0, params.int("pageNumber", 0) or 0
    if per_page < 1 or page < 1:
        raise bad_request("pageNumber and entriesPerPage must be greater than 0")

    def matches(group: VariationGroup) -> bool:
        if kind == "VariationName":
            return text in group.name.lower()
        if kind == "ParentSKU":
            return text in store.items[group.id].sku.lower()
        return any(text in store.items[i].sku.lower() for i in group.members)

    found = [group for group in store.groups.values() if matches(group)]
    chunk = found[(page - 1) * per_page: page * per_page]
    return {"PageNumber": page, "EntriesPerPage": per_page, "TotalEntries": len(found),
            "TotalPages": -(-len(found) // per_page), "Data": [group_row(store, g) for g in chunk]}


@api("Stock/RenameVariationGroup", 150)
async def rename_variation_group(call: Call):
    group = _group(call.store, call.params.guid("pkVariationItemId"))
    name = (call.params.str("variationName") or "").strip()
    if not name:
        raise bad_request("variationName could not be empty")
    group.name = name
    call.store.items[group.id].fields["VariationGroupName"] = name
    return NO_CONTENT


def _delete_groups(store: Store, ids) -> None:
    if not isinstance(ids, list):
        raise invalid("VariationGroupsIdList", "The value must be a JSON array of GUIDs.")
    for raw in ids:
        group = store.groups.pop(to_guid(raw, "VariationGroupsIdList"), None)
        if group is not None:  # the parent item stays, no longer a variation parent (GUESS)
            store.items[group.id].fields.update(IsVariationParent=False, VariationGroupName=None)


@api("Stock/DeleteVariationGroup", 150, READ)  # documented as GET with ?pkVariationGroupId=
async def delete_variation_group(call: Call):
    _delete_groups(call.store, [call.params.guid("pkVariationGroupId")])
    return NO_CONTENT


@api("Stock/DeleteVariationGroups", 150)
async def delete_variation_groups(call: Call):
    request = call.params.obj("request")
    _delete_groups(call.store, request.get("VariationGroupsIdList") or [])
    return NO_CONTENT


def _remove_members(store: Store, group_id, item_ids) -> None:
    group = _group(store, group_id)
    if not isinstance(item_ids, list):
        raise invalid("StockItemIds", "The value must be a JSON array of GUIDs.")
    for raw in item_ids:
        group.members.pop(to_guid(raw, "StockItemIds"), None)


@api("Stock/DeleteVariationItem", 150)
async def delete_variation_item(call: Call):
    _remove_members(call.store, call.params.guid("pkVariationItemId"), [call.params.guid("pkStockItemId")])
    return NO_CONTENT


@api("Stock/DeleteVariationItems", 150)
async def delete_variation_items(call: Call):
    request = call.params.obj("request")
    _remove_members(call.store, request.get("VariationItemId"), request.get("StockItemIds") or [])
    return NO_CONTENT


@api("Stock/CheckVariationParentSKUExists", 150, READ)
async def check_variation_parent_sku_exists(call: Call):
    """VariationParentStatus: Exists (an item that may become a parent), NotExists, AlreadyVariation."""
    record = call.store.live_by_sku(call.params.str("parentSKU"))
    if record is None:
        return "NotExists"
    return "AlreadyVariation" if record.id in call.store.groups else "Exists"


@api("Stock/GetStockItemTypeInfo", 150)
async def get_stock_item_type_info(call: Call):
    """Which SKUs (or int ids) are variation parents, composite parents or archived; unknown ones left out."""
    request = call.params.obj("request")
    store, records = call.store, []
    for sku in request.get("SKUS") or []:
        record = store.any_by_sku(sku) if isinstance(sku, str) else None
        if record is not None:
            records.append(record)
    int_ids = set(request.get("StockItemIntIds") or [])
    if int_ids:
        records += [r for r in store.items.values() if r.int_id in int_ids and r.status != "deleted"]
    answer, seen = [], set()
    for record in records:
        if record.id not in seen:
            seen.add(record.id)
            answer.append({"SKU": record.sku, "StockItemIntId": record.int_id, "StockItemId": record.id,
                           "IsVariationGroup": record.id in store.groups,
                           "IsCompositeParent": bool(store.compositions.get(record.id)),
                           "IsArchived": record.status == "archived",
                           "InventoryTrackingType": record.fields["InventoryTrackingType"]})
    return {"StockItemInfo": answer}
