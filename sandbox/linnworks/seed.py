"""Demo account: channels, stock locations and N items with prices, titles and stock levels."""
from __future__ import annotations

import random
import uuid

from .params import ZERO_GUID
from .store import Store

LONDON_WAREHOUSE = "6f1a0c3e-0000-4000-8000-00000000a001"
FBA_UK = "6f1a0c3e-0000-4000-8000-00000000a002"

CHANNELS = [("AMAZON", "Amazon UK", "AMAZON"), ("EBAY", "eBay DE", "EBAY"), ("SHOPIFY", "Shop", "SHOPIFY")]


def _location(location_id: str, int_id: int, name: str, tag: str = "", fulfilment: bool = False) -> dict:
    return {"StockLocationId": location_id, "LocationName": name, "Address1": "", "Address2": "", "City": "",
            "County": "", "Country": "United Kingdom", "ZipCode": "", "IsNotTrackable": False,
            "LocationTag": tag, "IsFulfillmentCenter": fulfilment, "CountInOrderUntilAcknowledgement": True,
            "FulfilmentCenterDeductStockWhenProcessed": False, "IsWarehouseManaged": False,
            "StockLocationIntId": int_id}


def _channel(channel_id: int, source: str, sub_source: str, source_type: str) -> dict:
    # AnyConfig (spec) fields plus the legacy InventoryChannel ones (SourceVersion is a config object there).
    return {"PkChannelId": channel_id, "ChannelId": channel_id, "Source": source, "SubSource": sub_source,
            "SourceType": source_type, "DisplayName": f"{source} - {sub_source}", "IsHidden": False,
            "IsHeaderOnly": False}


def _ean13(number: int) -> str:
    digits = f"{number:012d}"[-12:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def seed(store: Store, items: int = 100, seed_value: int = 42) -> None:
    """Reset the account to a deterministic demo catalogue (sessions survive)."""
    rng = random.Random(seed_value)

    def guid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    store.reset()
    store.locations = [_location(ZERO_GUID, 1, "Default"), _location(LONDON_WAREHOUSE, 2, "London Warehouse", "LDN"),
                       _location(FBA_UK, 3, "Amazon FBA UK", "FBA", fulfilment=True)]
    store.channels = [_channel(i + 1, *channel) for i, channel in enumerate(CHANNELS)]
    for n in range(1, items + 1):
        retail = round(rng.uniform(5, 200), 2)
        record = store.add_item(guid(), {
            "ItemNumber": f"SKU-{n:06d}", "ItemTitle": f"Demo product {n}", "BarcodeNumber": _ean13(500000000000 + n),
            "RetailPrice": retail, "PurchasePrice": round(retail * rng.uniform(0.35, 0.6), 2), "TaxRate": 20.0,
            "Weight": float(rng.randrange(50, 5000)), "Height": float(rng.randrange(1, 60)),
            "Width": float(rng.randrange(1, 60)), "Depth": float(rng.randrange(1, 60)),
            "CategoryName": "Default", "MetaData": "", "ItemDescription": f"Description of demo product {n}"})
        default = store.level(record, ZERO_GUID)
        default["StockLevel"] = rng.randrange(0, 100)
        default["InOrderBook"] = rng.choice((0, 0, 0, 1, 2, 5))  # sometimes more than on hand: Available < 0
        if n % 3 == 0:
            store.level(record, LONDON_WAREHOUSE)["StockLevel"] = rng.randrange(0, 40)
        price_id, title_id = guid(), guid()
        store.add_row("prices", record, price_id, {
            "pkRowId": price_id, "Source": "AMAZON", "SubSource": "Amazon UK", "Price": round(retail * 1.1, 2),
            "Tag": "", "UpdateStatus": "NoChange", "Rules": []})
        store.add_row("titles", record, title_id, {
            "pkRowId": title_id, "Source": "EBAY", "SubSource": "eBay DE", "Title": f"Demo-Produkt {n}"})
