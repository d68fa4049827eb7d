"""Desired against current state of one item: typed writes plus diff rows (pure, no HTTP).

Only what the desired item manages is compared; everything else on the item is left as it is.
Channel rows match on (Source, SubSource) ignoring letter case, and tagged price rows are left alone;
extended properties match on their name. New channel rows get deterministic pkRowIds (`ids`); Linnworks
names new extended properties.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from linnworks.api import ids
from linnworks.api.models import (
    ExtendedDataRequirement,
    ExtendedProperty,
    ItemDescription,
    ItemField,
    ItemPrice,
    ItemTitle,
    StockItemFull,
    Wire,
)
from linnworks.common.report import DiffRow
from linnworks.items.desired import ChannelKey, DesiredItem, ImageMode, WriteOptions
from linnworks.items.image_ledger import (LEGACY_LEDGER_PROPERTY, ImagePlan, LedgerEntry, parse_legacy_ledger,
                                         plan_images)

# Numbers equal to 4 decimal places are the same (Linnworks keeps prices as decimals).
NUMBER_TOLERANCE = 0.00005

ADD_ITEMS = "Inventory/AddInventoryItemBulk"
UPDATE_FIELD = "Inventory/UpdateInventoryItemField"
UPDATE_ITEM = "Inventory/UpdateInventoryItem"
ADD_IMAGE = "Inventory/AddImageToInventoryItem"
UPLOAD_FILE = "Uploader/UploadFile"
ATTACH_UPLOADS = "Inventory/UploadImagesToInventoryItem"
SET_MAIN_IMAGE = "Inventory/SetInventoryItemImageAsMain"
DELETE_IMAGES = "Inventory/DeleteInventoryItemImageBulk"


@dataclass(frozen=True)
class ItemFieldSpec:
    name: str  # DesiredItem attribute
    attr: str  # the same field on StockItemFull, InventoryItem and NewStockItem
    column: ItemField | None  # UpdateInventoryItemField's name; None: only UpdateInventoryItem sets it
    numeric: bool


ITEM_FIELDS = (
    ItemFieldSpec("title", "item_title", ItemField.TITLE, False),
    ItemFieldSpec("barcode", "barcode_number", ItemField.BARCODE, False),
    ItemFieldSpec("retail_price", "retail_price", ItemField.RETAIL_PRICE, True),
    ItemFieldSpec("purchase_price", "purchase_price", ItemField.PURCHASE_PRICE, True),
    ItemFieldSpec("weight", "weight", ItemField.WEIGHT, True),
    ItemFieldSpec("width", "width", ItemField.DIM_WIDTH, True),
    ItemFieldSpec("height", "height", ItemField.DIM_HEIGHT, True),
    ItemFieldSpec("depth", "depth", ItemField.DIM_DEPTH, True),
    # MetaData is not a ColumnNameType: UpdateInventoryItemField cannot set it (reference §3.2).
    ItemFieldSpec("metadata", "meta_data", None, False),
)


# The category is written by id (CategoryId: UpdateInventoryItemField's "Category" value format is
# undocumented, so an existing item's category changes by a full replace) and shown by name.
CATEGORY = ItemFieldSpec("category", "category_id", None, False)
DEFAULT_CATEGORY_ID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class FieldChange:
    spec: ItemFieldSpec
    old: Any
    new: Any
    shown: tuple[Any, Any] | None = None  # (old, new) for people, when not the values written


class RowKind(StrEnum):
    """Per-item rows; the value is the noun in Inventory/{Create,Update,Delete}InventoryItem<noun>."""

    PRICES = "Prices"
    TITLES = "Titles"
    DESCRIPTIONS = "Descriptions"
    PROPERTIES = "ExtendedProperties"

    def endpoint(self, verb: str) -> str:
        return f"Inventory/{verb}InventoryItem{self.value}"


@dataclass
class RowChanges:
    creates: list[Wire] = field(default_factory=list)
    updates: list[Wire] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)  # pkRowIds

    def __bool__(self) -> bool:
        return bool(self.creates or self.updates or self.deletes)


@dataclass
class ItemPlan:
    """Everything to write for one SKU; `diff` says the same for people."""

    sku: str
    stock_item_id: str
    is_new: bool
    fields: list[FieldChange]
    rows: dict[RowKind, RowChanges]
    images: ImagePlan | None
    diff: list[DiffRow]
    # How the changed fields of an existing item are written: UPDATE_FIELD, UPDATE_ITEM or None.
    field_route: str | None = None

    def has_writes(self) -> bool:
        """Whether Linnworks changes (the image ledger is pimflow's own: a change to it alone is none)."""
        images = self.images
        return bool(self.is_new or self.fields or any(self.rows.values()) or (
            images is not None and (images.has_image_writes or images.deletes)))


def same_value(old: Any, new: Any, numeric: bool) -> bool:
    if numeric:
        if old is None or new is None:
            return old is None and new is None
        return math.isclose(float(old), float(new), rel_tol=1e-9, abs_tol=NUMBER_TOLERANCE)
    return (old or "") == (new or "")  # Linnworks answers null and "" alike for empty text


def requirements(items: list[DesiredItem], legacy_ledger: bool = False) -> list[ExtendedDataRequirement]:
    """The data requirements GetStockItemsFullByIds needs to compare these items, and no more.
    Retail and purchase prices are header fields of its answer: they need none. `legacy_ledger`:
    some item with images has no ledger entries yet, so an earlier version's ledger property is
    looked for among the extended properties."""
    wanted = {ExtendedDataRequirement.EXTENDED_PROPERTIES} if legacy_ledger else set()
    for item in items:
        if item.channel_prices:
            wanted.add(ExtendedDataRequirement.CHANNEL_PRICE)
        if item.channel_titles:
            wanted.add(ExtendedDataRequirement.CHANNEL_TITLE)
        if item.channel_descriptions:
            wanted.add(ExtendedDataRequirement.CHANNEL_DESCRIPTION)
        if item.extended_properties:
            wanted.add(ExtendedDataRequirement.EXTENDED_PROPERTIES)
        if item.images is not None:
            wanted.add(ExtendedDataRequirement.IMAGES)
    return [requirement for requirement in ExtendedDataRequirement if requirement in wanted]


def plan_item(desired: DesiredItem, current: StockItemFull | None, stock_item_id: str,
              options: WriteOptions, category_ids: Mapping[str, str] | None = None,
              ledger: list[LedgerEntry] | None = None) -> ItemPlan:
    """The writes that make Linnworks match `desired`; `current` None means the item is new.
    `category_ids` maps category names to CategoryIds (a category it lacks is left alone); `ledger`
    is the item's image ledger (`image_ledger`)."""
    is_new = current is None
    sku, diff = desired.sku, []
    fields = []
    for spec in ITEM_FIELDS:
        new = getattr(desired, spec.name)
        old = None if is_new else getattr(current, spec.attr)
        if new is not None and (is_new or not same_value(old, new, spec.numeric)):
            fields.append(FieldChange(spec, old, new))
    category_id = (category_ids or {}).get(desired.category) if desired.category is not None else None
    if category_id is not None:
        old = None if is_new else (current.category_id or DEFAULT_CATEGORY_ID)
        if is_new or old.lower() != category_id.lower():
            fields.append(FieldChange(CATEGORY, old, category_id,
                                      (None if is_new else current.category_name, desired.category)))
    route = None
    if not is_new and fields:
        whole = len(fields) >= options.replace_from_fields or any(c.spec.column is None for c in fields)
        route = UPDATE_ITEM if whole else UPDATE_FIELD
    for change in fields:
        old, new = change.shown or (change.old, change.new)
        diff.append(DiffRow(sku, change.spec.name, old, new, "create" if is_new else "update",
                            ADD_ITEMS if is_new else route))

    rows = {kind: RowChanges() for kind in RowKind}
    _plan_channel_rows(RowKind.PRICES, desired.channel_prices, [] if is_new else _untagged(current),
                       stock_item_id, sku, rows, diff)
    _plan_channel_rows(RowKind.TITLES, desired.channel_titles, [] if is_new else current.item_channel_titles or [],
                       stock_item_id, sku, rows, diff)
    _plan_channel_rows(RowKind.DESCRIPTIONS, desired.channel_descriptions,
                       [] if is_new else current.item_channel_descriptions or [], stock_item_id, sku, rows, diff)
    properties = [] if is_new else current.item_extended_properties or []
    legacy = []  # an earlier version's image ledger: pimflow's bookkeeping, not the customer's property
    if desired.images is not None and LEGACY_LEDGER_PROPERTY not in desired.extended_properties:
        legacy = [row for row in properties if row.propery_name == LEGACY_LEDGER_PROPERTY]
    _plan_properties(desired.extended_properties, [row for row in properties if row not in legacy],
                     stock_item_id, sku, options.property_type, rows[RowKind.PROPERTIES], diff)
    for row in legacy:
        rows[RowKind.PROPERTIES].deletes.append(row.pk_row_id)
        diff.append(DiffRow(sku, f"property[{row.propery_name}]", row.property_value, None, "delete",
                            RowKind.PROPERTIES.endpoint("Delete")))

    images = None
    if desired.images is not None:
        entries = ledger or [entry for row in legacy for entry in parse_legacy_ledger(row.property_value)]
        images = plan_images(desired.images, [] if is_new else current.images or [], entries,
                             options.delete_dropped_images)
        images.read = list(ledger or [])  # the legacy entries are still to be recorded in the ledger
        diff.extend(_image_diff(sku, images, options.image_mode))
    return ItemPlan(sku=sku, stock_item_id=stock_item_id, is_new=is_new, fields=fields, rows=rows,
                    images=images, diff=diff, field_route=route)


def _untagged(current: StockItemFull) -> list[ItemPrice]:
    # Tagged prices (Tag set) are separate rows for the same channel: not what a profile manages.
    return [row for row in current.item_channel_prices or [] if not row.tag]


_VALUE_ATTR = {RowKind.PRICES: "price", RowKind.TITLES: "title", RowKind.DESCRIPTIONS: "description"}
_DIFF_NAME = {RowKind.PRICES: "price", RowKind.TITLES: "channel_title", RowKind.DESCRIPTIONS: "channel_description"}


def _new_row(kind: RowKind, stock_item_id: str, key: ChannelKey, value: Any) -> Wire:
    source, sub_source = key
    if kind is RowKind.PRICES:
        return ItemPrice(pk_row_id=ids.price_row_id(stock_item_id, source, sub_source), stock_item_id=stock_item_id,
                         source=source, sub_source=sub_source, price=value)
    if kind is RowKind.TITLES:
        return ItemTitle(pk_row_id=ids.title_row_id(stock_item_id, source, sub_source), stock_item_id=stock_item_id,
                         source=source, sub_source=sub_source, title=value)
    return ItemDescription(pk_row_id=ids.description_row_id(stock_item_id, source, sub_source),
                           stock_item_id=stock_item_id, source=source, sub_source=sub_source, description=value)


def _plan_channel_rows(kind: RowKind, desired: dict, current: list, stock_item_id: str, sku: str,
                       rows: dict[RowKind, RowChanges], diff: list[DiffRow]) -> None:
    by_key: dict[ChannelKey, list] = {}
    for row in current:
        by_key.setdefault((row.source.casefold(), row.sub_source.casefold()), []).append(row)
    attr, changes, numeric = _VALUE_ATTR[kind], rows[kind], kind is RowKind.PRICES
    for key, value in desired.items():
        found = by_key.get((key[0].casefold(), key[1].casefold()), [])
        label = f"{_DIFF_NAME[kind]}[{key[0]}|{key[1]}]"
        if value is None:
            for row in found:
                changes.deletes.append(row.pk_row_id)
                diff.append(DiffRow(sku, label, getattr(row, attr), None, "delete", kind.endpoint("Delete")))
        elif not found:
            changes.creates.append(_new_row(kind, stock_item_id, key, value))
            diff.append(DiffRow(sku, label, None, value, "create", kind.endpoint("Create")))
        elif not same_value(getattr(found[0], attr), value, numeric):
            # Update sends the row back whole (Rules, Tag, ... as read): a row update replaces the row.
            changes.updates.append(found[0].model_copy(update={attr: value}))
            diff.append(DiffRow(sku, label, getattr(found[0], attr), value, "update", kind.endpoint("Update")))


def _plan_properties(desired: dict, current: list[ExtendedProperty], stock_item_id: str, sku: str,
                     property_type: str, changes: RowChanges, diff: list[DiffRow]) -> None:
    by_name: dict[str, list[ExtendedProperty]] = {}
    for row in current:
        by_name.setdefault(row.propery_name, []).append(row)
    for name, value in desired.items():
        found = by_name.get(name, [])
        label = f"property[{name}]"
        # Linnworks allows several rows with one name; a managed name keeps exactly one.
        doomed = found if value is None else found[1:]
        for row in doomed:
            changes.deletes.append(row.pk_row_id)
            diff.append(DiffRow(sku, label, row.property_value, None, "delete",
                                RowKind.PROPERTIES.endpoint("Delete")))
        if value is None:
            continue
        if not found:
            changes.creates.append(new_property(stock_item_id, name, value, property_type))
            diff.append(DiffRow(sku, label, None, value, "create", RowKind.PROPERTIES.endpoint("Create")))
        elif not same_value(found[0].property_value, value, numeric=False):
            changes.updates.append(updated_property(found[0], stock_item_id, value))
            diff.append(DiffRow(sku, label, found[0].property_value, value, "update",
                                RowKind.PROPERTIES.endpoint("Update")))


def new_property(stock_item_id: str, name: str, value: str, property_type: str) -> ExtendedProperty:
    """A row to create: Linnworks names it (the create call takes no pkRowId)."""
    return ExtendedProperty(fk_stock_item_id=stock_item_id, propery_name=name, property_value=value,
                            property_type=property_type)


def updated_property(row: ExtendedProperty, stock_item_id: str, value: str) -> ExtendedProperty:
    return row.model_copy(update={"property_value": value, "fk_stock_item_id": row.fk_stock_item_id or stock_item_id})


def _image_diff(sku: str, plan: ImagePlan, mode: ImageMode) -> list[DiffRow]:
    rows = []
    for add in plan.adds:
        by_url = mode is ImageMode.URL and add.ref.url
        rows.append(DiffRow(sku, f"image[{add.position}]", None, add.ref.key, "add",
                            ADD_IMAGE if by_url else UPLOAD_FILE))
    if plan.set_main:
        rows.append(DiffRow(sku, "main_image", plan.current_main, plan.desired[0][1].key, "set_main",
                            SET_MAIN_IMAGE))
    rows.extend(DiffRow(sku, "image", image_id, None, "delete", DELETE_IMAGES) for image_id in plan.deletes)
    return rows
