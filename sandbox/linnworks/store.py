"""In-memory Linnworks account: items indexed by id and SKU, their sub-rows, stock, variation groups,
compositions, categories, sessions, uploads."""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .params import ZERO_GUID

# StockItem's descriptive fields and the value each takes when UpdateInventoryItem omits it.
ITEM_FIELDS: dict[str, object] = {
    "ItemNumber": None, "ItemTitle": None, "BarcodeNumber": None, "MetaData": None, "ItemDescription": None,
    "IsVariationParent": False, "IsCompositeParent": False, "isBatchedStockType": False, "ShippedSeparately": False,
    "PurchasePrice": 0.0, "RetailPrice": 0.0, "TaxRate": 0.0,
    "PostalServiceId": ZERO_GUID, "PostalServiceName": None, "CategoryId": ZERO_GUID, "CategoryName": None,
    "PackageGroupId": ZERO_GUID, "PackageGroupName": None,
    "Height": 0.0, "Width": 0.0, "Depth": 0.0, "Weight": 0.0,
    "InventoryTrackingType": 0, "BatchNumberScanRequired": False, "SerialNumberScanRequired": False,
    "VariationGroupName": None,
}
FLOAT_FIELDS = {"PurchasePrice", "RetailPrice", "TaxRate", "Height", "Width", "Depth", "Weight"}
INT_FIELDS = {"InventoryTrackingType"}
BOOL_FIELDS = {"IsVariationParent", "IsCompositeParent", "isBatchedStockType", "ShippedSeparately",
               "BatchNumberScanRequired", "SerialNumberScanRequired"}
GUID_FIELDS = {"PostalServiceId", "CategoryId", "PackageGroupId"}


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_guid() -> str:
    return str(uuid.uuid4())


@dataclass
class ItemRecord:
    """One stock item and everything hanging off it."""

    id: str
    int_id: int
    fields: dict
    created: str
    status: str = "live"  # live | archived | deleted
    prices: dict = field(default_factory=dict)        # pkRowId -> StockItemPrice row
    titles: dict = field(default_factory=dict)        # pkRowId -> StockItemTitle row
    descriptions: dict = field(default_factory=dict)  # pkRowId -> StockItemDescription row
    ext_props: dict = field(default_factory=dict)     # pkRowId -> StockItemExtendedProperty row
    images: dict = field(default_factory=dict)        # pkRowId -> image row
    levels: dict = field(default_factory=dict)        # location id -> level row

    @property
    def sku(self) -> str:
        return self.fields["ItemNumber"]


@dataclass
class VariationGroup:
    """A variation group. Its id (pkVariationItemId) is the parent item's StockItemId: the SDK documents
    VariationGroup.pkVariationItemId as "Variation parent ID", and GetVariationGroupByParentId takes it."""

    id: str
    name: str
    members: dict = field(default_factory=dict)  # child StockItemId -> pkRowId of the membership, in order


DEFAULT_CATEGORY = {"CategoryId": ZERO_GUID, "CategoryName": "Default", "StructureCategoryId": 0,
                    "ProductCategoryId": 0}


@dataclass
class Session:
    token: str
    last_used: float
    user_id: str


@dataclass
class Upload:
    file_id: str
    name: str
    content: bytes
    content_type: str
    expires_at: float


class Store:
    """The whole account. Handlers mutate it without awaiting in between, so each call is atomic."""

    def __init__(self, clock=time.monotonic):
        self.lock = threading.Lock()  # auth and data apps run in different threads
        self.clock = clock            # seconds, for session idle time and upload expiry (tests inject one)
        self.server_url = ""          # the data app's URL, handed out as the session's Server
        self.sessions: dict[str, Session] = {}
        self.uploads: dict[str, Upload] = {}
        self.reset()

    def reset(self) -> None:
        self.items: dict[str, ItemRecord] = {}
        self.by_sku: dict[str, str] = {}          # SKU of live and archived items -> id
        self.deleted_skus: dict[str, str] = {}    # SKU of soft-deleted items -> id
        # Primary keys of sub-row tables (global, like the database's): pkRowId -> item id.
        self.row_keys: dict[str, dict[str, str]] = {
            "prices": {}, "titles": {}, "descriptions": {}, "ext_props": {}, "images": {}}
        self.locations: list[dict] = []
        self.channels: list[dict] = []
        self.next_int_id = 1
        self.status_counts = {"live": 0, "archived": 0, "deleted": 0}
        self._listing: list[str] | None = None
        self.groups: dict[str, VariationGroup] = {}          # parent StockItemId -> group
        self.compositions: dict[str, dict[str, int]] = {}    # parent StockItemId -> {linked id: quantity}
        # Items without a category are in "Default", whose id is the zero GUID (GUESS: not documented).
        self.categories: dict[str, dict] = {ZERO_GUID: dict(DEFAULT_CATEGORY)}

    # -- items -----------------------------------------------------------------------------------
    def add_item(self, item_id: str, fields: dict, status: str = "live") -> ItemRecord:
        record = ItemRecord(id=item_id, int_id=self.next_int_id, fields={**ITEM_FIELDS, **fields},
                            created=now_iso(), status=status)
        self.next_int_id += 1
        self.items[item_id] = record
        self.by_sku[record.sku] = item_id
        self.status_counts[status] += 1
        if self._listing is not None and status == "live":
            self._listing.append(item_id)
        return record

    def by_id(self, item_id: str | None, include_deleted: bool = False) -> ItemRecord | None:
        record = self.items.get(item_id) if item_id else None
        if record is None or (record.status == "deleted" and not include_deleted):
            return None
        return record

    def live_by_sku(self, sku: str | None) -> ItemRecord | None:
        """The live (not archived, not deleted) item with this SKU."""
        item_id = self.by_sku.get(sku) if sku is not None else None
        record = self.items.get(item_id) if item_id else None
        return record if record is not None and record.status == "live" else None

    def any_by_sku(self, sku: str | None) -> ItemRecord | None:
        """Live or archived item with this SKU (an archived SKU is still taken)."""
        item_id = self.by_sku.get(sku) if sku is not None else None
        return self.items.get(item_id) if item_id else None

    def rename(self, record: ItemRecord, new_sku: str) -> None:
        self.by_sku.pop(record.sku, None)
        record.fields["ItemNumber"] = new_sku
        self.by_sku[new_sku] = record.id

    def set_status(self, record: ItemRecord, status: str) -> None:
        if status == "deleted" and record.status != "deleted":
            self.by_sku.pop(record.sku, None)
            self.deleted_skus[record.sku] = record.id
        self.status_counts[record.status] -= 1
        self.status_counts[status] += 1
        record.status = status
        self._listing = None

    def listing(self) -> list[str]:
        """Ids of live items in creation order (what list and search endpoints see)."""
        if self._listing is None:
            self._listing = [i for i, r in self.items.items() if r.status == "live"]
        return self._listing

    def count(self, include_deleted: bool, include_archived: bool) -> int:
        counts = self.status_counts
        return (counts["live"] + (counts["deleted"] if include_deleted else 0)
                + (counts["archived"] if include_archived else 0))

    # -- sub-rows --------------------------------------------------------------------------------
    def add_row(self, table: str, record: ItemRecord, row_id: str, row: dict) -> None:
        self.row_keys[table][row_id] = record.id
        getattr(record, table)[row_id] = row

    def row_owner(self, table: str, row_id: str) -> ItemRecord | None:
        item_id = self.row_keys[table].get(row_id)
        return self.items.get(item_id) if item_id else None

    def delete_row(self, table: str, row_id: str) -> bool:
        record = self.row_owner(table, row_id)
        if record is None:
            return False
        del self.row_keys[table][row_id]
        getattr(record, table).pop(row_id, None)
        return True

    # -- structure (variation groups, compositions, categories) -----------------------------------
    def sync_composite_flag(self, record: ItemRecord) -> None:
        """IsCompositeParent follows the item's composition rows."""
        record.fields["IsCompositeParent"] = bool(self.compositions.get(record.id))

    def category_error(self, fields: dict) -> str | None:
        """Check `fields["CategoryId"]` and set the CategoryName it stands for; a message when unknown."""
        category = self.categories.get(fields.get("CategoryId") or ZERO_GUID)
        if category is None:
            return f"Category '{fields['CategoryId']}' not found"  # GUESS: wording undocumented
        fields["CategoryId"], fields["CategoryName"] = category["CategoryId"], category["CategoryName"]
        return None

    # -- locations and stock ---------------------------------------------------------------------
    def location(self, location_id: str) -> dict | None:
        for loc in self.locations:
            if loc["StockLocationId"] == location_id:
                return loc
        return None

    def level(self, record: ItemRecord, location_id: str) -> dict:
        """The item's level row at a location, created with zeros on first write."""
        row = record.levels.get(location_id)
        if row is None:
            row = {"StockLevel": 0, "InOrderBook": 0, "Due": 0, "MinimumLevel": 0, "JIT": False,
                   "BinRack": "", "LastUpdateDate": record.created, "LastUpdateOperation": ""}
            record.levels[location_id] = row
        return row

    # -- sessions and uploads --------------------------------------------------------------------
    def open_session(self) -> Session:
        session = Session(token=new_guid(), last_used=self.clock(), user_id=new_guid())
        with self.lock:
            self.sessions[session.token] = session
        return session

    def touch_session(self, token: str, idle_seconds: float) -> bool:
        """True and refreshed when the session exists and has not been idle too long."""
        now = self.clock()
        with self.lock:
            session = self.sessions.get(token)
            if session is None:
                return False
            if now - session.last_used > idle_seconds:
                del self.sessions[token]
                return False
            session.last_used = now
            return True

    def expire_sessions(self) -> None:
        with self.lock:
            self.sessions.clear()
