"""The client against the sandbox when things go wrong: expiry, quotas, 429s, lost responses, refusals."""
from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from linnworks_sandbox_helpers import APPLICATION_ID, APPLICATION_SECRET, INSTALLATION_TOKEN, sandbox_client

from linnworks.api import ids
from linnworks.api.models import ItemPrice, ItemTitle, NewStockItem
from linnworks.hook import LinnworksHook

pytestmark = pytest.mark.integration


def new_items(count: int, prefix: str = "NEW") -> list[NewStockItem]:
    return [NewStockItem(item_number=f"{prefix}-{i:05d}", item_title=f"New item {i}", retail_price=10 + i % 7)
            for i in range(count)]


def test_expired_session_mid_run_is_renewed_once_and_the_run_goes_on(sandbox, control, client, clock):
    control.settings(session_idle_seconds=0.4)
    first = client.get_stock_locations()
    clock.advance(0.6)  # the sandbox forgets the idle session; the client still thinks it has 20 minutes
    again = client.get_stock_locations()
    assert [loc.stock_location_id for loc in again] == [loc.stock_location_id for loc in first]
    stats = control.stats()
    assert stats["auth_calls"] == 2
    assert stats["status_codes"].get("401") == 1
    assert stats["calls"]["Inventory/GetStockLocations"] == 3


def test_client_told_the_idle_expiry_renews_before_linnworks_drops_the_session(sandbox, control, clock):
    control.settings(session_idle_seconds=1.0)
    with sandbox_client(sandbox, clock, session_idle_seconds=1.0) as lw:
        lw.get_stock_locations()
        clock.advance(0.875)  # before the client's renewal point (90% of the idle limit)
        lw.get_stock_locations()
        assert control.stats()["auth_calls"] == 1
        clock.advance(0.95)  # past the client's renewal point, before Linnworks' expiry
        lw.get_stock_locations()
    stats = control.stats()
    assert stats["auth_calls"] == 2
    assert "401" not in stats["status_codes"]
    assert stats["calls"]["Inventory/GetStockLocations"] == 3


def test_quotas_are_real_and_the_client_paces_itself_without_a_single_429(sandbox, control, clock):
    # GetStockLocations allows 150 calls a window; 320 calls need three windows. The sandbox and
    # the client share a fake clock: a client that must wait makes it jump, nobody waits for real.
    control.settings(quota_window_seconds=0.5)
    control.reset_stats()
    with sandbox_client(sandbox, clock, quota_window_seconds=0.5, concurrency=4) as lw:
        lw.get_stock_locations()
        started = clock()
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: lw.get_stock_locations(), range(319)))
        waited = clock() - started
        calls, waited_in_book = lw.quotas.usage()["Inventory/GetStockLocations"]
    stats = control.stats()
    assert all(len(locations) == 3 for locations in answers)
    assert stats["calls"]["Inventory/GetStockLocations"] == 320 and calls == 320
    assert "429" not in stats["status_codes"]
    # Calls 151 and 301 each had to wait for a new window, and no window more.
    assert 2 * 0.5 <= waited < 3 * 0.5
    assert waited_in_book >= 2 * 0.5


@pytest.mark.parametrize("retry_after_header", [True, False])
def test_429_from_a_quota_the_client_did_not_know_is_waited_out(sandbox, control, clock, retry_after_header):
    # The sandbox enforces 5 per second on the lookup; the client believes the documented 250.
    control.settings(quota_window_seconds=1.0, retry_after_header=retry_after_header,
                     quota_overrides={"Inventory/GetStockItemIdsBySKU": 5})
    with sandbox_client(sandbox, clock, quota_window_seconds=1.0) as lw:
        started = clock()
        found = [lw.find_stock_item_ids(["SKU-000001"]) for _ in range(8)]
        waited = clock() - started
    assert all(f == {"SKU-000001": found[0]["SKU-000001"]} for f in found)
    stats = control.stats()
    assert stats["calls"]["Inventory/GetStockItemIdsBySKU"] == 9  # 8 answers and the one 429 of call 6
    assert stats["status_codes"]["429"] == 1
    # Retry-After says 1 s; without it the client waits its whole window (1 s): the sandbox's
    # window has then reopened, and the client waited no longer than that.
    assert waited == 1.0 and clock.waits == [1.0]


def test_forced_429_is_waited_out_and_not_reported_as_an_error(sandbox, control, clock):
    control.settings(fail_next=[{"method": "Stock/GetStockLevel_Batch", "status": 429}])
    with sandbox_client(sandbox, clock, quota_window_seconds=0.25) as lw:
        item_id = lw.find_stock_item_ids(["SKU-000001"])["SKU-000001"]
        levels = lw.get_stock_levels([item_id])
    assert levels[item_id]
    assert clock.waits == [0.25]  # no Retry-After on that 429: a whole window of the client's
    stats = control.stats()
    assert stats["status_codes"]["429"] == 1 and stats["calls"]["Stock/GetStockLevel_Batch"] == 2


def test_5xx_after_commit_during_bulk_add_is_retried_without_duplicate_items(sandbox, control, client):
    control.settings(fail_next=[{"method": "Inventory/AddInventoryItemBulk", "status": 500, "after_commit": True}])
    result = client.add_items(new_items(250))
    assert len(result.added) == 250 and not result.failed
    assert client.count_items() == 10 + 250
    assert result.added["NEW-00000"] == ids.stock_item_id("NEW-00000")
    stats = control.stats()
    # Two batches, the first answered 500 after landing; no resend of it, only a lookup.
    assert stats["calls"]["Inventory/AddInventoryItemBulk"] == 2
    assert stats["calls"]["Inventory/GetStockItemIdsBySKU"] == 1
    assert control.item("NEW-00123")["item"]["StockItemId"] == ids.stock_item_id("NEW-00123")


def test_5xx_before_commit_during_bulk_add_resends_the_batch_once(sandbox, control, client):
    control.settings(fail_next=[{"method": "Inventory/AddInventoryItemBulk", "status": 503}])
    result = client.add_items(new_items(30))
    assert len(result.added) == 30 and not result.failed
    assert client.count_items() == 40
    assert control.stats()["calls"]["Inventory/AddInventoryItemBulk"] == 2


def test_5xx_after_commit_on_row_creates_leaves_exactly_one_row_each(sandbox, control, client):
    added = client.add_items(new_items(3)).added
    control.settings(fail_next=[
        {"method": "Inventory/CreateInventoryItemPrices", "status": 500, "after_commit": True},
        {"method": "Inventory/CreateInventoryItemTitles", "status": 502, "after_commit": True},
    ])
    client.create_prices([ItemPrice(stock_item_id=item_id, source="AMAZON", sub_source="Amazon UK", price=9.99)
                          for item_id in added.values()])
    client.create_titles([ItemTitle(stock_item_id=item_id, source="EBAY", sub_source="eBay DE", title=f"T {sku}")
                          for sku, item_id in added.items()])
    for sku, item_id in added.items():
        stored = control.item(sku)
        assert [row["pkRowId"] for row in stored["prices"]] == [ids.price_row_id(item_id, "AMAZON", "Amazon UK")]
        assert [row["Title"] for row in stored["titles"]] == [f"T {sku}"]
    calls = control.stats()["calls"]
    # each lost answer is read back (one GetStockItemsFullByIds for the batch's items), not resent
    assert calls["Inventory/CreateInventoryItemPrices"] == 1 and calls["Inventory/CreateInventoryItemTitles"] == 1
    assert calls["Stock/GetStockItemsFullByIds"] == 2


def test_partially_failed_bulk_add_reports_the_refused_skus_and_lands_the_rest(sandbox, control, client):
    items = new_items(4) + [NewStockItem(item_number="SKU-000002", item_title="Clash"),
                            NewStockItem(item_number="SKU-000007", item_title="Clash")]
    result = client.add_items(items)
    assert sorted(result.added) == [f"NEW-{i:05d}" for i in range(4)]
    refused = {failure.sku: failure.message for failure in result.failed}
    assert set(refused) == {"SKU-000002", "SKU-000007"}
    assert all("SKU-00000" in message for message in refused.values())  # Linnworks' own message
    assert control.item("NEW-00003") is not None
    assert control.item("SKU-000002")["item"]["ItemTitle"] == "Demo product 2"  # untouched
    assert client.count_items() == 14


def test_hook_test_connection_against_the_sandbox(sandbox, control, monkeypatch):
    def define(secret):
        monkeypatch.setenv("AIRFLOW_CONN_LW_SANDBOX", json.dumps({
            "conn_type": "linnworks", "login": APPLICATION_ID, "password": secret,
            "extra": {"installation_token": INSTALLATION_TOKEN, "auth_host": sandbox.auth_url}}))

    define(APPLICATION_SECRET)
    ok, message = LinnworksHook("lw_sandbox").test_connection()
    assert ok and "3 stock location(s)" in message and sandbox.data_url in message
    define("6f1a0c3e-0000-4000-8000-0000000000ff")
    ok, message = LinnworksHook("lw_sandbox").test_connection()
    assert not ok and "refused the application credentials" in message
    assert "0000000000ff" not in message


def test_session_token_and_secrets_stay_out_of_debug_logs_even_for_the_uploader(sandbox, control, client, clock,
                                                                                caplog):
    caplog.set_level(logging.DEBUG)
    control.settings(session_idle_seconds=0.3)
    item_id = client.find_stock_item_ids(["SKU-000001"])["SKU-000001"]
    first_token = client._auth.token
    clock.advance(0.4)  # the next call meets "Token is wrong." and authorizes again
    client.upload_image(item_id, b"\x89PNG\r\n\x1a\n-bytes-", "a.png", content_type="image/png")
    assert client._auth.token != first_token
    assert "Uploader/UploadFile" in caplog.text and "token=***" in caplog.text  # urllib3's request line
    for secret in (first_token, client._auth.token, APPLICATION_SECRET, INSTALLATION_TOKEN):
        assert secret not in caplog.text
