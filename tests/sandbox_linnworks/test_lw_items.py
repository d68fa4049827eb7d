"""Inventory items: client ids, duplicates, full-replace update, field update, reads, archive and delete."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration

ZERO = "00000000-0000-0000-0000-000000000000"


def _item(sku="NEW-1", **fields) -> dict:
    return {"StockItemId": str(uuid.uuid4()), "ItemNumber": sku, "ItemTitle": f"Title of {sku}", **fields}


def test_add_inventory_item_uses_the_client_guid_and_answers_empty_2xx(lw):
    item = _item(BarcodeNumber="5012345678900", RetailPrice=9.99, Weight=250)
    answer = lw.call("Inventory/AddInventoryItem", json={"inventoryItem": item})
    assert answer.status_code == 204 and answer.content == b""
    stored = lw.stored("NEW-1")["item"]
    assert stored["StockItemId"] == item["StockItemId"]
    assert (stored["BarcodeNumber"], stored["RetailPrice"], stored["Weight"]) == ("5012345678900", 9.99, 250.0)


@pytest.mark.parametrize("item_id", [None, "", ZERO])
def test_add_inventory_item_without_stock_item_id_is_refused(lw, item_id):
    item = {**_item(), "StockItemId": item_id}
    answer = lw.call("Inventory/AddInventoryItem", json={"inventoryItem": item})
    assert answer.status_code == 400
    assert answer.json()["Message"] == "StockItem StockItemId could not be empty"
    assert lw.control("GET", "items/NEW-1").status_code == 404


def test_add_inventory_item_with_a_used_id_is_a_primary_key_violation(lw):
    taken = lw.item_id("SKU-000001")
    answer = lw.call("Inventory/AddInventoryItem", json={"inventoryItem": {**_item(), "StockItemId": taken}})
    assert answer.status_code == 400
    assert "Violation of PRIMARY KEY" in answer.json()["Message"] and taken in answer.json()["Message"]


def test_add_inventory_item_with_a_taken_sku_fails_with_configurable_status(lw):
    answer = lw.call("Inventory/AddInventoryItem", json={"inventoryItem": _item("SKU-000001")})
    assert answer.status_code == 400
    assert "SKU-000001" in answer.json()["Message"]
    lw.settings(duplicate_sku_status=409)
    assert lw.call("Inventory/AddInventoryItem", json={"inventoryItem": _item("SKU-000001")}).status_code == 409


def test_sku_of_a_soft_deleted_item_answers_2xx_but_creates_nothing(lw):
    old_id = lw.item_id("SKU-000003")
    lw.ok("Inventory/DeleteInventoryItems", json={"request": {"InventoryItemIds": [old_id]}})
    item = _item("SKU-000003")
    assert lw.call("Inventory/AddInventoryItem", json={"inventoryItem": item}).status_code == 204
    stored = lw.stored("SKU-000003")
    assert stored["status"] == "deleted" and stored["item"]["StockItemId"] == old_id
    assert lw.call("Inventory/GetInventoryItemById", "GET", params={"id": item["StockItemId"]}).status_code == 400


def test_update_inventory_item_is_a_full_replace(lw):
    item = _item(BarcodeNumber="5000000000001", RetailPrice=10.0, Height=3.0, MetaData="meta")
    lw.ok("Inventory/AddInventoryItem", json={"inventoryItem": item})
    lw.ok("Inventory/UpdateInventoryItem", json={"inventoryItem": {
        "StockItemId": item["StockItemId"], "ItemNumber": "NEW-1", "ItemTitle": "Renamed"}})
    stored = lw.stored("NEW-1")["item"]
    assert stored["ItemTitle"] == "Renamed"
    assert stored["BarcodeNumber"] is None and stored["MetaData"] is None
    assert stored["RetailPrice"] == 0.0 and stored["Height"] == 0.0


def test_update_inventory_item_finds_the_item_by_sku_when_id_is_empty(lw):
    lw.ok("Inventory/UpdateInventoryItem", json={"inventoryItem": {
        "StockItemId": ZERO, "ItemNumber": "SKU-000004", "ItemTitle": "By SKU", "TaxRate": 17.5}})
    stored = lw.stored("SKU-000004")["item"]
    assert (stored["ItemTitle"], stored["TaxRate"]) == ("By SKU", 17.5)


def test_update_inventory_item_renames_sku_and_keeps_uniqueness(lw):
    item_id = lw.item_id("SKU-000005")
    lw.ok("Inventory/UpdateInventoryItem", json={"inventoryItem": {
        "StockItemId": item_id, "ItemNumber": "SKU-RENAMED", "ItemTitle": "x"}})
    assert lw.item_id("SKU-RENAMED") == item_id
    assert lw.control("GET", "items/SKU-000005").status_code == 404
    clash = lw.call("Inventory/UpdateInventoryItem", json={"inventoryItem": {
        "StockItemId": item_id, "ItemNumber": "SKU-000006", "ItemTitle": "x"}})
    assert clash.status_code == 400


@pytest.mark.parametrize("field, value, stored_as, expected", [
    ("Title", "New title", "ItemTitle", "New title"),
    ("Barcode", "4006381333931", "BarcodeNumber", "4006381333931"),
    ("DimHeight", "12.5", "Height", 12.5),
    ("RetailPrice", "19.99", "RetailPrice", 19.99),
    ("Weight", "1500", "Weight", 1500.0),
])
def test_update_inventory_item_field_takes_column_names_and_string_values(lw, field, value, stored_as, expected):
    item_id = lw.item_id("SKU-000007")
    answer = lw.ok("Inventory/UpdateInventoryItemField", json={
        "inventoryItemId": item_id, "fieldName": field, "fieldValue": value})
    assert answer == {field: expected}
    assert lw.stored("SKU-000007")["item"][stored_as] == expected


@pytest.mark.parametrize("field", ["ItemTitle", "BarcodeNumber", "TaxRate", "MetaData", "Height"])
def test_update_inventory_item_field_refuses_stock_item_property_names(lw, field):
    answer = lw.call("Inventory/UpdateInventoryItemField", json={
        "inventoryItemId": lw.item_id("SKU-000007"), "fieldName": field, "fieldValue": "1"})
    assert answer.status_code == 400
    assert answer.json()["Message"] == "The request is invalid."


def test_update_inventory_item_field_sends_stock_fields_elsewhere(lw):
    answer = lw.call("Inventory/UpdateInventoryItemField", json={
        "inventoryItemId": lw.item_id("SKU-000007"), "fieldName": "StockLevel", "fieldValue": "5"})
    assert answer.status_code == 400
    assert "UpdateInventoryItemStockField" in answer.json()["Message"]


def test_update_inventory_item_field_refuses_a_non_number_for_a_price(lw):
    answer = lw.call("Inventory/UpdateInventoryItemField", json={
        "inventoryItemId": lw.item_id("SKU-000007"), "fieldName": "RetailPrice", "fieldValue": "cheap"})
    assert answer.status_code == 400
    assert answer.json()["Message"] == "Input string was not in a correct format."


def test_get_inventory_item_by_id_returns_stock_item_inv_with_stock_totals(lw):
    item_id = lw.item_id("SKU-000001")
    lw.control("PUT", "stock", json=[{"SKU": "SKU-000001", "LocationId": ZERO, "StockLevel": 10, "InOrderBook": 4}])
    item = lw.ok("Inventory/GetInventoryItemById", "GET", params={"id": item_id})
    assert item["StockItemId"] == item_id and item["ItemNumber"] == "SKU-000001"
    assert item["InOrder"] >= 4 and item["Available"] == item["Quantity"] - item["InOrder"]
    assert "VariationGroupName" in item
    assert lw.call("Inventory/GetInventoryItemById", "GET", params={"id": str(uuid.uuid4())}).status_code == 400


def test_inventory_items_count_includes_archived_and_deleted_on_request(lw):
    ids = [lw.item_id("SKU-000001"), lw.item_id("SKU-000002")]
    lw.ok("Inventory/ArchiveInventoryItems", json={"parameters": {"InventoryItemIds": [ids[0]]}})
    lw.ok("Inventory/DeleteInventoryItems", json={"inventoryItemIds": [ids[1]]})

    def count(**flags):
        return lw.ok("Inventory/GetInventoryItemsCount", "GET", params=flags)

    assert count() == 18
    assert count(includeArchived="true") == 19
    assert count(includeArchived="true", includeDeleted="true") == 20


def test_get_stock_item_ids_by_sku_omits_unknown_archived_and_deleted(lw):
    lw.ok("Inventory/ArchiveInventoryItems", json={"parameters": {"InventoryItemIds": [lw.item_id("SKU-000002")]}})
    lw.ok("Inventory/DeleteInventoryItems", json={"request": {"InventoryItemIds": [lw.item_id("SKU-000003")]}})
    found = lw.ok("Inventory/GetStockItemIdsBySKU", json={"request": {
        "SKUS": ["SKU-000001", "NOPE", "SKU-000002", "SKU-000003", "SKU-000004"]}})
    assert [row["SKU"] for row in found["Items"]] == ["SKU-000001", "SKU-000004"]
    assert found["Items"][0]["StockItemId"] == lw.item_id("SKU-000001")


def test_archived_item_is_still_readable_by_id_and_comes_back_when_unarchived(lw):
    item_id = lw.item_id("SKU-000002")
    lw.ok("Inventory/ArchiveInventoryItems", json={"parameters": {"InventoryItemIds": [item_id]}})
    assert lw.ok("Inventory/GetInventoryItemById", "GET", params={"id": item_id})["ItemNumber"] == "SKU-000002"
    lw.ok("Inventory/UnarchiveInventoryItems", json={"parameters": {"InventoryItemIds": [item_id]}})
    found = lw.ok("Inventory/GetStockItemIdsBySKU", json={"request": {"SKUS": ["SKU-000002"]}})
    assert found["Items"][0]["StockItemId"] == item_id


def test_channels_and_locations(lw):
    channels = lw.ok("Inventory/GetChannels", "GET")
    assert {(c["Source"], c["SubSource"]) for c in channels} == {
        ("AMAZON", "Amazon UK"), ("EBAY", "eBay DE"), ("SHOPIFY", "Shop")}
    locations = lw.ok("Inventory/GetStockLocations", "GET")
    assert locations[0]["StockLocationId"] == ZERO and locations[0]["LocationName"] == "Default"
    assert len({loc["StockLocationId"] for loc in locations}) == len(locations) >= 3
