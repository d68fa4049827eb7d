"""Item sub-rows: channel prices, titles, descriptions (keyed by the client's pkRowId) and extended
properties (named by the server on create)."""
from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Callable

from .errors import bad_request, invalid, primary_key_violation
from .handlers_items import find_item
from .params import ZERO_GUID, Fields, fields_list, optional_guid, to_float
from .registry import NO_CONTENT, READ, Call, Text, api
from .store import ItemRecord
from .views import description_row, ext_prop_row, price_row, title_row

# Extended-property writes answer 2xx with a body that is not JSON (observed live).
EXT_PROP_WRITE_ANSWER = "Success"
PRICE_UPDATE_STATUSES = {"NoChange", "Pending", "SentNotConfirmed", "Success", "Error"}


@dataclass(frozen=True)
class RowKind:
    table: str             # attribute of ItemRecord and key of Store.row_keys
    param: str             # the array parameter of Create/Update
    ids_param: str         # the array parameter of Delete
    db_table: str          # named in primary-key violations
    value: str             # the row's own value field
    view: Callable


PRICES = RowKind("prices", "inventoryItemPrices", "inventoryItemPriceIds", "StockItem_Pricing", "Price",
                 price_row)
TITLES = RowKind("titles", "inventoryItemTitles", "inventoryItemTitleIds", "StockItem_Title", "Title", title_row)
DESCRIPTIONS = RowKind("descriptions", "inventoryItemDescriptions", "inventoryItemDescriptionIds",
                       "StockItem_Description", "Description", description_row)


def _row_values(kind: RowKind, row: Fields) -> dict:
    values = {"Source": row.get("Source") or "", "SubSource": row.get("SubSource") or ""}
    if kind is PRICES:
        status = row.get("UpdateStatus") or "NoChange"
        if status not in PRICE_UPDATE_STATUSES:
            raise invalid("UpdateStatus", f"The value '{status}' is not valid for UpdateStatus.")
        values.update(Price=to_float(row.get("Price") or 0, "Price"), Tag=row.get("Tag") or "",
                      UpdateStatus=status,
                      Rules=row.get("Rules") if isinstance(row.get("Rules"), list) else [])
    else:
        values[kind.value] = row.get(kind.value)
    return values


def _pk(row: Fields) -> str:
    # No client pkRowId binds as Guid.Empty; the second such insert violates the primary key.
    return optional_guid(row.get("pkRowId"), "pkRowId") or ZERO_GUID


def _create(call: Call, kind: RowKind):
    rows = fields_list(call.params.list(kind.param), kind.param)
    store, staged, batch_keys = call.store, [], set()
    for row in rows:  # validate everything first: a failing call inserts nothing
        pk = _pk(row)
        if pk in store.row_keys[kind.table] or pk in batch_keys:
            raise primary_key_violation(kind.db_table, pk)
        batch_keys.add(pk)
        record = find_item(store, row.get("StockItemId"))
        staged.append((record, pk, {"pkRowId": pk, **_row_values(kind, row)}))
    for record, pk, values in staged:
        store.add_row(kind.table, record, pk, values)
    return NO_CONTENT


def _update(call: Call, kind: RowKind):
    rows = fields_list(call.params.list(kind.param), kind.param)
    store = call.store
    for row in rows:
        pk = _pk(row)
        record = store.row_owner(kind.table, pk)
        if record is None:
            if kind is PRICES and pk == ZERO_GUID and not row.get("Source"):
                # The default price is an implicit zero-GUID row: updating it sets the item's RetailPrice.
                item = find_item(store, row.get("StockItemId"))
                item.fields["RetailPrice"] = to_float(row.get("Price") or 0, "Price")
            continue  # an unknown pkRowId updates nothing, like an UPDATE matching no row
        getattr(record, kind.table)[pk] = {"pkRowId": pk, **_row_values(kind, row)}
    return NO_CONTENT


def _delete(call: Call, kind: RowKind):
    for pk in call.params.list(kind.ids_param):
        call.store.delete_row(kind.table, optional_guid(pk, kind.ids_param) or ZERO_GUID)
    return NO_CONTENT


def _get(call: Call, kind: RowKind):
    record = call.store.by_id(call.params.guid("inventoryItemId"))
    if record is None:
        return []
    return [kind.view(record, row) for row in getattr(record, kind.table).values()]


def _register(kind: RowKind, noun: str, limits: tuple[int, int, int, int]) -> None:
    get_limit, create_limit, update_limit, delete_limit = limits
    api(f"Inventory/GetInventoryItem{noun}", get_limit, READ)(lambda call: _async(_get, call, kind))
    api(f"Inventory/CreateInventoryItem{noun}", create_limit)(lambda call: _async(_create, call, kind))
    api(f"Inventory/UpdateInventoryItem{noun}", update_limit)(lambda call: _async(_update, call, kind))
    api(f"Inventory/DeleteInventoryItem{noun}", delete_limit)(lambda call: _async(_delete, call, kind))


async def _async(func, call: Call, kind: RowKind):
    return func(call, kind)


# Limits per minute as documented for Get / Create / Update / Delete.
_register(PRICES, "Prices", (250, 250, 250, 150))
_register(TITLES, "Titles", (250, 150, 150, 150))
_register(DESCRIPTIONS, "Descriptions", (250, 150, 150, 150))


# -- extended properties -------------------------------------------------------------------------

def _ext_owner(call: Call, row: Fields) -> ItemRecord:
    sku = row.get("SKU") or row.get("ItemNumber")
    return find_item(call.store, row.get("fkStockItemId"), sku)


def _ext_values(row: Fields) -> dict:
    # Only the misspelt `ProperyName` binds; a correctly spelt `PropertyName` is silently ignored.
    return {"ProperyName": row.get("ProperyName"), "PropertyValue": row.get("PropertyValue"),
            "PropertyType": row.get("PropertyType") or "Attribute"}


def _item_of(call: Call) -> ItemRecord | None:
    params = call.params
    item_id = params.guid("inventoryItemId", required=False)
    sku = params.str("itemNumber")
    if item_id is None and not sku:
        raise bad_request("'inventoryItemId' parameter is missing")
    return call.store.by_id(item_id) if item_id else call.store.live_by_sku(sku)


@api("Inventory/GetInventoryItemExtendedProperties", 250)
async def get_extended_properties(call: Call):
    record = _item_of(call)
    if record is None:
        return []
    wanted = call.params.obj("propertyParams", required=False)
    name = wanted.get("PropertyName") if wanted else None  # the filter model spells it correctly
    kind = wanted.get("PropertyType") if wanted else None
    return [ext_prop_row(record, row) for row in record.ext_props.values()
            if (not name or row["ProperyName"] == name) and (not kind or row["PropertyType"] == kind)]


@api("Inventory/CreateInventoryItemExtendedProperties", 250)
async def create_extended_properties(call: Call):
    """Rows are StockItemExtendedPropertyUpsertItem (fkStockItemId or SKU, ProperyName, PropertyValue,
    PropertyType): the spec's model has no pkRowId, so Linnworks names each new row itself (a
    pkRowId sent anyway binds to nothing). Create does not upsert: a name twice makes two rows."""
    rows = fields_list(call.params.list("inventoryItemExtendedProperties"), "inventoryItemExtendedProperties")
    staged = [(_ext_owner(call, row), _ext_values(row)) for row in rows]  # all checked before any insert
    for record, values in staged:
        pk = _server_row_id(call.store, record, values["ProperyName"])
        call.store.add_row("ext_props", record, pk, {"pkRowId": pk, **values})
    return Text(EXT_PROP_WRITE_ANSWER)


_EXT_PROP_NS = uuid.UUID("6f1a0c3e-0000-4000-8000-00000000e9a0")


def _server_row_id(store, record: ItemRecord, name) -> str:
    """The id the server gives a new row. Linnworks' are its own business; the sandbox derives them
    from the item, the name and the first free occurrence, so two equal syncs hold equal rows."""
    for occurrence in itertools.count():
        pk = str(uuid.uuid5(_EXT_PROP_NS, f"{record.id}/{name}/{occurrence}"))
        if pk not in store.row_keys["ext_props"]:
            return pk


@api("Inventory/UpdateInventoryItemExtendedProperties", 150)
async def update_extended_properties(call: Call):
    rows = fields_list(call.params.list("inventoryItemExtendedProperties"), "inventoryItemExtendedProperties")
    for row in rows:
        pk = _pk(row)
        record = call.store.row_owner("ext_props", pk)
        if record is not None:
            record.ext_props[pk] = {"pkRowId": pk, **_ext_values(row)}
    return Text(EXT_PROP_WRITE_ANSWER)


@api("Inventory/DeleteInventoryItemExtendedProperties", 250)
async def delete_extended_properties(call: Call):
    record = _item_of(call)
    ids = call.params.list("inventoryItemExtendedPropertyIds")
    if record is not None:
        for pk in ids:
            pk = optional_guid(pk, "inventoryItemExtendedPropertyIds")
            if pk in record.ext_props:
                call.store.delete_row("ext_props", pk)
    return NO_CONTENT
