"""Compositions (kits) and categories as the sandbox serves them."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration


def _row(lw, parent, component, quantity):
    return {"StockItemId": lw.item_id(parent), "LinkedStockItemId": lw.item_id(component), "Quantity": quantity}


def _compose(lw, *rows, method="Create"):
    return lw.call(f"Inventory/{method}InventoryItemCompositions", json={"inventoryItemCompositions": list(rows)})


def test_rows_are_created_read_in_bulk_and_flag_the_parent(lw):
    answer = _compose(lw, _row(lw, "SKU-000001", "SKU-000002", 2), _row(lw, "SKU-000001", "SKU-000003", 1))
    assert answer.status_code == 204

    by_ids = lw.ok("Inventory/GetInventoryItemsCompositionByIds", json={"request": {
        "InventoryItemIds": [lw.item_id("SKU-000001"), lw.item_id("SKU-000004")]}})
    rows = by_ids["InventoryItemsCompositionByIds"]
    assert [(r["SKU"], r["Quantity"], r["StockItemId"]) for r in rows[lw.item_id("SKU-000001")]] == [
        ("SKU-000002", 2, lw.item_id("SKU-000001")), ("SKU-000003", 1, lw.item_id("SKU-000001"))]
    assert rows[lw.item_id("SKU-000004")] == []
    stored = lw.stored("SKU-000001")
    assert stored["item"]["IsCompositeParent"] is True and stored["composition"] == {"SKU-000002": 2, "SKU-000003": 1}
    assert lw.stored("SKU-000002")["component_of"] == {"SKU-000001": 2}
    assert lw.control("GET", "compositions").json() == {"SKU-000001": {"SKU-000002": 2, "SKU-000003": 1}}


def test_a_row_twice_violates_the_primary_key_and_nothing_lands(lw):
    _compose(lw, _row(lw, "SKU-000001", "SKU-000002", 2))
    answer = _compose(lw, _row(lw, "SKU-000001", "SKU-000003", 1), _row(lw, "SKU-000001", "SKU-000002", 5))

    assert answer.status_code == 400 and answer.json()["Message"].startswith("Violation of PRIMARY KEY")
    assert lw.stored("SKU-000001")["composition"] == {"SKU-000002": 2}


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantities_must_be_positive(lw, quantity):
    answer = _compose(lw, _row(lw, "SKU-000001", "SKU-000002", quantity))
    assert answer.status_code == 400 and "greater than 0" in answer.json()["Message"]


def test_components_must_exist(lw):
    row = {"StockItemId": lw.item_id("SKU-000001"), "LinkedStockItemId": str(uuid.uuid4()), "Quantity": 1}
    answer = _compose(lw, row)
    assert answer.status_code == 400 and "not found" in answer.json()["Message"]


def test_a_kit_can_not_contain_itself(lw):
    _compose(lw, _row(lw, "SKU-000001", "SKU-000002", 1))
    answer = _compose(lw, _row(lw, "SKU-000002", "SKU-000001", 1))
    assert answer.status_code == 400


def test_update_changes_quantities_and_delete_takes_component_ids(lw):
    _compose(lw, _row(lw, "SKU-000001", "SKU-000002", 2), _row(lw, "SKU-000001", "SKU-000003", 1))
    assert _compose(lw, _row(lw, "SKU-000001", "SKU-000002", 6), method="Update").status_code == 204
    lw.ok("Inventory/DeleteInventoryItemCompositions", json={
        "stockItemId": lw.item_id("SKU-000001"), "inventoryItemCompositionIds": [lw.item_id("SKU-000003")]})

    rows = lw.ok("Inventory/GetInventoryItemCompositions", "GET",
                 params={"inventoryItemId": lw.item_id("SKU-000001"), "getFullDetail": "false"})
    assert [(r["SKU"], r["Quantity"]) for r in rows] == [("SKU-000002", 6)]
    lw.ok("Inventory/DeleteInventoryItemCompositions", json={
        "stockItemId": lw.item_id("SKU-000001"), "inventoryItemCompositionIds": [lw.item_id("SKU-000002")]})
    assert lw.stored("SKU-000001")["item"]["IsCompositeParent"] is False


def test_full_detail_resolves_inner_kits(lw):
    _compose(lw, _row(lw, "SKU-000002", "SKU-000003", 2))
    _compose(lw, _row(lw, "SKU-000001", "SKU-000002", 3))
    rows = lw.ok("Inventory/GetInventoryItemCompositions", "GET",
                 params={"inventoryItemId": lw.item_id("SKU-000001"), "getFullDetail": "true"})
    assert [(r["SKU"], r["Quantity"]) for r in rows] == [("SKU-000003", 6)]


def test_by_ids_takes_at_most_100_ids(lw):
    answer = lw.call("Inventory/GetInventoryItemsCompositionByIds",
                     json={"request": {"InventoryItemIds": [str(uuid.uuid4()) for _ in range(101)]}})
    assert answer.status_code == 400
    assert answer.json()["Message"] == "The maximum items count for this call is 100"


# -- categories ----------------------------------------------------------------------------------

def test_categories_are_created_with_the_clients_id_and_set_on_items(lw):
    category_id = str(uuid.uuid4())
    created = lw.ok("Inventory/CreateCategory", json={"categoryName": "Master/Clothing/T-shirts",
                                                      "categoryId": category_id})
    assert (created["CategoryId"], created["CategoryName"]) == (category_id, "Master/Clothing/T-shirts")
    assert {c["CategoryName"] for c in lw.ok("Inventory/GetCategories", "GET")} == {
        "Default", "Master/Clothing/T-shirts"}

    item = lw.ok("Inventory/GetInventoryItemById", "GET", params={"id": lw.item_id("SKU-000001")})
    lw.ok("Inventory/UpdateInventoryItem", json={"inventoryItem": {**item, "CategoryId": category_id}})
    lw.ok("Inventory/AddInventoryItemBulk", json={"request": {"InventoryItems": [
        {"ItemNumber": "NEW-1", "ItemTitle": "New", "CategoryId": category_id}]}})

    for sku in ("SKU-000001", "NEW-1"):
        assert lw.stored(sku)["category"] == {"CategoryId": category_id, "CategoryName": "Master/Clothing/T-shirts"}


def test_an_unknown_category_id_refuses_the_item(lw):
    answer = lw.call("Inventory/AddInventoryItem", json={"inventoryItem": {
        "StockItemId": str(uuid.uuid4()), "ItemNumber": "NEW-2", "ItemTitle": "x", "CategoryId": str(uuid.uuid4())}})
    assert answer.status_code == 400 and "Category" in answer.json()["Message"]


def test_a_category_id_twice_violates_the_primary_key_and_a_name_twice_is_refused(lw):
    category_id = str(uuid.uuid4())
    lw.ok("Inventory/CreateCategory", json={"categoryName": "Toys", "categoryId": category_id})
    again = lw.call("Inventory/CreateCategory", json={"categoryName": "Toys", "categoryId": category_id})
    assert again.status_code == 400 and again.json()["Message"].startswith("Violation of PRIMARY KEY")
    named = lw.call("Inventory/CreateCategory", json={"categoryName": "toys"})
    assert named.status_code == 400 and "already exists" in named.json()["Message"]


def test_renaming_a_category_renames_it_on_items_and_a_used_one_can_not_be_deleted(lw):
    category = lw.ok("Inventory/CreateCategory", json={"categoryName": "Toys"})
    lw.ok("Inventory/UpdateInventoryItemField", json={
        "inventoryItemId": lw.item_id("SKU-000001"), "fieldName": "Category", "fieldValue": "Toys"})
    lw.ok("Inventory/UpdateCategory", json={"category": {"CategoryId": category["CategoryId"], "CategoryName": "Games"}})
    assert lw.stored("SKU-000001")["category"]["CategoryName"] == "Games"

    refused = lw.call("Inventory/DeleteCategoryById", json={"categoryId": category["CategoryId"]})
    assert refused.status_code == 400 and refused.json()["Message"] == "Category is in use"
