"""Injected faults (before and after commit), random 5xx, latency, stats, settings and seed controls."""
from __future__ import annotations

import json
import uuid

import pytest

pytestmark = pytest.mark.integration


def _bulk(lw, skus):
    items = [{"StockItemId": str(uuid.uuid5(uuid.NAMESPACE_URL, s)), "ItemNumber": s, "ItemTitle": s} for s in skus]
    return lw.call("Inventory/AddInventoryItemBulk", json={"request": {"InventoryItems": items}})


def test_fail_next_before_commit_applies_nothing(lw):
    lw.settings(fail_next=[{"method": "Inventory/AddInventoryItemBulk", "status": 503}])
    failed = _bulk(lw, ["F-1"])
    assert failed.status_code == 503
    assert lw.control("GET", "items/F-1").status_code == 404
    assert _bulk(lw, ["F-1"]).json()["ResultStatus"] == "SUCCESSFUL"  # only the next call fails


def test_fail_next_after_commit_applies_then_loses_the_answer(lw):
    lw.settings(fail_next=[{"method": "Inventory/AddInventoryItemBulk", "status": 500, "after_commit": True}])
    assert _bulk(lw, ["F-2"]).status_code == 500
    assert lw.stored("F-2")["status"] == "live"
    retry = _bulk(lw, ["F-2"]).json()  # a naive retry now meets its own first attempt
    assert retry["ResultStatus"] == "FAILED"
    assert lw.settings()["fail_next"] == []


def test_fail_next_after_commit_on_a_price_create_turns_the_retry_into_a_pk_violation(lw):
    lw.settings(fail_next=[{"method": "Inventory/CreateInventoryItemPrices", "after_commit": True}])
    row = {"pkRowId": str(uuid.uuid4()), "StockItemId": lw.item_id("SKU-000001"), "Source": "SHOPIFY",
           "SubSource": "Shop", "Price": 3.0}
    assert lw.call("Inventory/CreateInventoryItemPrices", json={"inventoryItemPrices": [row]}).status_code == 500
    retry = lw.call("Inventory/CreateInventoryItemPrices", json={"inventoryItemPrices": [row]})
    assert retry.status_code == 400 and "PRIMARY KEY" in retry.json()["Message"]
    assert [p["pkRowId"] for p in lw.stored("SKU-000001")["prices"]].count(row["pkRowId"]) == 1


def test_fail_next_only_hits_its_method(lw):
    lw.settings(fail_next=[{"method": "Inventory/GetChannels", "status": 502}])
    assert lw.call("Inventory/GetStockLocations", "GET").status_code == 200
    assert lw.call("Inventory/GetChannels", "GET").status_code == 502
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200


def _retitle(lw, sku, title, form=False):
    body = {"inventoryItemId": lw.item_id(sku), "fieldName": "Title", "fieldValue": title}
    if form:  # form fields holding JSON strings name the item too
        return lw.call("Inventory/UpdateInventoryItemField", data={k: json.dumps(v) for k, v in body.items()})
    return lw.call("Inventory/UpdateInventoryItemField", json=body)


def test_fail_next_for_some_skus_fails_only_the_calls_naming_them_as_many_times_as_asked(lw):
    lw.settings(fail_next=[{"method": "Inventory/UpdateInventoryItemField", "status": 503,
                            "skus": ["SKU-000002", "SKU-000004"], "times": 3}])
    assert _retitle(lw, "SKU-000001", "untouched").status_code == 200  # named by StockItemId only
    assert [_retitle(lw, "SKU-000002", "retried").status_code for _ in range(2)] == [503, 503]
    assert _retitle(lw, "SKU-000004", "other", form=True).status_code == 503
    assert lw.settings()["fail_next"] == []  # three calls used it up
    assert _retitle(lw, "SKU-000002", "repaired").status_code == 200
    assert [lw.stored(s)["item"]["ItemTitle"] for s in ("SKU-000001", "SKU-000002", "SKU-000004")] == [
        "untouched", "repaired", lw.stored("SKU-000004")["item"]["ItemTitle"]]
    assert lw.stored("SKU-000004")["item"]["ItemTitle"] != "other"


def test_fail_next_for_a_sku_matches_it_by_sku_in_a_bulk_call_and_counts_down_what_is_left(lw):
    lw.settings(fail_next=[{"method": "Inventory/AddInventoryItemBulk", "skus": ["F-9"], "times": 2}])
    assert _bulk(lw, ["F-8"]).json()["ResultStatus"] == "SUCCESSFUL"
    assert _bulk(lw, ["F-9", "F-10"]).status_code == 500
    assert lw.settings()["fail_next"][0]["times"] == 1
    assert lw.control("GET", "items/F-10").status_code == 404  # the whole call failed


def test_error_rate_one_fails_every_call_and_zero_none(lw):
    lw.settings(error_rate_5xx=1.0)
    answers = [lw.call("Inventory/GetChannels", "GET") for _ in range(3)]
    assert [a.status_code for a in answers] == [500] * 3
    assert answers[0].json()["Message"] == "An error has occurred."
    lw.settings(error_rate_5xx=0.0)
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200


def test_fault_seed_makes_random_faults_repeatable(lw):
    def run():
        lw.settings(error_rate_5xx=0.5, fault_seed=7)
        return [lw.call("Inventory/GetChannels", "GET").status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert {200, 500} == set(first)


def test_lost_answer_rate_applies_the_write_then_answers_500_and_never_touches_reads(lw):
    lw.settings(lost_answer_rate=1.0)
    assert _bulk(lw, ["L-1"]).status_code == 500
    assert lw.stored("L-1")["status"] == "live"  # it landed all the same
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200
    assert lw.call("Inventory/GetStockItemIdsBySKU", json={"request": {"SKUS": ["L-1"]}}).status_code == 200
    assert lw.control("GET", "stats").json()["lost_answers"] == {"Inventory/AddInventoryItemBulk": 1}
    lw.settings(lost_answer_rate=0.0)
    assert _bulk(lw, ["L-2"]).json()["ResultStatus"] == "SUCCESSFUL"


def test_a_write_refused_for_its_data_is_refused_not_lost(lw):
    lw.settings(lost_answer_rate=1.0)
    assert _bulk(lw, ["L-3"]).status_code == 500
    row = {"pkRowId": str(uuid.uuid4()), "StockItemId": lw.item_id("SKU-000001"), "Source": "SHOPIFY",
           "SubSource": "Shop", "Price": 3.0}
    assert lw.call("Inventory/CreateInventoryItemPrices", json={"inventoryItemPrices": [row]}).status_code == 500
    again = lw.call("Inventory/CreateInventoryItemPrices", json={"inventoryItemPrices": [row]})
    assert again.status_code == 400  # the handler's own answer: nothing applied, nothing lost


def test_faults_on_writes_leaves_reads_alone(lw):
    lw.settings(error_rate_5xx=1.0, faults_on="writes")
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200
    assert _bulk(lw, ["W-1"]).status_code == 500
    assert lw.control("GET", "items/W-1").status_code == 404  # failed before anything was applied
    lw.settings(faults_on="all")
    assert lw.call("Inventory/GetChannels", "GET").status_code == 500


def test_latency_is_added_to_each_call_on_both_hosts(lw, clock):
    assert lw.token  # authorized before the switch
    lw.settings(latency_ms=150)
    assert lw.authorize().status_code == 200
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200
    assert lw.call("Inventory/NoSuchMethod").status_code == 404  # unknown methods answer at once
    assert clock.sleeps == [0.15, 0.15]  # the auth host's call and the data host's
    lw.settings(latency_ms=0)
    lw.call("Inventory/GetChannels", "GET")
    assert clock.sleeps == [0.15, 0.15]


def test_stats_count_calls_per_method_status_and_auth(lw):
    lw.call("Inventory/GetChannels", "GET")
    lw.call("Inventory/GetChannels", "GET")
    lw.call("Stock/GetStockItemsFull", json={"entriesPerPage": 1, "pageNumber": 99})
    stats = lw.control("GET", "stats").json()
    assert stats["calls"] == {"Inventory/GetChannels": 2, "Stock/GetStockItemsFull": 1}
    assert stats["total"] == 3 and stats["status_codes"] == {"200": 2, "400": 1}
    assert stats["auth_calls"] == 1
    lw.control("POST", "stats/reset")
    assert lw.control("GET", "stats").json()["total"] == 0


def test_invalid_settings_are_refused_and_change_nothing(lw):
    answer = lw.control("PATCH", "settings", json={"latency_ms": 5, "error_rate_5xx": 2})
    assert answer.status_code == 400
    assert lw.control("GET", "settings").json()["latency_ms"] == 0
    assert lw.control("PATCH", "settings", json={"no_such_switch": 1}).status_code == 400


def test_seed_resets_the_account_but_keeps_sessions(lw):
    lw.ok("Inventory/AddInventoryItem", json={"inventoryItem": {
        "StockItemId": str(uuid.uuid4()), "ItemNumber": "GONE", "ItemTitle": "x"}})
    answer = lw.control("POST", "seed", json={"items": 3, "seed": 1})
    assert answer.status_code == 200 and answer.json()["locations"][0] == "00000000-0000-0000-0000-000000000000"
    assert lw.control("GET", "items/GONE").status_code == 404
    assert lw.ok("Inventory/GetInventoryItemsCount", "GET") == 3


def test_seed_is_deterministic(lw):
    lw.control("POST", "seed", json={"items": 2, "seed": 5})
    first = lw.stored("SKU-000002")
    lw.control("POST", "seed", json={"items": 2, "seed": 5})
    assert lw.stored("SKU-000002")["item"] == {**first["item"], "CreationDate": lw.stored("SKU-000002")["item"][
        "CreationDate"]}


def test_put_stock_sets_level_and_in_order_book(lw):
    answer = lw.control("PUT", "stock", json=[{"SKU": "SKU-000001", "StockLevel": 1, "InOrderBook": 4}])
    assert answer.json() == {"updated": 1}
    default = lw.stored("SKU-000001")["stock_levels"][0]
    assert (default["StockLevel"], default["InOrderBook"], default["Available"]) == (1, 4, -3)
    assert lw.control("PUT", "stock", json=[{"SKU": "NOPE", "StockLevel": 1}]).status_code == 404


def test_fail_next_with_an_unknown_method_is_refused(lw):
    answer = lw.control("PATCH", "settings", json={"fail_next": [{"method": "Inventory/AddInventoryItemBulkk"}]})
    assert answer.status_code == 400
    assert lw.control("GET", "settings").json()["fail_next"] == []


def test_fail_next_can_hit_authorize(lw):
    lw.settings(fail_next=[{"method": "Auth/AuthorizeByApplication", "status": 503}])
    assert [lw.authorize().status_code for _ in range(2)] == [503, 200]
