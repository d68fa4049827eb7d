"""Retry classification: what is retried, waited out, re-authorized, or raised, and as what."""
from __future__ import annotations

import pytest
import requests
from linnworks_unit_helpers import api, body_of, make_client
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from linnworks.api import ids
from linnworks.api.errors import (
    LinnworksQuotaExceeded,
    LinnworksRequestError,
    LinnworksServerError,
)
from linnworks.api.models import ExtendedProperty, ItemPrice, ItemTitle
from linnworks.api.retry import Backoff, Verdict, classify, request_never_sent
from tests.fakes import FakeClock

LEVELS = api("Stock/GetStockLevel_Batch")
QUOTA_MESSAGE = {"Message": "API calls quota exceeded! Maximum admitted 250 per Minute."}


@pytest.mark.parametrize(("status", "message", "verdict"), [
    (200, "", Verdict.OK),
    (204, "", Verdict.OK),
    (429, "API calls quota exceeded! Maximum admitted 150 per Minute.", Verdict.THROTTLED),
    (400, "API calls quota exceeded! Maximum admitted 150 per Minute.", Verdict.THROTTLED),
    (500, "API calls quota exceeded! Maximum admitted 150 per Minute.", Verdict.THROTTLED),
    (401, "Token is wrong.", Verdict.SESSION_EXPIRED),
    (400, "Token is wrong.", Verdict.SESSION_EXPIRED),
    (500, "Internal error", Verdict.SERVER_FAULT),
    (503, "", Verdict.SERVER_FAULT),
    (400, "Could not determine inventory item id from SKU", Verdict.REFUSED),
    (404, "No HTTP resource was found that matches the request URI", Verdict.REFUSED),
])
def test_classify(status, message, verdict):
    assert classify(status, message) is verdict


def test_connection_refused_was_never_sent_but_a_dropped_response_may_have_been():
    refused = requests.ConnectionError(MaxRetryError(None, "/x", NewConnectionError(None, "refused")))
    dropped = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))
    assert request_never_sent(refused)
    assert request_never_sent(requests.ConnectTimeout())
    assert not request_never_sent(dropped)
    assert not request_never_sent(requests.ReadTimeout())


def test_backoff_doubles_and_is_capped():
    backoff = Backoff(base=1, cap=5)
    assert 0.5 <= backoff.delay(1) <= 1
    assert 1 <= backoff.delay(2) <= 2
    assert 2.5 <= backoff.delay(10) <= 5


def test_server_fault_on_a_safe_read_is_retried_until_it_succeeds(authorized, client):
    authorized.post(LEVELS, status=500, json={"Message": "boom"})
    authorized.post(LEVELS, status=502, body="bad gateway")
    authorized.post(LEVELS, json=[{"pkStockItemId": "a", "StockItemLevels": [{"StockLevel": 4}]}])
    levels = client.get_stock_levels(["a"])
    assert levels["a"][0].stock_level == 4
    assert sum(1 for c in authorized.calls if c.request.url == LEVELS) == 3


def test_server_fault_that_persists_raises_server_error_after_max_retries(authorized):
    with make_client(max_retries=2) as lw:
        authorized.post(LEVELS, status=500, json={"Message": "boom"})
        with pytest.raises(LinnworksServerError) as raised:
            lw.get_stock_levels(["a"])
    assert raised.value.status == 500 and raised.value.method == "Stock/GetStockLevel_Batch"
    assert sum(1 for c in authorized.calls if c.request.url == LEVELS) == 3


def test_dropped_connection_on_a_safe_call_is_retried(authorized, client):
    authorized.post(LEVELS, body=requests.ConnectionError(ProtocolError("Connection aborted.")))
    authorized.post(LEVELS, json=[])
    assert client.get_stock_levels(["a"]) == {}


def test_adding_an_image_without_knowing_the_items_images_is_never_resent_after_a_server_fault(authorized, client):
    url = api("Inventory/AddImageToInventoryItem")
    authorized.post(url, status=500, json={"Message": "timeout talking to storage"})
    with pytest.raises(LinnworksServerError) as raised:
        client.add_image_by_url("item-1", "https://img.example/1.jpg")
    assert raised.value.maybe_committed
    assert sum(1 for c in authorized.calls if c.request.url == url) == 1


def test_adding_an_image_is_retried_when_the_connection_was_refused_before_sending(authorized, client):
    url = api("Inventory/AddImageToInventoryItem")
    authorized.post(url, body=requests.ConnectionError(
        MaxRetryError(None, "/x", NewConnectionError(None, "refused"))))
    authorized.post(url, json={"StockItemId": "item-1", "ImageId": "img-1"})
    assert client.add_image_by_url("item-1", "https://img.example/1.jpg").image_id == "img-1"


IMAGES = api("Inventory/GetInventoryItemImages")


def image_row(image_id: str, checksum: str, sort_order: int, is_main: bool = False) -> dict:
    return {"pkRowId": image_id, "CheckSumValue": checksum, "SortOrder": sort_order, "IsMain": is_main,
            "FullSource": f"https://cdn.example/{image_id}"}


def test_a_lost_attach_is_read_back_by_checksum_and_only_the_files_not_there_are_sent_again(authorized, client):
    attach = api("Inventory/UploadImagesToInventoryItem")
    authorized.post(attach, status=500, json={"Message": "An error has occurred."})
    # "old" was there before (same bytes as file-a): it is not file-a's copy; "new-a" is
    authorized.get(IMAGES, json=[image_row("old", "AAAA", 0, True), image_row("new-a", "aaaa", 1)])
    authorized.post(attach, json=[{"PictureId": "new-b", "IsMain": False, "SortOrder": 2}])

    pictures = client.attach_uploaded_images("item-1", ["file-a", "file-b"], checksums=["aaaa", "bbbb"],
                                             present=["OLD"])

    assert [picture.picture_id for picture in pictures] == ["new-a", "new-b"]
    assert [body_of(c)["imageIds"] for c in authorized.calls if c.request.url == attach] == [
        ["file-a", "file-b"], ["file-b"]]


def test_a_lost_attach_that_landed_whole_is_not_sent_again(authorized, client):
    attach = api("Inventory/UploadImagesToInventoryItem")
    authorized.post(attach, body=requests.ConnectionError(ProtocolError("Connection aborted.")))
    authorized.get(IMAGES, json=[image_row("new-a", "aaaa", 0, True)])

    pictures = client.attach_uploaded_images("item-1", ["file-a"], checksums=["aaaa"])

    assert [(picture.picture_id, picture.is_main) for picture in pictures] == [("new-a", True)]
    assert sum(1 for c in authorized.calls if c.request.url == attach) == 1


def test_a_lost_add_by_url_is_found_as_the_image_the_item_did_not_have(authorized, client):
    url = api("Inventory/AddImageToInventoryItem")
    authorized.post(url, status=503, json={"Message": "unavailable"})
    authorized.get(IMAGES, json=[image_row("old", "x", 0, True), image_row("added", "y", 1)])

    added = client.add_image_by_url("item-1", "https://img.example/1.jpg", present=["old"])

    assert added.image_id == "added"
    assert sum(1 for c in authorized.calls if c.request.url == url) == 1


def test_a_lost_add_by_url_that_did_not_land_is_sent_again(authorized, client):
    url = api("Inventory/AddImageToInventoryItem")
    authorized.post(url, status=500, json={"Message": "An error has occurred."})
    authorized.get(IMAGES, json=[image_row("old", "x", 0, True)])
    authorized.post(url, json={"StockItemId": "item-1", "ImageId": "img-2"})

    assert client.add_image_by_url("item-1", "https://img.example/1.jpg", present=["old"]).image_id == "img-2"
    assert sum(1 for c in authorized.calls if c.request.url == url) == 2


def test_429_is_waited_out_for_retry_after_and_retried_not_reported_as_an_error(authorized):
    clock = FakeClock()
    with make_client(clock=clock) as lw:
        authorized.post(LEVELS, status=429, json=QUOTA_MESSAGE, headers={"Retry-After": "0.2"})
        authorized.post(LEVELS, json=[])
        started = clock()
        assert lw.get_stock_levels(["a"]) == {}
        assert clock() - started == pytest.approx(0.2)
    # The method's quota held the retry for Retry-After (not a whole window), and no backoff was added.
    assert clock.waits == [pytest.approx(0.2)] and clock.sleeps == []
    assert sum(1 for c in authorized.calls if c.request.url == LEVELS) == 2


def test_429_without_retry_after_waits_for_a_whole_quota_window(authorized):
    clock = FakeClock()
    with make_client(clock=clock, quota_window_seconds=0.3) as lw:
        authorized.post(LEVELS, status=429, json=QUOTA_MESSAGE)
        authorized.post(LEVELS, json=[])
        started = clock()
        lw.get_stock_levels(["a"])
        assert clock() - started == pytest.approx(0.3)
    assert clock.waits == [pytest.approx(0.3)] and clock.sleeps == []


def test_quota_message_on_a_400_is_throttling_not_a_data_error(authorized, client):
    authorized.post(LEVELS, status=400, json=QUOTA_MESSAGE, headers={"Retry-After": "0"})
    authorized.post(LEVELS, json=[])
    assert client.get_stock_levels(["a"]) == {}


def test_throttling_that_never_ends_raises_quota_exceeded(authorized, client):
    authorized.post(LEVELS, status=429, json=QUOTA_MESSAGE, headers={"Retry-After": "0"})
    with pytest.raises(LinnworksQuotaExceeded) as raised:
        client.get_stock_levels(["a"])
    assert raised.value.method == "Stock/GetStockLevel_Batch"


def test_a_refused_request_raises_request_error_with_method_status_and_message(authorized, client):
    authorized.post(LEVELS, status=400, json={"Code": None, "Message": "request is empty"})
    with pytest.raises(LinnworksRequestError) as raised:
        client.get_stock_levels(["a"])
    error = raised.value
    assert (error.method, error.status, error.message) == ("Stock/GetStockLevel_Batch", 400, "request is empty")
    assert sum(1 for c in authorized.calls if c.request.url == LEVELS) == 1


def test_a_model_binding_refusal_names_what_it_refused(authorized, client):
    authorized.post(LEVELS, status=400, json={"Message": "The request is invalid.", "ModelState": {
        "DataRequirements": ["The value 'Pricing' is not valid for DataRequirements."]}})
    with pytest.raises(LinnworksRequestError) as raised:
        client.get_stock_levels(["a"])
    assert raised.value.message == ("The request is invalid. DataRequirements: "
                                    "The value 'Pricing' is not valid for DataRequirements.")


FULL_BY_IDS = api("Stock/GetStockItemsFullByIds")


def price_rows(*rows: tuple[str, str]) -> dict:
    """A GetStockItemsFullByIds answer: item-1 with channel price rows (pkRowId, SubSource)."""
    return {"StockItemsFullExtended": [{"StockItemId": "item-1", "ItemChannelPrices": [
        {"pkRowId": row_id, "StockItemId": "item-1", "Source": "AMAZON", "SubSource": sub, "Price": 1}
        for row_id, sub in rows]}]}


def test_a_create_whose_answer_is_lost_is_read_back_and_not_resent_when_it_landed(authorized, client):
    url = api("Inventory/CreateInventoryItemPrices")
    row = ItemPrice(stock_item_id="item-1", source="AMAZON", sub_source="UK", price=9.5)
    authorized.post(url, status=500, json={"Message": "connection reset"})
    authorized.post(FULL_BY_IDS, json=price_rows((ids.price_row_id("item-1", "AMAZON", "UK"), "UK")))
    client.create_prices([row])
    assert sum(1 for c in authorized.calls if c.request.url == url) == 1
    assert body_of(next(c for c in authorized.calls if c.request.url == FULL_BY_IDS))["request"] == {
        "StockItemIds": ["item-1"], "DataRequirements": ["ChannelPrice"]}


def test_a_lost_create_that_did_not_land_resends_only_the_rows_missing(authorized, client):
    url = api("Inventory/CreateInventoryItemPrices")
    rows = [ItemPrice(stock_item_id="item-1", source="AMAZON", sub_source=sub, price=9.5) for sub in ("UK", "DE")]
    authorized.post(url, status=503, json={"Message": "unavailable"})
    authorized.post(FULL_BY_IDS, json=price_rows((ids.price_row_id("item-1", "AMAZON", "UK"), "UK")))
    authorized.post(url, body="")
    client.create_prices(rows)
    creates = [body_of(c) for c in authorized.calls if c.request.url == url]
    assert [[row["SubSource"] for row in body["inventoryItemPrices"]] for body in creates] == [["UK", "DE"], ["DE"]]


def test_a_lost_property_create_reads_the_items_properties_back_and_creates_only_the_names_not_there(
        authorized, client):
    """CreateInventoryItemExtendedProperties takes no pkRowId (the spec's upsert item has none): after a
    lost answer the rows are matched by item and name, and only the missing names are sent again."""
    url = api("Inventory/CreateInventoryItemExtendedProperties")
    rows = [ExtendedProperty(fk_stock_item_id="item-1", propery_name=name, property_value="v", pk_row_id="mine")
            for name in ("colour", "size")]
    authorized.post(url, status=503, json={"Message": "unavailable"})
    authorized.post(FULL_BY_IDS, json={"StockItemsFullExtended": [{"StockItemId": "ITEM-1", "ItemExtendedProperties": [
        {"pkRowId": "server-1", "fkStockItemId": "ITEM-1", "ProperyName": "colour", "PropertyValue": "v"}]}]})
    authorized.post(url, body="Success", content_type="text/plain")
    client.create_extended_properties(rows)
    creates = [body_of(c)["inventoryItemExtendedProperties"] for c in authorized.calls if c.request.url == url]
    assert [[row["ProperyName"] for row in body] for body in creates] == [["colour", "size"], ["size"]]
    assert all("pkRowId" not in row for body in creates for row in body)
    assert body_of(next(c for c in authorized.calls if c.request.url == FULL_BY_IDS))["request"] == {
        "StockItemIds": ["item-1"], "DataRequirements": ["ExtendedProperties"]}


def test_only_documented_data_requirements_are_sent_to_get_stock_items_full_by_ids(authorized, client):
    with pytest.raises(ValueError, match="'Pricing' is not a data requirement of GetStockItemsFullByIds"):
        client.get_items_full(["item-1"], ["Pricing"])
    assert not any(c.request.url == FULL_BY_IDS for c in authorized.calls)


def test_pk_violation_on_a_first_create_is_a_real_refusal(authorized, client):
    url = api("Inventory/CreateInventoryItemPrices")
    authorized.post(url, status=400, json={"Message": "Violation of PRIMARY KEY constraint 'PK_StockItemPrice'."})
    with pytest.raises(LinnworksRequestError, match="PRIMARY KEY"):
        client.create_prices([ItemPrice(stock_item_id="item-1", source="AMAZON", sub_source="UK", price=9.5)])


def test_a_dropped_connection_message_never_carries_the_session_token(authorized):
    with make_client(max_retries=0) as lw:
        authorized.post(LEVELS, body=requests.ConnectionError(
            ProtocolError(f"Connection aborted for {LEVELS}?token=session-aaaa-0001")))
        with pytest.raises(LinnworksServerError) as raised:
            lw.get_stock_levels(["a"])
    assert "Connection aborted" in str(raised.value)
    assert "session-aaaa-0001" not in str(raised.value)


def test_a_server_error_message_never_carries_the_session_token(authorized):
    with make_client(max_retries=0) as lw:
        authorized.post(LEVELS, status=500, body="failed for token session-aaaa-0001")
        with pytest.raises(LinnworksServerError) as raised:
            lw.get_stock_levels(["a"])
    assert "failed for token" in str(raised.value)
    assert "session-aaaa-0001" not in str(raised.value)


def test_a_lost_create_is_read_back_across_a_session_renewal(authorized, client):
    url = api("Inventory/CreateInventoryItemTitles")
    authorized.post(url, status=500, json={"Message": "An error has occurred."})
    authorized.post(FULL_BY_IDS, status=401, json={"Code": "-", "Message": "Token is wrong."})
    authorized.post(FULL_BY_IDS, json={"StockItemsFullExtended": [{"StockItemId": "item-1", "ItemChannelTitles": []}]})
    authorized.post(url, body="")
    client.create_titles([ItemTitle(stock_item_id="item-1", source="EBAY", sub_source="E", title="t")])
    assert client.authorizations == 2
    assert sum(1 for c in authorized.calls if c.request.url == url) == 2


def test_a_success_is_returned_without_reading_its_body_as_an_error_message(authorized, client, monkeypatch):
    import linnworks.api.transport as transport

    def no_message(response):
        raise AssertionError("a 2xx body read as an error message")

    monkeypatch.setattr(transport, "api_message", no_message)
    # even a 2xx that reads like a refusal is a success (classify: 2xx is OK whatever it says)
    authorized.post(LEVELS, json=[{"pkStockItemId": "a", "StockItemLevels": [{"StockLevel": 1}]}],
                    headers={"X-Note": "Token is wrong."})
    assert client.get_stock_levels(["a"])["a"][0].stock_level == 1
    assert classify(200, QUOTA_MESSAGE["Message"]) is Verdict.OK
