"""AddInventoryItemBulk: at most 200 items, a BatchedAPIResponse with one result per item."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration


def _header(sku: str, **fields) -> dict:
    return {"ItemNumber": sku, "ItemTitle": f"Bulk {sku}", "RetailPrice": 5.5, **fields}


def _bulk(lw, items):
    return lw.call("Inventory/AddInventoryItemBulk", json={"request": {"InventoryItems": items}})


def test_bulk_of_200_is_successful_and_returns_the_new_ids(lw):
    items = [_header(f"B-{n:03d}") for n in range(200)]
    items[0]["StockItemId"] = client_id = str(uuid.uuid4())
    answer = _bulk(lw, items)
    assert answer.status_code == 200
    body = answer.json()
    assert body["ResultStatus"] == "SUCCESSFUL" and body["TotalResults"] == 200
    assert all(r["ResultStatus"] == "SUCCESSFUL" for r in body["Results"])
    assert body["Results"][0]["Result"] == client_id
    assert lw.item_id("B-199") == body["Results"][199]["Result"]


def test_bulk_over_200_items_is_refused_whole(lw):
    answer = _bulk(lw, [_header(f"B-{n:03d}") for n in range(201)])
    assert answer.status_code == 400
    assert "200" in answer.json()["Message"]
    assert lw.control("GET", "items/B-000").status_code == 404


def test_bulk_with_some_bad_items_is_partially_successful(lw):
    items = [_header("B-OK-1"), _header("SKU-000001"), {"ItemNumber": "B-NO-TITLE"}, _header("B-OK-2"),
             _header("B-OK-1"), {"ItemTitle": "no sku"}]
    body = _bulk(lw, items).json()
    assert body["ResultStatus"] == "PARTIALLY_SUCCESSFUL" and body["TotalResults"] == 6
    statuses = [r["ResultStatus"] for r in body["Results"]]
    assert statuses == ["SUCCESSFUL", "FAILED", "FAILED", "SUCCESSFUL", "FAILED", "FAILED"]
    assert "SKU-000001" in body["Results"][1]["Message"]
    assert "ItemTitle" in body["Results"][2]["Message"]
    assert body["Results"][4]["Message"].startswith("Item with SKU 'B-OK-1'")
    assert body["Results"][1]["Result"] is None
    assert lw.stored("B-OK-2")["item"]["ItemTitle"] == "Bulk B-OK-2"
    assert lw.control("GET", "items/B-NO-TITLE").status_code == 404


def test_bulk_where_every_item_fails_is_failed_with_http_200(lw):
    answer = _bulk(lw, [_header("SKU-000001"), _header("SKU-000002")])
    assert answer.status_code == 200
    assert answer.json()["ResultStatus"] == "FAILED"


def test_bulk_item_with_a_used_stock_item_id_fails_alone(lw):
    taken = lw.item_id("SKU-000001")
    body = _bulk(lw, [_header("B-1", StockItemId=taken), _header("B-2")]).json()
    assert [r["ResultStatus"] for r in body["Results"]] == ["FAILED", "SUCCESSFUL"]
    assert "PRIMARY KEY" in body["Results"][0]["Message"]


def test_bulk_with_an_empty_list_is_a_400(lw):
    assert _bulk(lw, []).status_code == 400
