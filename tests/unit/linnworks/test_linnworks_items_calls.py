"""Item-level wrappers: the documented body shapes, batching, per-SKU bulk results, read-merge-write."""
from __future__ import annotations

import pytest
from linnworks_unit_helpers import api, body_of

from linnworks.api import ids
from linnworks.api.errors import LinnworksServerError
from linnworks.api.models import ItemField, NewStockItem

LOOKUP = api("Inventory/GetStockItemIdsBySKU")
BULK = api("Inventory/AddInventoryItemBulk")


def calls_to(mocked, url):
    return [call for call in mocked.calls if call.request.url.split("?")[0] == url]


def ok(stock_id):
    return {"Result": stock_id, "ResultStatus": "SUCCESSFUL", "Message": None}


def test_sku_lookup_is_wrapped_in_request_and_batched_by_200(authorized, client):
    skus = [f"SKU-{i}" for i in range(450)]
    authorized.post(LOOKUP, json={"Items": [{"SKU": "SKU-3", "StockItemId": "id-3"}]})
    found = client.find_stock_item_ids(skus)
    sent = [body_of(call) for call in calls_to(authorized, LOOKUP)]
    assert [len(body["request"]["SKUS"]) for body in sent] == [200, 200, 50]
    assert found == {"SKU-3": "id-3"}


def test_sku_lookup_answers_in_the_callers_letter_case(authorized, client):
    authorized.post(LOOKUP, json={"Items": [{"SKU": "ABC-1", "StockItemId": "id-1"}]})
    assert client.find_stock_item_ids(["abc-1", "zzz"]) == {"abc-1": "id-1"}


def test_bulk_add_sends_client_stock_item_ids_in_batches_of_200(authorized, client):
    items = [NewStockItem(item_number=f"SKU-{i}", item_title=f"Item {i}", retail_price=9.99) for i in range(250)]
    authorized.post(BULK, json={"Results": [ok(ids.stock_item_id(f"SKU-{i}")) for i in range(200)]})
    authorized.post(BULK, json={"Results": [ok(ids.stock_item_id(f"SKU-{i}")) for i in range(200, 250)]})
    result = client.add_items(items)
    first, second = (body_of(call)["request"]["InventoryItems"] for call in calls_to(authorized, BULK))
    assert (len(first), len(second)) == (200, 50)
    assert first[0] == {"ItemNumber": "SKU-0", "ItemTitle": "Item 0", "RetailPrice": 9.99,
                        "StockItemId": ids.stock_item_id("SKU-0")}
    assert len(result.added) == 250 and not result.failed


def test_bulk_add_reports_failed_skus_with_linnworks_message_and_keeps_the_rest(authorized, client):
    items = [NewStockItem(item_number=sku) for sku in ("A", "B", "C")]
    authorized.post(BULK, json={"ResultStatus": "PARTIALLY_SUCCESSFUL", "TotalResults": 3, "Results": [
        ok(ids.stock_item_id("A")),
        {"Result": "00000000-0000-0000-0000-000000000000", "ResultStatus": "FAILED",
         "Message": "Item with SKU B already exists"},
        ok(ids.stock_item_id("C")),
    ]})
    result = client.add_items(items)
    assert result.added == {"A": ids.stock_item_id("A"), "C": ids.stock_item_id("C")}
    assert [(f.sku, f.message) for f in result.failed] == [("B", "Item with SKU B already exists")]


def test_bulk_add_reads_the_legacy_items_shape_too(authorized, client):
    authorized.post(BULK, json={"Items": [{"Item": ids.stock_item_id("A"), "Result": 0, "Message": None},
                                          {"Item": None, "Result": 1, "Message": "Bad title"}],
                                "TotalItems": 2, "Result": 1})
    result = client.add_items([NewStockItem(item_number="A"), NewStockItem(item_number="B")])
    assert list(result.added) == ["A"]
    assert result.failed[0].message == "Bad title"


def test_bulk_add_refuses_a_sku_repeated_in_one_load_without_sending_it_twice(authorized, client):
    authorized.post(BULK, json={"Results": [ok(ids.stock_item_id("A"))]})
    result = client.add_items([NewStockItem(item_number="A"), NewStockItem(item_number="A")])
    assert list(result.added) == ["A"]
    assert result.failed[0].message == "SKU appears more than once in this load"
    assert len(body_of(calls_to(authorized, BULK)[0])["request"]["InventoryItems"]) == 1


def test_bulk_add_refused_as_a_whole_reports_every_sku(authorized, client):
    authorized.post(BULK, status=400, json={"Message": "request is empty"})
    result = client.add_items([NewStockItem(item_number="A"), NewStockItem(item_number="B")])
    assert not result.added
    assert {(f.sku, f.message) for f in result.failed} == {("A", "request is empty"), ("B", "request is empty")}


def test_bulk_add_after_a_lost_response_resends_only_what_did_not_land(authorized, client):
    authorized.post(BULK, status=500, json={"Message": "An error has occurred."})
    # A landed before the response was lost; B did not; C exists as someone else's item.
    authorized.post(LOOKUP, json={"Items": [{"SKU": "A", "StockItemId": ids.stock_item_id("A")},
                                            {"SKU": "C", "StockItemId": "other-id"}]})
    authorized.post(BULK, json={"Results": [ok(ids.stock_item_id("B"))]})
    result = client.add_items([NewStockItem(item_number=s) for s in ("A", "B", "C")])
    resent = body_of(calls_to(authorized, BULK)[1])["request"]["InventoryItems"]
    assert [item["ItemNumber"] for item in resent] == ["B"]
    assert result.added == {"A": ids.stock_item_id("A"), "B": ids.stock_item_id("B")}
    assert [f.sku for f in result.failed] == ["C"]


def test_bulk_add_that_keeps_failing_raises_a_server_error(authorized, client):
    authorized.post(BULK, status=500, json={"Message": "An error has occurred."})
    authorized.post(LOOKUP, json={"Items": []})
    with pytest.raises(LinnworksServerError):
        client.add_items([NewStockItem(item_number="A")])
    assert len(calls_to(authorized, BULK)) == client.settings.max_retries + 1


def test_update_item_reads_merges_and_writes_the_whole_item(authorized, client):
    current = {"StockItemId": "id-1", "ItemNumber": "A", "ItemTitle": "Old", "BarcodeNumber": "123",
               "MetaData": "m", "TaxRate": 20, "Weight": 1.5, "SomethingNew": {"kept": True}}
    authorized.get(api("Inventory/GetInventoryItemById"), json=current)
    authorized.post(api("Inventory/UpdateInventoryItem"), body="")
    client.update_item("id-1", meta_data="new meta", tax_rate=17.5)
    (get,) = calls_to(authorized, api("Inventory/GetInventoryItemById"))
    assert get.request.url.endswith("?id=id-1")
    written = body_of(calls_to(authorized, api("Inventory/UpdateInventoryItem"))[0])["inventoryItem"]
    assert written["MetaData"] == "new meta" and written["TaxRate"] == 17.5
    # Full replace: everything read is sent back, including what the client has no field for.
    assert written["BarcodeNumber"] == "123" and written["Weight"] == 1.5 and written["ItemTitle"] == "Old"
    assert written["SomethingNew"] == {"kept": True}


def test_update_item_refuses_unknown_fields_before_calling(authorized, client):
    with pytest.raises(ValueError, match="ItemTitle"):
        client.update_item("id-1", ItemTitle="x")
    assert not calls_to(authorized, api("Inventory/GetInventoryItemById"))


def test_update_item_field_uses_column_names_and_string_values(authorized, client):
    authorized.post(api("Inventory/UpdateInventoryItemField"), json={"RetailPrice": 12.5})
    client.update_item_field("id-1", ItemField.RETAIL_PRICE, 12.5)
    body = body_of(calls_to(authorized, api("Inventory/UpdateInventoryItemField"))[0])
    assert body == {"inventoryItemId": "id-1", "fieldName": "RetailPrice", "fieldValue": "12.5"}
    with pytest.raises(ValueError):
        client.update_item_field("id-1", "ItemTitle", "x")


def test_channels_read_both_the_spec_and_the_legacy_shapes(authorized, client):
    authorized.get(api("Inventory/GetChannels"), json=[
        {"Source": "AMAZON", "SubSource": "Amazon UK", "PkChannelId": 7, "SourceType": "AMAZON"},
        {"Source": "EBAY", "SubSource": "EBAY0", "ChannelId": 9, "SourceVersion": "1"},
    ])
    channels = client.get_channels()
    assert [(c.source, c.sub_source, c.channel_id) for c in channels] == [
        ("AMAZON", "Amazon UK", 7), ("EBAY", "EBAY0", 9)]


def test_stock_locations(authorized, client):
    authorized.get(api("Inventory/GetStockLocations"), json=[
        {"StockLocationId": "00000000-0000-0000-0000-000000000000", "LocationName": "Default", "IsWarehouseManaged": False}])
    (default,) = client.get_stock_locations()
    assert default.location_name == "Default" and default.stock_location_id.startswith("0000")


def test_count_items_reads_a_bare_int(authorized, client):
    authorized.get(api("Inventory/GetInventoryItemsCount"), body="42", content_type="application/json")
    assert client.count_items() == 42
    assert "includeDeleted=false" in authorized.calls[-1].request.url


def test_bulk_answer_that_does_not_match_the_items_is_settled_by_sku_lookup(authorized, client):
    authorized.post(BULK, json={"Results": [ok(ids.stock_item_id("A"))], "TotalResults": 1})
    authorized.post(LOOKUP, json={"Items": [{"SKU": "A", "StockItemId": ids.stock_item_id("A")}]})
    result = client.add_items([NewStockItem(item_number="A"), NewStockItem(item_number="B")])
    assert list(result.added) == ["A"]
    assert [(f.sku, f.message) for f in result.failed] == [("B", "not created (no result returned)")]
