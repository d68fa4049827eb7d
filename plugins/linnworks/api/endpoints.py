"""Every Linnworks method the client calls: HTTP verb, documented quota, retry class, batch size.

Quotas are "Allows N calls per minute" from each method's description in the official specs
(LinnSystems/PublicApiSpecs, as generated into the `linnworks-api-python` package).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Retry(Enum):
    """What a retry after a lost response (5xx, dropped connection) would do."""

    SAFE = "safe"  # reads, absolute sets, updates keyed by id, full replaces: same effect again
    VERIFY = "verify"  # creates and adds: resent only after the caller read back what landed (`call_verified`)


@dataclass(frozen=True)
class Endpoint:
    path: str  # "Controller/Method", as in /api/Controller/Method and in quota tables
    verb: str
    per_minute: int
    retry: Retry


def _table(*rows: tuple[str, str, int, Retry]) -> dict[str, Endpoint]:
    return {path: Endpoint(path, verb, per_minute, retry) for path, verb, per_minute, retry in rows}


# Every create or add is VERIFY: after a lost answer the client reads back what landed (items by
# SKU, rows by their deterministic keys, images by checksum, groups by their parent) and resends
# only the rest. Called without a verification (`_call`), such a method is never resent once it may
# have reached Linnworks.
S, V = Retry.SAFE, Retry.VERIFY

ENDPOINTS: dict[str, Endpoint] = _table(
    ("Auth/AuthorizeByApplication", "POST", 150, S),
    ("Inventory/GetStockItemIdsBySKU", "POST", 250, S),
    ("Inventory/AddInventoryItemBulk", "POST", 150, V),
    ("Inventory/GetInventoryItemById", "GET", 250, S),
    ("Inventory/UpdateInventoryItem", "POST", 250, S),
    ("Inventory/UpdateInventoryItemField", "POST", 250, S),
    ("Inventory/GetInventoryItemsCount", "GET", 150, S),
    ("Inventory/GetInventoryItemPrices", "GET", 250, S),
    ("Inventory/CreateInventoryItemPrices", "POST", 250, V),
    ("Inventory/UpdateInventoryItemPrices", "POST", 250, S),
    ("Inventory/DeleteInventoryItemPrices", "POST", 150, S),
    ("Inventory/GetInventoryItemTitles", "GET", 250, S),
    ("Inventory/CreateInventoryItemTitles", "POST", 150, V),
    ("Inventory/UpdateInventoryItemTitles", "POST", 150, S),
    ("Inventory/DeleteInventoryItemTitles", "POST", 150, S),
    ("Inventory/GetInventoryItemDescriptions", "GET", 250, S),
    ("Inventory/CreateInventoryItemDescriptions", "POST", 150, V),
    ("Inventory/UpdateInventoryItemDescriptions", "POST", 150, S),
    ("Inventory/DeleteInventoryItemDescriptions", "POST", 150, S),
    ("Inventory/GetInventoryItemExtendedProperties", "POST", 250, S),
    ("Inventory/CreateInventoryItemExtendedProperties", "POST", 250, V),
    ("Inventory/UpdateInventoryItemExtendedProperties", "POST", 150, S),
    ("Inventory/DeleteInventoryItemExtendedProperties", "POST", 250, S),
    ("Inventory/AddImageToInventoryItem", "POST", 150, V),
    ("Inventory/UploadImagesToInventoryItem", "POST", 150, V),
    ("Inventory/SetInventoryItemImageAsMain", "POST", 150, S),
    # A repeat deletes nothing more but answers FAILED for the images already gone: read back first.
    ("Inventory/DeleteInventoryItemImageBulk", "POST", 150, V),
    ("Inventory/GetInventoryItemImages", "GET", 250, S),
    ("Inventory/GetChannels", "GET", 150, S),
    ("Inventory/GetStockLocations", "GET", 150, S),
    # Not in the public spec: no documented quota, so the lower of the two usual ones. A
    # re-upload only leaves an unattached temporary file behind (expiredInHours), so it is safe.
    ("Uploader/UploadFile", "POST", 150, S),
    ("Stock/GetStockLevel", "GET", 250, S),
    ("Stock/GetStockLevel_Batch", "POST", 250, S),
    ("Stock/SetStockLevel", "POST", 250, S),  # absolute level, so a repeat is harmless
    ("Stock/GetStockItemsFullByIds", "POST", 250, S),
    ("Stock/GetStockItemsFull", "POST", 150, S),
    ("Stock/GetStockItems", "GET", 150, S),  # only its TotalEntries: the size GetStockItemsFull's pages cover
    ("Stock/GetStockItemTypeInfo", "POST", 150, S),
    # Variation groups. A group's id is its parent's StockItemId, so a resent create cannot make a
    # second group; it is refused instead, hence VERIFY: after a lost answer the client reads first.
    ("Stock/CreateVariationGroup", "POST", 150, V),
    ("Stock/AddVariationItems", "POST", 250, V),  # re-adding a member: undocumented, so read first
    ("Stock/GetVariationItems", "GET", 250, S),
    ("Stock/GetVariationGroupByParentId", "GET", 150, S),
    ("Stock/GetVariationGroupByName", "GET", 150, S),
    ("Stock/RenameVariationGroup", "POST", 150, S),
    ("Stock/DeleteVariationItems", "POST", 150, S),
    ("Stock/DeleteVariationGroups", "POST", 150, S),
    # Compositions: rows keyed by (parent, component), read back by those keys after a lost answer.
    ("Inventory/GetInventoryItemCompositions", "GET", 250, S),
    ("Inventory/GetInventoryItemsCompositionByIds", "POST", 250, S),
    ("Inventory/CreateInventoryItemCompositions", "POST", 150, V),
    ("Inventory/UpdateInventoryItemCompositions", "POST", 150, S),
    ("Inventory/DeleteInventoryItemCompositions", "POST", 150, S),
    # Categories: created with a client categoryId, read back by it after a lost answer.
    ("Inventory/GetCategories", "GET", 150, S),
    ("Inventory/CreateCategory", "POST", 150, V),
    ("Inventory/UpdateCategory", "POST", 150, S),  # a full replace of the category
    ("Inventory/DeleteCategoryById", "POST", 150, S),
)


# Largest batch per call. Documented limits say so; the others are undocumented and use the
# 200-per-call convention that Linnworks' documented batch endpoints share (reference §7c).
ADD_ITEMS_BATCH = 200  # documented: AddInventoryItemBulk "add up to 200 stock items"
FULL_ITEMS_PAGE = 200  # documented: GetStockItemsFull entriesPerPage 1..200, else 400
SKU_LOOKUP_BATCH = 200  # convention: GetStockItemIdsBySKU max undocumented
ROWS_BATCH = 200  # convention: Create/Update/Delete prices, titles, descriptions, ext. properties
STOCK_LEVELS_BATCH = 200  # convention: GetStockLevel_Batch, SetStockLevel
FULL_BY_IDS_BATCH = 200  # convention: GetStockItemsFullByIds
TYPE_INFO_BATCH = 200  # convention: GetStockItemTypeInfo
VARIATION_ITEMS_BATCH = 200  # convention: AddVariationItems, DeleteVariationItems (one group a call)
VARIATION_GROUPS_BATCH = 200  # convention: DeleteVariationGroups
COMPOSITIONS_BY_IDS_BATCH = 100  # documented: "The maximum items count for this call is 100"
COMPOSITION_ROWS_BATCH = 200  # convention: Create/UpdateInventoryItemCompositions (rows of many parents)


def endpoint(path: str) -> Endpoint:
    try:
        return ENDPOINTS[path]
    except KeyError:
        raise KeyError(f"{path} is not in the Linnworks endpoint table") from None
