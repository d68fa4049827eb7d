"""Stock: levels per location, absolute and delta changes, and the full-item readers with paging."""
from __future__ import annotations

import math
from itertools import islice

from .errors import NO_ITEMS_FOUND, bad_request, invalid
from .handlers_items import find_item
from .params import ZERO_GUID, fields_list, optional_guid, to_int
from .registry import READ, Call, api
from .store import ItemRecord, Store, now_iso
from .views import DATA_REQUIREMENTS, EXTENDED_DATA_REQUIREMENTS, level_row, levels, stock_item, stock_item_full

PAGE_LIMIT = 200
BY_IDS_LIMIT = 200
SEARCH_TYPES = ["SKU", "Title", "Barcode"]


def _enum_names(values, names: list[str], param: str) -> set[str]:
    """Enum values sent as names (any case) or numbers."""
    by_lower = {name.lower(): name for name in names}
    out = set()
    for value in values or []:
        text = str(value).strip()
        if text.isdigit() and int(text) < len(names):
            out.add(names[int(text)])
        elif text.lower() in by_lower:
            out.add(by_lower[text.lower()])
        else:
            raise invalid(param, f"The value '{value}' is not valid for {param}.")
    return out


@api("Stock/GetStockLevel", 250, READ)
async def get_stock_level(call: Call):
    record = call.store.by_id(call.params.guid("stockItemId"))
    return levels(call.store, record) if record else []


@api("Stock/GetStockLevel_Batch", 250)
async def get_stock_level_batch(call: Call):
    request = call.params.obj("request")
    answer = []
    for item_id in request.get("StockItemIds") or []:
        record = call.store.by_id(optional_guid(item_id, "StockItemIds"))
        if record is not None:
            answer.append({"pkStockItemId": record.id, "StockItemLevels": levels(call.store, record)})
    return answer


@api("Stock/GetStockLevelByLocation", 250)
async def get_stock_level_by_location(call: Call):
    request = call.params.obj("request")
    record = find_item(call.store, request.get("StockItemId"))
    loc = _location(call.store, request.get("LocationId"))
    return {"StockLevel": level_row(record, loc)}


def _location(store: Store, location_id) -> dict:
    # An absent LocationId binds as Guid.Empty, which is the Default location.
    loc = store.location(optional_guid(location_id, "LocationId") or ZERO_GUID)
    if loc is None:
        raise bad_request(f"Location {location_id} not found")
    return loc


def _change_levels(call: Call, delta: bool):
    rows = fields_list(call.params.list("stockLevels"), "stockLevels")
    source = call.params.str("changeSource") or ""
    store, staged = call.store, []
    for row in rows:  # all rows are checked before any is applied
        sku = row.get("SKU")
        record = store.live_by_sku(sku)
        if record is None:
            raise bad_request(f"Could not find stock item with SKU '{sku}'")
        staged.append((record, _location(store, row.get("LocationId")), to_int(row.get("Level") or 0, "Level")))
    changed = []
    for record, loc, level in staged:
        current = store.level(record, loc["StockLocationId"])
        current["StockLevel"] = current["StockLevel"] + level if delta else level
        current["LastUpdateDate"] = now_iso()
        current["LastUpdateOperation"] = source or ("Stock level changed" if delta else "Stock level set")
        changed.append(level_row(record, loc))
    return changed


@api("Stock/SetStockLevel", 250)
async def set_stock_level(call: Call):
    """Absolute: Level becomes the new StockLevel at (SKU, LocationId)."""
    return _change_levels(call, delta=False)


@api("Stock/UpdateStockLevelsBySKU", 150)
async def update_stock_levels_by_sku(call: Call):
    """Delta: Level is added to the current StockLevel (negative values take stock away)."""
    return _change_levels(call, delta=True)


def _matches(record: ItemRecord, keyword: str, search: set[str]) -> bool:
    fields = record.fields
    haystack = [fields["ItemNumber"] if "SKU" in search else None, fields["ItemTitle"] if "Title" in search else None,
                fields["BarcodeNumber"] if "Barcode" in search else None]
    return any(keyword in value.lower() for value in haystack if value)


def _visible(store: Store, keyword: str | None, search: set[str], composites: bool, variations: bool):
    """Live items in creation order, filtered like the search endpoints (archived ones never show)."""
    keyword = (keyword or "").strip().lower()
    for item_id in store.listing():
        record = store.items[item_id]
        if not composites and record.fields["IsCompositeParent"]:
            continue
        if not variations and record.fields["IsVariationParent"]:
            continue
        if keyword and not _matches(record, keyword, search):
            continue
        yield record


@api("Stock/GetStockItemsFull", 150)
async def get_stock_items_full(call: Call):
    params = call.params
    per_page = params.int("entriesPerPage", 0)
    page = params.int("pageNumber", 0)
    if not 1 <= per_page <= PAGE_LIMIT:
        raise bad_request(f"Number must be between 1 and {PAGE_LIMIT}")
    if page < 1:
        raise bad_request("Page number must be greater than 0")
    wanted = _enum_names(params.list("dataRequirements", required=False), DATA_REQUIREMENTS, "dataRequirements")
    search = _enum_names(params.list("searchTypes", required=False), SEARCH_TYPES, "searchTypes") or set(
        SEARCH_TYPES)
    # false (the default) leaves composite / variation parents out of the pages.
    def listed():
        return _visible(call.store, params.str("keyword"), search, params.bool("loadCompositeParents"),
                        params.bool("loadVariationParents"))

    page_rows = list(islice(listed(), (page - 1) * per_page, page * per_page))
    if not page_rows:  # past the last page (or nothing at all): a 400, which clients use as the end marker
        raise bad_request(NO_ITEMS_FOUND)
    answer = [stock_item_full(call.store, record, wanted) for record in page_rows]
    _archive_during_read(call, "Stock/GetStockItemsFull", page, listed)
    return answer


@api("Stock/GetStockItemsFullByIds", 250)
async def get_stock_items_full_by_ids(call: Call):
    request = call.params.obj("request")
    ids = request.get("StockItemIds")
    if not isinstance(ids, list) or not ids:
        raise bad_request("request is empty")
    if len(ids) > BY_IDS_LIMIT:
        raise bad_request(f"The maximum items count for this call is {BY_IDS_LIMIT}")
    wanted = _enum_names(request.get("DataRequirements"), EXTENDED_DATA_REQUIREMENTS, "DataRequirements")
    items = []
    for item_id in ids:
        record = call.store.by_id(optional_guid(item_id, "StockItemIds"))
        if record is not None:
            items.append(stock_item_full(call.store, record, wanted, extended=True))
    return {"StockItemsFullExtended": items}


@api("Stock/GetStockItems", 150, READ)
async def get_stock_items(call: Call):
    """GenericPagedResult paging: totals in the answer, an empty Data past the end."""
    params = call.params
    per_page = params.int("entriesPerPage", 0) or 100
    page = max(params.int("pageNumber", 1) or 1, 1)
    keyword = params.str("keyWord")
    exclude_composites, exclude_variations = params.bool("excludeComposites"), params.bool("excludeVariations")
    if keyword or exclude_composites or exclude_variations:
        matching = list(_visible(call.store, keyword, set(SEARCH_TYPES), not exclude_composites,
                                 not exclude_variations))
    else:
        matching = call.store.listing()
    chunk = matching[(page - 1) * per_page: page * per_page]
    chunk = [call.store.items[i] if isinstance(i, str) else i for i in chunk]
    answer = {"PageNumber": page, "EntriesPerPage": per_page, "TotalEntries": len(matching),
              "TotalPages": math.ceil(len(matching) / per_page),
              "Data": [stock_item(call.store, record) for record in chunk]}
    _archive_during_read(call, "Stock/GetStockItems", page,
                         lambda: (call.store.items[i] if isinstance(i, str) else i for i in matching))
    return answer


def _archive_during_read(call: Call, method: str, page: int, listed) -> None:
    """The `archive_during_read` switch: once `page` of `method` is answered, archive items the way
    Inventory/ArchiveInventoryItems does (they leave the listing; later pages shift left)."""
    switches = call.settings.archive_during_read
    for i, switch in enumerate(switches):
        if switch.method == method and switch.after_page == page:
            switches.pop(i)
            break
    else:
        return
    store = call.store
    if switch.skus:
        chosen = [record for record in map(store.live_by_sku, switch.skus) if record is not None]
    else:  # the first items of this very listing: already served, so the read's later pages shift
        chosen = list(islice(listed(), switch.items))
    for record in chosen:
        store.set_status(record, "archived")
