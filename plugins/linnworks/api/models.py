"""Typed shapes of what the client sends and reads.

Field names follow the generated models of `linnworks-api-python` (snake_case of Linnworks' names);
aliases are the exact wire names, odd ones included: `pkRowId`, `fkStockItemId`, and the API's typo
`ProperyName` (spelled correctly, Linnworks silently ignores the field). Unknown fields that
Linnworks returns are kept (`extra="allow"`), so nothing read is lost on a read-merge-write.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True,
                              extra="allow")

    def wire(self) -> dict[str, Any]:
        """The JSON object Linnworks expects (unset fields left out)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class DataRequirement(StrEnum):
    """What GetStockItemsFull loads besides the header (`dataRequirements`). GetStockItemsFullByIds
    takes fewer: see `ExtendedDataRequirement`."""

    STOCK_LEVELS = "StockLevels"
    PRICING = "Pricing"
    SUPPLIER = "Supplier"
    SHIPPING_INFORMATION = "ShippingInformation"
    CHANNEL_TITLE = "ChannelTitle"
    CHANNEL_DESCRIPTION = "ChannelDescription"
    CHANNEL_PRICE = "ChannelPrice"
    EXTENDED_PROPERTIES = "ExtendedProperties"
    IMAGES = "Images"


class ExtendedDataRequirement(StrEnum):
    """GetStockItemsFullByIds' `DataRequirements`: the spec's StockItemFullExtendedDataRequirement,
    which has no Pricing and no ShippingInformation (values outside it are refused). Retail and
    purchase prices are header fields of every answer: no requirement loads them."""

    STOCK_LEVELS = "StockLevels"
    SUPPLIER = "Supplier"
    CHANNEL_TITLE = "ChannelTitle"
    CHANNEL_DESCRIPTION = "ChannelDescription"
    CHANNEL_PRICE = "ChannelPrice"
    EXTENDED_PROPERTIES = "ExtendedProperties"
    IMAGES = "Images"


class ItemField(StrEnum):
    """UpdateInventoryItemField's `fieldName` (ColumnNameType): not the StockItem property names."""

    SKU = "SKU"
    TITLE = "Title"
    VARIATION_GROUP_NAME = "VariationGroupName"
    RETAIL_PRICE = "RetailPrice"
    PURCHASE_PRICE = "PurchasePrice"
    TRACKED = "Tracked"
    BARCODE = "Barcode"
    CATEGORY = "Category"
    WEIGHT = "Weight"
    DIM_HEIGHT = "DimHeight"
    DIM_WIDTH = "DimWidth"
    DIM_DEPTH = "DimDepth"
    SERIAL_NUMBER_SCAN_REQUIRED = "SerialNumberScanRequired"
    BATCH_NUMBER_SCAN_REQUIRED = "BatchNumberScanRequired"
    # Stock-ish columns (StockLevel, MinimumLevel, BinRack, ...) are per location and MetaData,
    # TaxRate, PackageGroup, PostalService are not updatable here: use update_item (full replace).


class NewStockItem(Wire):
    """One entry of AddInventoryItemBulk (StockItemHeader). `stock_item_id` defaults to ids.stock_item_id."""

    item_number: str = Field(alias="ItemNumber", min_length=1)
    item_title: str | None = Field(None, alias="ItemTitle")
    barcode_number: str | None = Field(None, alias="BarcodeNumber")
    meta_data: str | None = Field(None, alias="MetaData")
    purchase_price: float | None = Field(None, alias="PurchasePrice")
    retail_price: float | None = Field(None, alias="RetailPrice")
    tax_rate: float | None = Field(None, alias="TaxRate")  # a percentage: 17.5, not 0.175
    category_id: str | None = Field(None, alias="CategoryId")
    package_group_id: str | None = Field(None, alias="PackageGroupId")
    postal_service_id: str | None = Field(None, alias="PostalServiceId")
    height: float | None = Field(None, alias="Height")
    width: float | None = Field(None, alias="Width")
    depth: float | None = Field(None, alias="Depth")
    weight: float | None = Field(None, alias="Weight")
    is_variation_parent: bool | None = Field(None, alias="IsVariationParent")
    stock_item_id: str | None = Field(None, alias="StockItemId")


class ItemFailure(BaseModel):
    sku: str
    message: str


class BulkAddResult(BaseModel):
    """Per-SKU outcome of adding items: what landed (SKU -> StockItemId) and what Linnworks refused."""

    added: dict[str, str] = Field(default_factory=dict)
    failed: list[ItemFailure] = Field(default_factory=list)


class InventoryItem(Wire):
    """GetInventoryItemById / UpdateInventoryItem (StockItemInv): the whole item, for full replaces."""

    stock_item_id: str | None = Field(None, alias="StockItemId")
    item_number: str | None = Field(None, alias="ItemNumber")
    item_title: str | None = Field(None, alias="ItemTitle")
    barcode_number: str | None = Field(None, alias="BarcodeNumber")
    meta_data: str | None = Field(None, alias="MetaData")
    item_description: str | None = Field(None, alias="ItemDescription")
    purchase_price: float | None = Field(None, alias="PurchasePrice")
    retail_price: float | None = Field(None, alias="RetailPrice")
    tax_rate: float | None = Field(None, alias="TaxRate")
    category_id: str | None = Field(None, alias="CategoryId")
    package_group_id: str | None = Field(None, alias="PackageGroupId")
    postal_service_id: str | None = Field(None, alias="PostalServiceId")
    height: float | None = Field(None, alias="Height")
    width: float | None = Field(None, alias="Width")
    depth: float | None = Field(None, alias="Depth")
    weight: float | None = Field(None, alias="Weight")
    variation_group_name: str | None = Field(None, alias="VariationGroupName")
    creation_date: str | None = Field(None, alias="CreationDate")  # kept as sent, for round trips


class ChannelRow(Wire):
    """A row of an item for one channel (Source, SubSource), with its own client-side id."""

    pk_row_id: str | None = Field(None, alias="pkRowId")
    stock_item_id: str | None = Field(None, alias="StockItemId")
    source: str = Field("", alias="Source")
    sub_source: str = Field("", alias="SubSource")


class ItemPrice(ChannelRow):
    """StockItemPrice: a channel price row, keyed by (item, Source, SubSource, Tag)."""

    price: float | None = Field(None, alias="Price")
    tag: str | None = Field(None, alias="Tag")
    update_status: str | None = Field(None, alias="UpdateStatus")


class ItemTitle(ChannelRow):
    title: str | None = Field(None, alias="Title")


class ItemDescription(ChannelRow):
    description: str | None = Field(None, alias="Description")


class ExtendedProperty(Wire):
    pk_row_id: str | None = Field(None, alias="pkRowId")
    fk_stock_item_id: str | None = Field(None, alias="fkStockItemId")
    item_number: str | None = Field(None, alias="ItemNumber")  # update rows may carry the SKU
    propery_name: str = Field(alias="ProperyName")  # sic: Linnworks' spelling
    property_value: str | None = Field(None, alias="PropertyValue")
    property_type: str = Field("Attribute", alias="PropertyType")


class StockLocationRef(Wire):
    stock_location_id: str | None = Field(None, alias="StockLocationId")
    location_name: str | None = Field(None, alias="LocationName")


class StockLevel(Wire):
    """StockItemLevel: one item at one location. `available` = stock_level - in open orders (may be < 0)."""

    location: StockLocationRef | None = Field(None, alias="Location")
    stock_item_id: str | None = Field(None, alias="StockItemId")
    sku: str | None = Field(None, alias="SKU")
    stock_level: int | None = Field(None, alias="StockLevel")
    in_order_book: int | None = Field(None, alias="InOrderBook")
    in_orders: int | None = Field(None, alias="InOrders")
    available: int | None = Field(None, alias="Available")
    due: int | None = Field(None, alias="Due")
    minimum_level: int | None = Field(None, alias="MinimumLevel")


class StockLevelUpdate(Wire):
    """SetStockLevel row: an ABSOLUTE level for a SKU at a location (not a delta)."""

    sku: str = Field(alias="SKU")
    location_id: str = Field(alias="LocationId")
    level: int = Field(alias="Level")


class StockLocation(Wire):
    stock_location_id: str = Field(alias="StockLocationId")
    location_name: str | None = Field(None, alias="LocationName")
    location_tag: str | None = Field(None, alias="LocationTag")
    is_fulfillment_center: bool | None = Field(None, alias="IsFulfillmentCenter")
    is_warehouse_managed: bool | None = Field(None, alias="IsWarehouseManaged")


class Channel(Wire):
    """A sales channel: `source`/`sub_source` are what price/title/description rows refer to."""

    source: str = Field(alias="Source")
    sub_source: str = Field("", alias="SubSource")
    source_type: str | None = Field(None, alias="SourceType")
    channel_id: int | None = Field(None, validation_alias=AliasChoices("PkChannelId", "ChannelId", "channel_id"))
    display_name: str | None = Field(None, alias="DisplayName")


class ItemImage(Wire):
    pk_row_id: str | None = Field(None, alias="pkRowId")
    stock_item_id: str | None = Field(None, alias="StockItemId")
    source: str | None = Field(None, alias="Source")  # thumbnail URL
    full_source: str | None = Field(None, alias="FullSource")
    is_main: bool | None = Field(None, alias="IsMain")
    sort_order: int | None = Field(None, alias="SortOrder")
    checksum: str | None = Field(None, alias="CheckSumValue")  # MD5 of the image's bytes
    raw_checksum: str | None = Field(None, alias="RawChecksum")  # "Raw file checksum (original and unaltered)"

    def checksums(self) -> frozenset[str]:
        """Both checksums Linnworks keeps, in lower case: an image's bytes match either."""
        return frozenset(value.lower() for value in (self.checksum, self.raw_checksum) if value)


class AddedImage(Wire):
    """AddImageToInventoryItem's answer."""

    stock_item_id: str | None = Field(None, alias="StockItemId")
    image_id: str | None = Field(None, alias="ImageId")
    image_url: str | None = Field(None, alias="ImageUrl")
    image_thumbnail_url: str | None = Field(None, alias="ImageThumbnailUrl")


class PictureSource(Wire):
    """UploadImagesToInventoryItem's answer, one per attached image."""

    picture_id: str | None = Field(None, alias="PictureId")
    source: str | None = Field(None, alias="Source")
    is_main: bool | None = Field(None, alias="IsMain")
    sort_order: int | None = Field(None, alias="SortOrder")


class ImageDeleteFailure(BaseModel):
    """One image DeleteInventoryItemImageBulk did not delete (ids as far as Linnworks named them)."""

    stock_item_id: str | None = None
    image_id: str | None = None
    message: str


class StockItemFull(Wire):
    """GetStockItemsFull(ByIds) row: the header plus whatever the data requirements loaded."""

    stock_item_id: str = Field(alias="StockItemId")
    item_number: str | None = Field(None, alias="ItemNumber")
    item_title: str | None = Field(None, alias="ItemTitle")
    barcode_number: str | None = Field(None, alias="BarcodeNumber")
    meta_data: str | None = Field(None, alias="MetaData")
    purchase_price: float | None = Field(None, alias="PurchasePrice")
    retail_price: float | None = Field(None, alias="RetailPrice")
    tax_rate: float | None = Field(None, alias="TaxRate")
    category_id: str | None = Field(None, alias="CategoryId")
    category_name: str | None = Field(None, alias="CategoryName")
    height: float | None = Field(None, alias="Height")
    width: float | None = Field(None, alias="Width")
    depth: float | None = Field(None, alias="Depth")
    weight: float | None = Field(None, alias="Weight")
    stock_levels: list[StockLevel] | None = Field(None, alias="StockLevels")
    item_channel_prices: list[ItemPrice] | None = Field(None, alias="ItemChannelPrices")
    item_channel_titles: list[ItemTitle] | None = Field(None, alias="ItemChannelTitles")
    item_channel_descriptions: list[ItemDescription] | None = Field(None, alias="ItemChannelDescriptions")
    item_extended_properties: list[ExtendedProperty] | None = Field(None, alias="ItemExtendedProperties")
    images: list[ItemImage] | None = Field(None, alias="Images")
