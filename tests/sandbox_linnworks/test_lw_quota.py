"""Per-method quotas: 150 or 250 calls per window, 429 with the documented message, Retry-After by switch."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def _spend(lw, method: str, calls: int, verb: str = "GET", **kwargs) -> list[int]:
    return [lw.call(method, verb, **kwargs).status_code for _ in range(calls)]


def test_150_per_minute_method_answers_429_on_call_151(lw, clock):
    statuses = _spend(lw, "Inventory/GetChannels", 150)
    assert set(statuses) == {200}
    clock.advance(20)
    refused = lw.call("Inventory/GetChannels", "GET")
    assert refused.status_code == 429
    assert refused.json() == {"Message": "API calls quota exceeded! Maximum admitted 150 per Minute."}
    assert refused.headers["Retry-After"] == "40"  # the window opened by call 1 ends 40 s later
    clock.advance(39.5)
    assert lw.call("Inventory/GetChannels", "GET").headers["Retry-After"] == "1"  # rounded up, never 0
    clock.advance(0.5)
    assert _spend(lw, "Inventory/GetChannels", 150) == [200] * 150


def test_250_per_minute_method_admits_250(lw):
    body = {"request": {"SKUS": ["SKU-000001"]}}
    statuses = _spend(lw, "Inventory/GetStockItemIdsBySKU", 250, "POST", json=body)
    assert set(statuses) == {200}
    refused = lw.call("Inventory/GetStockItemIdsBySKU", json=body)
    assert refused.status_code == 429
    assert "Maximum admitted 250 per Minute." in refused.json()["Message"]


def test_quota_is_counted_per_method(lw):
    lw.settings(quota_overrides={"Inventory/GetChannels": 3})
    assert _spend(lw, "Inventory/GetChannels", 4) == [200, 200, 200, 429]
    assert lw.call("Inventory/GetStockLocations", "GET").status_code == 200


def test_429_without_retry_after_when_switched_off(lw):
    lw.settings(quota_overrides={"Inventory/GetChannels": 1}, retry_after_header=False)
    assert _spend(lw, "Inventory/GetChannels", 2) == [200, 429]
    refused = lw.call("Inventory/GetChannels", "GET")
    assert "Retry-After" not in refused.headers
    assert refused.json()["Message"] == "API calls quota exceeded! Maximum admitted 1 per Minute."


def test_quota_window_can_be_shrunk_and_reopens(lw, clock):
    lw.settings(quota_overrides={"Inventory/GetChannels": 2}, quota_window_seconds=0.75)
    assert _spend(lw, "Inventory/GetChannels", 3) == [200, 200, 429]
    refused = lw.call("Inventory/GetChannels", "GET")
    assert refused.headers["Retry-After"] == "1"  # whole seconds, never 0
    clock.advance(0.5)
    assert _spend(lw, "Inventory/GetChannels", 1) == [429]
    clock.advance(0.25)  # the window opened by the first call is over
    assert _spend(lw, "Inventory/GetChannels", 3) == [200, 200, 429]


def test_quotas_can_be_disabled(lw):
    lw.settings(quota_overrides={"Inventory/GetChannels": 1}, quotas_enabled=False)
    assert _spend(lw, "Inventory/GetChannels", 5) == [200] * 5


def test_authorize_has_its_own_quota(lw):
    token = lw.token
    lw.settings(quota_overrides={"Auth/AuthorizeByApplication": 2})  # changing quotas reopens all windows
    assert [lw.authorize().status_code for _ in range(3)] == [200, 200, 429]
    assert lw.call("Inventory/GetChannels", "GET", token=token).status_code == 200
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200
