"""Exact parameter names and wrappers per endpoint; form-encoded JSON-string parameters."""
from __future__ import annotations

import json
import uuid

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("method, inner", [
    ("Inventory/GetStockItemIdsBySKU", {"SKUS": ["SKU-000001"]}),
    ("Inventory/AddInventoryItemBulk", {"InventoryItems": [{"ItemNumber": "N-1", "ItemTitle": "t"}]}),
    ("Stock/GetStockLevel_Batch", {"StockItemIds": [str(uuid.uuid4())]}),
    ("Inventory/GetImagesInBulk", {"SKUS": ["SKU-000001"]}),
    ("Stock/GetStockItemsFullByIds", {"StockItemIds": [str(uuid.uuid4())]}),
    ("Inventory/AddImageToInventoryItem", {"ItemNumber": "SKU-000001", "ImageUrl": "https://x.test/a.jpg"}),
])
def test_request_parameters_must_be_wrapped(lw, method, inner):
    unwrapped = lw.call(method, json=inner)
    assert unwrapped.status_code == 400
    assert unwrapped.json() == {"Message": "request is empty"}
    assert lw.call(method, json={"request": inner}).status_code == 200


def test_unwrapped_item_for_add_inventory_item_names_the_missing_parameter(lw):
    item = {"StockItemId": str(uuid.uuid4()), "ItemNumber": "N-1", "ItemTitle": "t"}
    answer = lw.call("Inventory/AddInventoryItem", json=item)
    assert answer.status_code == 400
    assert answer.json()["Message"] == "'inventoryItem' parameter is missing"
    assert lw.control("GET", "items/N-1").status_code == 404


def test_form_encoded_json_string_parameters_are_accepted(lw):
    found = lw.ok("Inventory/GetStockItemIdsBySKU", data={"request": json.dumps({"SKUS": ["SKU-000002"]})})
    assert [row["SKU"] for row in found["Items"]] == ["SKU-000002"]
    item_id = str(uuid.uuid4())
    lw.ok("Inventory/AddInventoryItem", data={"inventoryItem": json.dumps(
        {"StockItemId": item_id, "ItemNumber": "FORM-1", "ItemTitle": "From a form"})})
    assert lw.item_id("FORM-1") == item_id
    levels = lw.ok("Stock/SetStockLevel", data={
        "stockLevels": json.dumps([{"SKU": "FORM-1", "LocationId": "00000000-0000-0000-0000-000000000000",
                                    "Level": 7}]), "changeSource": "form test"})
    assert levels[0]["StockLevel"] == 7
    assert levels[0]["LastUpdateOperation"] == "form test"


def test_query_string_parameters_work_on_post(lw):
    page = lw.ok("Stock/GetStockItemsFull", params={"entriesPerPage": 5, "pageNumber": 1,
                                                     "dataRequirements": "[0]"})
    assert len(page) == 5
    assert page[0]["StockLevels"]


def test_parameter_names_bind_case_insensitively_but_misspellings_do_not(lw):
    assert lw.call("Inventory/GetStockItemIdsBySKU", json={"Request": {"skus": ["SKU-000001"]}}).json()["Items"]
    assert lw.call("Inventory/GetStockItemIdsBySKU", json={"requests": {"SKUS": ["SKU-000001"]}}).status_code == 400


def test_a_body_that_is_not_an_object_binds_nothing(lw):
    answer = lw.call("Inventory/GetStockItemIdsBySKU", json=[{"SKUS": ["SKU-000001"]}])
    assert answer.status_code == 400
    assert answer.json()["Message"] == "request is empty"


def test_wrong_type_inside_a_parameter_is_the_request_is_invalid(lw):
    answer = lw.call("Inventory/CreateInventoryItemPrices", json={"inventoryItemPrices": {"Price": 1}})
    assert answer.status_code == 400
    assert answer.json()["Message"] == "The request is invalid."
    assert "inventoryItemPrices" in answer.json()["ModelState"]


def test_bad_guid_is_reported_like_newtonsoft(lw):
    answer = lw.call("Inventory/GetInventoryItemById", "GET", params={"id": "not-a-guid"})
    assert answer.status_code == 400
    assert "to type 'System.Guid'" in answer.json()["ModelState"]["id"][0]
