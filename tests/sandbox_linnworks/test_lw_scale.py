"""10,000 items at benchmark speed: lookups go through indexes, not scans."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def big(lw):
    started = time.perf_counter()
    assert lw.control("POST", "seed", json={"items": 10_000, "seed": 3}).status_code == 200
    seconds = time.perf_counter() - started
    yield lw, seconds


def test_seeding_10000_items_is_quick(big):
    lw, seconds = big
    assert seconds < 5
    assert lw.ok("Inventory/GetInventoryItemsCount", "GET") == 10_000


def test_batch_reads_over_10000_items_stay_fast(big):
    lw, _ = big
    skus = [f"SKU-{n:06d}" for n in range(9_801, 10_001)]
    started = time.perf_counter()
    for _ in range(10):
        found = lw.ok("Inventory/GetStockItemIdsBySKU", json={"request": {"SKUS": skus}})["Items"]
        full = lw.ok("Stock/GetStockItemsFullByIds", json={"request": {
            "StockItemIds": [row["StockItemId"] for row in found],
            "DataRequirements": ["StockLevels", "ChannelPrice", "ChannelTitle"]}})
    elapsed = time.perf_counter() - started
    assert len(full["StockItemsFullExtended"]) == 200
    assert elapsed < 6, f"20 batch calls of 200 took {elapsed:.2f}s"


def test_bulk_adding_2000_items_and_paging_everything(big):
    lw, _ = big
    started = time.perf_counter()
    for batch in range(10):
        items = [{"ItemNumber": f"NEW-{batch}-{n}", "ItemTitle": "x"} for n in range(200)]
        assert lw.ok("Inventory/AddInventoryItemBulk", json={"request": {"InventoryItems": items}})[
            "ResultStatus"] == "SUCCESSFUL"
    seen, page = 0, 1
    while True:
        answer = lw.call("Stock/GetStockItemsFull", json={"entriesPerPage": 200, "pageNumber": page})
        if answer.status_code == 400:
            break
        seen += len(answer.json())
        page += 1
    elapsed = time.perf_counter() - started
    assert seen == 12_000 and page == 61
    assert elapsed < 15, f"took {elapsed:.2f}s"
