"""Inventory items: add (one and bulk), full-replace update, field update, reads, archive/delete, lookups."""
from __future__ import annotations

from .errors import ApiError, STOCK_ITEM_ID_EMPTY, bad_request, invalid, primary_key_violation
from .params import (ZERO_GUID, Fields, optional_guid, to_bool, to_float, to_guid, to_int)
from .registry import NO_CONTENT, READ, Call, api
from .store import (BOOL_FIELDS, FLOAT_FIELDS, GUID_FIELDS, INT_FIELDS, ITEM_FIELDS, ItemRecord, Store,
                    new_guid)
from .views import stock_item_inv

BULK_LIMIT = 200
ITEM_NOT_FOUND = "Stock item not found"


def item_fields(item: Fields) -> dict:
    """StockItem fields from a request object; absent ones take their empty value (full replace)."""
    out = {}
    for key, empty in ITEM_FIELDS.items():
        value = item.get(key)
        if value is None:
            out[key] = empty
        elif key in FLOAT_FIELDS:
            out[key] = to_float(value, key)
        elif key in INT_FIELDS:
            out[key] = to_int(value, key)
        elif key in BOOL_FIELDS:
            out[key] = to_bool(value, key)
        elif key in GUID_FIELDS:
            out[key] = to_guid(value, key)
        else:
            out[key] = value if isinstance(value, str) else str(value)
    return out


def duplicate_sku(call: Call, sku: str) -> ApiError:
    return ApiError(call.settings.duplicate_sku_status, f"Item with SKU '{sku}' already exists.")


def find_item(store: Store, item_id, sku=None) -> ItemRecord:
    """Item by id (live or archived) or else by SKU (live), or a 400."""
    record = store.by_id(optional_guid(item_id, "StockItemId")) if item_id not in (None, "", ZERO_GUID) else None
    if record is None and sku not in (None, ""):
        record = store.live_by_sku(sku)
        if record is None:
            raise bad_request("Could not determine inventory item id from SKU")
    if record is None:
        raise bad_request(ITEM_NOT_FOUND)
    return record


@api("Inventory/AddInventoryItem", 150)
async def add_inventory_item(call: Call):
    item = call.params.obj("inventoryItem")
    item_id = optional_guid(item.get("StockItemId"), "StockItemId")
    # Linnworks does not invent the id: the client sends a new GUID and that GUID is the item's id.
    if item_id in (None, ZERO_GUID):
        raise bad_request(STOCK_ITEM_ID_EMPTY)
    fields = item_fields(item)
    sku = fields["ItemNumber"]
    if not sku:
        raise bad_request("StockItem ItemNumber could not be empty")
    store = call.store
    _check_category(store, fields)
    if item_id in store.items:
        raise primary_key_violation("StockItem", item_id)
    if sku in store.deleted_skus:
        return NO_CONTENT  # a soft-deleted item's SKU: success answer, nothing created
    if store.any_by_sku(sku) is not None:
        raise duplicate_sku(call, sku)
    store.add_item(item_id, fields)
    return NO_CONTENT


def _bulk_item(call: Call, raw, seen_skus: set, seen_ids: set) -> str:
    """Create one item of a bulk add; returns its id or raises ApiError with the item's message."""
    if not isinstance(raw, dict):
        raise bad_request("Item must be a JSON object")
    item = Fields(raw)
    item_id = optional_guid(item.get("StockItemId"), "StockItemId")
    if item_id in (None, ZERO_GUID):
        item_id = None
    fields = item_fields(item)
    sku, title = fields["ItemNumber"], fields["ItemTitle"]
    if not sku:
        raise bad_request("ItemNumber is required")
    if not title:
        raise bad_request("ItemTitle is required")
    store = call.store
    _check_category(store, fields)
    if item_id is not None and (item_id in store.items or item_id in seen_ids):
        raise primary_key_violation("StockItem", item_id)
    if sku in store.deleted_skus:
        raise bad_request(f"SKU '{sku}' belongs to a deleted item")
    if sku in seen_skus or store.any_by_sku(sku) is not None:
        raise duplicate_sku(call, sku)
    record = store.add_item(item_id or new_guid(), fields)
    seen_skus.add(sku)
    seen_ids.add(record.id)
    return record.id


@api("Inventory/AddInventoryItemBulk", 150)
async def add_inventory_item_bulk(call: Call):
    request = call.params.obj("request")
    items = request.get("InventoryItems")
    if items in (None, []):
        raise bad_request("request is empty")
    if not isinstance(items, list):
        raise invalid("request.InventoryItems", "InventoryItems must be a JSON array.")
    if len(items) > BULK_LIMIT:
        raise bad_request(f"Maximum {BULK_LIMIT} items allowed per request, {len(items)} given")
    results, seen_skus, seen_ids = [], set(), set()
    for raw in items:
        # One bad item fails alone; the others are created (BatchedAPIResponse, HTTP 200 either way).
        try:
            item_id = _bulk_item(call, raw, seen_skus, seen_ids)
            results.append({"Result": item_id, "ResultStatus": "SUCCESSFUL", "Message": None})
        except ApiError as error:
            results.append({"Result": None, "ResultStatus": "FAILED", "Message": error.message})
    ok = sum(1 for r in results if r["ResultStatus"] == "SUCCESSFUL")
    overall = "SUCCESSFUL" if ok == len(results) else "FAILED" if ok == 0 else "PARTIALLY_SUCCESSFUL"
    return {"Results": results, "TotalResults": len(results), "ResultStatus": overall}


@api("Inventory/UpdateInventoryItem", 250)
async def update_inventory_item(call: Call):
    item = call.params.obj("inventoryItem")
    store = call.store
    item_id = optional_guid(item.get("StockItemId"), "StockItemId")
    if item_id not in (None, ZERO_GUID):
        record = store.by_id(item_id)
    else:  # documented: without StockItemId the item is found by ItemNumber
        record = store.any_by_sku(item.get("ItemNumber"))
    if record is None:
        raise bad_request(ITEM_NOT_FOUND)
    # A set, not a patch: every field not sent is cleared.
    fields = item_fields(item)
    new_sku = fields["ItemNumber"]
    if not new_sku:
        raise bad_request("StockItem ItemNumber could not be empty")
    _check_category(store, fields)
    _keep_structure(store, record, fields)
    if new_sku != record.sku:
        if store.any_by_sku(new_sku) is not None or new_sku in store.deleted_skus:
            raise duplicate_sku(call, new_sku)
        store.rename(record, new_sku)
    record.fields.update(fields)
    return NO_CONTENT


def _check_category(store: Store, fields: dict) -> None:
    """CategoryId must name a category (Default when absent); CategoryName is read-only, taken from it."""
    error = store.category_error(fields)
    if error:
        raise bad_request(error)


def _keep_structure(store: Store, record: ItemRecord, fields: dict) -> None:
    """Flags owned by the variation and composition methods survive a full replace. A group parent's
    VariationGroupName renames its group when sent, and is kept when left out (a group has a name)."""
    group = store.groups.get(record.id)
    if group is not None:
        fields["IsVariationParent"] = True
        if fields["VariationGroupName"]:
            group.name = fields["VariationGroupName"]
        fields["VariationGroupName"] = group.name
    fields["IsCompositeParent"] = bool(store.compositions.get(record.id))


# ColumnNameType names accepted by UpdateInventoryItemField, mapped to StockItem properties.
FIELD_COLUMNS = {"SKU": "ItemNumber", "Title": "ItemTitle", "VariationGroupName": "VariationGroupName",
                 "RetailPrice": "RetailPrice", "PurchasePrice": "PurchasePrice", "Barcode": "BarcodeNumber",
                 "Weight": "Weight", "DimHeight": "Height", "DimWidth": "Width", "DimDepth": "Depth",
                 "SerialNumberScanRequired": "SerialNumberScanRequired",
                 "BatchNumberScanRequired": "BatchNumberScanRequired", "Category": "CategoryId"}
LOCATION_COLUMNS = {"Available", "MinimumLevel", "InOrder", "StockLevel", "StockValue", "Due", "BinRack", "JIT"}
OTHER_COLUMNS = {"Tracked", "Image", "CreatedDate", "ModifiedDate", "BatchType", "ReorderAmount", "ReorderDate",
                 "AverageConsumption", "DefaultSupplier"}


@api("Inventory/UpdateInventoryItemField", 250)
async def update_inventory_item_field(call: Call):
    params = call.params
    record = find_item(call.store, params.guid("inventoryItemId"))
    name = params.str("fieldName")
    value = params.str("fieldValue")
    if name is None:
        raise bad_request("'fieldName' parameter is missing")
    if name in LOCATION_COLUMNS:
        raise bad_request(f"Field '{name}' is kept per location: use UpdateInventoryItemStockField")
    if name in OTHER_COLUMNS:
        raise bad_request(f"Field '{name}' can not be updated with UpdateInventoryItemField")
    prop = FIELD_COLUMNS.get(name)
    if prop is None:  # e.g. ItemTitle, BarcodeNumber, TaxRate, MetaData: not ColumnNameType names
        raise invalid("fieldName", f"The value '{name}' is not valid for ColumnNameType.")
    if prop == "CategoryId":  # GUESS: the value format is undocumented; the sandbox takes an id or a name
        return {name: _set_category(call.store, record, value)}
    if prop == "VariationGroupName" and record.id in call.store.groups:
        call.store.groups[record.id].name = value or call.store.groups[record.id].name
        value = call.store.groups[record.id].name
    if prop in FLOAT_FIELDS:
        stored = to_float(value, name)
    elif prop in BOOL_FIELDS:
        stored = to_bool(value, name)
    else:
        stored = value
    if prop == "ItemNumber":
        if not stored:
            raise bad_request("StockItem ItemNumber could not be empty")
        if stored != record.sku:
            if call.store.any_by_sku(stored) is not None or stored in call.store.deleted_skus:
                raise duplicate_sku(call, stored)
            call.store.rename(record, stored)
    record.fields[prop] = stored
    return {name: stored}


def _set_category(store: Store, record: ItemRecord, value: str | None) -> str:
    wanted = (value or "").strip()
    category = store.categories.get(wanted.lower()) or next(
        (c for c in store.categories.values() if c["CategoryName"] == wanted), None)
    if category is None:
        raise bad_request(f"Category '{wanted}' not found")
    record.fields["CategoryId"], record.fields["CategoryName"] = category["CategoryId"], category["CategoryName"]
    return category["CategoryName"]


@api("Inventory/GetInventoryItemById", 250, READ)
async def get_inventory_item_by_id(call: Call):
    return stock_item_inv(call.store, find_item(call.store, call.params.guid("id")))


@api("Inventory/GetInventoryItemsCount", 150, READ)
async def get_inventory_items_count(call: Call):
    params = call.params
    return call.store.count(params.bool("includeDeleted"), params.bool("includeArchived"))


@api("Inventory/GetStockItemIdsBySKU", 250)
async def get_stock_item_ids_by_sku(call: Call):
    request = call.params.obj("request")
    skus = request.get("SKUS")
    if not isinstance(skus, list):
        raise bad_request("request is empty")
    found, seen = [], set()
    for sku in skus:
        # Unknown, archived and deleted SKUs are simply left out.
        record = call.store.live_by_sku(sku) if isinstance(sku, str) else None
        if record is not None and record.id not in seen:
            seen.add(record.id)
            found.append({"StockItemId": record.id, "SKU": record.sku})
    return {"Items": found}


def _item_ids(values) -> list[str]:
    if not isinstance(values, list):
        raise invalid("InventoryItemIds", "InventoryItemIds must be a JSON array.")
    return [to_guid(v, "InventoryItemIds") for v in values]


def _set_status(call: Call, ids: list[str], status: str, allowed_from: set[str]) -> None:
    for item_id in ids:
        record = call.store.by_id(item_id)
        if record is not None and record.status in allowed_from:
            call.store.set_status(record, status)


@api("Inventory/ArchiveInventoryItems", 150)
async def archive_inventory_items(call: Call):
    parameters = call.params.obj("parameters")
    _set_status(call, _item_ids(parameters.get("InventoryItemIds")), "archived", {"live"})
    return NO_CONTENT


@api("Inventory/UnarchiveInventoryItems", 150)
async def unarchive_inventory_items(call: Call):
    parameters = call.params.obj("parameters")
    _set_status(call, _item_ids(parameters.get("InventoryItemIds")), "live", {"archived"})
    return NO_CONTENT


@api("Inventory/DeleteInventoryItems", 150)
async def delete_inventory_items(call: Call):
    request = call.params.obj("request", required=False)
    ids = request.get("InventoryItemIds") if request else call.params.list("inventoryItemIds")
    _set_status(call, _item_ids(ids), "deleted", {"live", "archived"})
    return NO_CONTENT


@api("Inventory/GetChannels", 150, READ)
async def get_channels(call: Call):
    return call.store.channels


@api("Inventory/GetStockLocations", 150, READ)
async def get_stock_locations(call: Call):
    return call.store.locations


@api("Inventory/GetExtendedPropertyTypes", 150, READ)
async def get_extended_property_types(call: Call):
    return ["Attribute", "Specification", "Other"]
