"""JSON shapes of Linnworks answers (field names as in the generated client's models)."""
from __future__ import annotations

import uuid

from .store import ItemRecord, Store

_ROWID_NS = uuid.UUID("6f1a0c3e-0000-4000-8000-00000000beef")

# GetStockItemsFull's dataRequirements (StockInformationDataRequirement): names and their numbers.
DATA_REQUIREMENTS = ["StockLevels", "Pricing", "Supplier", "ShippingInformation", "ChannelTitle",
                     "ChannelDescription", "ChannelPrice", "ExtendedProperties", "Images"]
# GetStockItemsFullByIds' DataRequirements (StockItemFullExtendedDataRequirement): a different enum,
# without Pricing and ShippingInformation; numbered in the spec's order (a live `[1]` filled Suppliers).
EXTENDED_DATA_REQUIREMENTS = ["StockLevels", "Supplier", "ChannelTitle", "ChannelDescription", "ChannelPrice",
                              "ExtendedProperties", "Images"]


def _base(record: ItemRecord) -> dict:
    f = record.fields
    return {
        "ItemNumber": f["ItemNumber"], "ItemTitle": f["ItemTitle"], "BarcodeNumber": f["BarcodeNumber"],
        "MetaData": f["MetaData"], "IsVariationParent": f["IsVariationParent"],
        "isBatchedStockType": f["isBatchedStockType"], "PurchasePrice": f["PurchasePrice"],
        "RetailPrice": f["RetailPrice"], "TaxRate": f["TaxRate"], "PostalServiceId": f["PostalServiceId"],
        "PostalServiceName": f["PostalServiceName"], "CategoryId": f["CategoryId"],
        "CategoryName": f["CategoryName"], "PackageGroupId": f["PackageGroupId"],
        "PackageGroupName": f["PackageGroupName"], "Height": f["Height"], "Width": f["Width"],
        "Depth": f["Depth"], "Weight": f["Weight"], "CreationDate": record.created,
        "InventoryTrackingType": f["InventoryTrackingType"],
        "BatchNumberScanRequired": f["BatchNumberScanRequired"],
        "SerialNumberScanRequired": f["SerialNumberScanRequired"],
        "StockItemId": record.id, "StockItemIntId": record.int_id,
    }


def totals(store: Store, record: ItemRecord) -> dict:
    """Item-level stock figures: sums over locations; MinimumLevel is the Default location's."""
    quantity = sum(row["StockLevel"] for row in record.levels.values())
    in_order = sum(row["InOrderBook"] for row in record.levels.values())
    due = sum(row["Due"] for row in record.levels.values())
    default = record.levels.get(store.locations[0]["StockLocationId"]) if store.locations else None
    return {"Quantity": quantity, "InOrder": in_order, "Due": due,
            "MinimumLevel": default["MinimumLevel"] if default else 0, "Available": quantity - in_order}


def stock_item_inv(store: Store, record: ItemRecord) -> dict:
    """GetInventoryItemById: StockItemInv."""
    f = record.fields
    return {"VariationGroupName": f["VariationGroupName"], "ItemDescription": f["ItemDescription"],
            **totals(store, record), "IsCompositeParent": f["IsCompositeParent"],
            "ShippedSeparately": f["ShippedSeparately"], **_base(record)}


def stock_item(store: Store, record: ItemRecord) -> dict:
    """Stock/GetStockItems rows: StockItem (no VariationGroupName)."""
    item = stock_item_inv(store, record)
    item.pop("VariationGroupName")
    return item


def location_ref(loc: dict, bin_rack: str = "") -> dict:
    return {"StockLocationId": loc["StockLocationId"], "StockLocationIntId": loc["StockLocationIntId"],
            "LocationName": loc["LocationName"], "LocationTag": loc["LocationTag"],
            "IsFulfillmentCenter": loc["IsFulfillmentCenter"], "IsWarehouseManaged": loc["IsWarehouseManaged"],
            "BinRack": bin_rack}


_ZERO_LEVEL = {"StockLevel": 0, "InOrderBook": 0, "Due": 0, "MinimumLevel": 0, "JIT": False, "BinRack": "",
               "LastUpdateDate": None, "LastUpdateOperation": ""}


def level_row(record: ItemRecord, loc: dict) -> dict:
    """StockItemLevel. Available = StockLevel - InOrderBook and goes negative when oversold."""
    row = record.levels.get(loc["StockLocationId"], _ZERO_LEVEL)
    unit_cost = record.fields["PurchasePrice"]
    return {
        "Location": location_ref(loc, row["BinRack"]),
        "StockLevel": row["StockLevel"], "StockValue": round(row["StockLevel"] * unit_cost, 4),
        "MinimumLevel": row["MinimumLevel"], "InOrderBook": row["InOrderBook"], "Due": row["Due"],
        "JIT": row["JIT"], "InOrders": row["InOrderBook"], "Available": row["StockLevel"] - row["InOrderBook"],
        "UnitCost": unit_cost, "SKU": record.sku, "AutoAdjust": False,
        "LastUpdateDate": row["LastUpdateDate"] or record.created,
        "LastUpdateOperation": row["LastUpdateOperation"],
        "rowid": str(uuid.uuid5(_ROWID_NS, record.id + loc["StockLocationId"])), "PendingUpdate": False,
        "StockItemPurchasePrice": unit_cost, "StockItemId": record.id, "StockItemIntId": record.int_id,
    }


def levels(store: Store, record: ItemRecord) -> list[dict]:
    """One StockItemLevel per stock location (zeros where nothing was ever booked)."""
    return [level_row(record, loc) for loc in store.locations]


def price_row(record: ItemRecord, row: dict) -> dict:
    return {"Rules": row.get("Rules", []), "pkRowId": row["pkRowId"], "Source": row["Source"],
            "SubSource": row["SubSource"], "Price": row["Price"], "Tag": row["Tag"],
            "UpdateStatus": row.get("UpdateStatus", "NoChange"), "StockItemId": record.id,
            "StockItemIntId": record.int_id}


def title_row(record: ItemRecord, row: dict) -> dict:
    return {"pkRowId": row["pkRowId"], "Source": row["Source"], "SubSource": row["SubSource"],
            "Title": row["Title"], "StockItemId": record.id, "StockItemIntId": record.int_id}


def description_row(record: ItemRecord, row: dict) -> dict:
    return {"pkRowId": row["pkRowId"], "Source": row["Source"], "SubSource": row["SubSource"],
            "Description": row["Description"], "StockItemId": record.id, "StockItemIntId": record.int_id}


def ext_prop_row(record: ItemRecord, row: dict) -> dict:
    # `ProperyName` (sic) is the API's spelling, in answers as in requests.
    return {"pkRowId": row["pkRowId"], "fkStockItemId": record.id, "ProperyName": row["ProperyName"],
            "PropertyValue": row["PropertyValue"], "PropertyType": row["PropertyType"]}


def sorted_images(record: ItemRecord) -> list[dict]:
    return sorted(record.images.values(), key=lambda image: image["SortOrder"])


def image_row(record: ItemRecord, image: dict) -> dict:
    """StockItemImage; `Source` is the thumbnail URL, `FullSource` the full-size one."""
    return {"Source": image["Thumbnail"], "FullSource": image["FullSource"],
            "CheckSumValue": image["Checksum"], "pkRowId": image["pkRowId"], "IsMain": image["IsMain"],
            "SortOrder": image["SortOrder"], "ChecksumValue": image["Checksum"],
            "RawChecksum": image["Checksum"], "StockItemId": record.id, "StockItemIntId": record.int_id}


def stock_item_full(store: Store, record: ItemRecord, wanted: set[str], extended: bool = False) -> dict:
    """StockItemFull (GetStockItemsFull) or StockItemFullExtended (ByIds); lists only when requested."""
    item = {
        "Suppliers": [], "StockLevels": levels(store, record) if "StockLevels" in wanted else [],
        "ItemChannelDescriptions": [description_row(record, r) for r in record.descriptions.values()]
        if "ChannelDescription" in wanted else [],
        "ItemExtendedProperties": [ext_prop_row(record, r) for r in record.ext_props.values()]
        if "ExtendedProperties" in wanted else [],
        "ItemChannelTitles": [title_row(record, r) for r in record.titles.values()]
        if "ChannelTitle" in wanted else [],
        "ItemChannelPrices": [price_row(record, r) for r in record.prices.values()]
        if "ChannelPrice" in wanted else [],
        "Images": [image_row(record, i) for i in sorted_images(record)] if "Images" in wanted else [],
        **_base(record),
    }
    if "Pricing" in wanted or "Supplier" in wanted:
        # Suppliers are filled by Supplier (and, in GetStockItemsFull, Pricing); the sandbox keeps one default.
        item["Suppliers"] = [supplier_row(record)]
    if extended:
        item.pop("IsVariationParent")
        item["IsCompositeParent"] = record.fields["IsCompositeParent"]
    return item


def supplier_row(record: ItemRecord) -> dict:
    price = record.fields["PurchasePrice"]
    return {"IsDefault": True, "Supplier": "Default supplier", "SupplierID": "6f1a0c3e-0000-4000-8000-0000000005a1",
            "Code": record.sku, "SupplierBarcode": record.fields["BarcodeNumber"], "LeadTime": 0,
            "PurchasePrice": price, "MinPrice": price, "MaxPrice": price, "AveragePrice": price,
            "AverageLeadTime": 0.0, "SupplierMinOrderQty": 0, "SupplierPackSize": 0, "SupplierCurrency": "GBP",
            "StockItemId": record.id, "StockItemIntId": record.int_id}
