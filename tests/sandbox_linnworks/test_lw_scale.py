"""10,000 items: seeding, batch reads and paging stay correct at benchmark size.

How fast they are is a bench row (`python -m bench.sandbox_timing`), not an assertion here.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def big(lw):
    answer = lw.control("POST", "seed", json={"items": 10_000, "seed": 3})
    assert answer.status_code == 200 and answer.json()["items"] == 10_000
    yield lw


def test_seeding_10000_items_makes_10000_distinct_items(big):
    lw = big
    assert lw.ok("Inventory/GetInventoryItemsCount", "GET") == 10_000
    assert lw.stored("SKU-010000")["item"]["ItemNumber"] == "SKU-010000"
    assert lw.control("GET", "items/SKU-010001").status_code == 404


def test_batch_reads_of_200_over_10000_items_answer_exactly_the_asked_items(big):
    lw = big
    skus = [f"SKU-{n:06d}" for n in range(9_801, 10_001)]
    found = lw.ok("Inventory/GetStockItemIdsBySKU", json={"request": {"SKUS": skus}})["Items"]
    assert [row["SKU"] for row in found] == skus
    assert all(row["StockItemId"] == lw.item_id(row["SKU"]) for row in found[::50])
    full = lw.ok("Stock/GetStockItemsFullByIds", json={"request": {
        "StockItemIds": [row["StockItemId"] for row in found],
        "DataRequirements": ["StockLevels", "ChannelPrice", "ChannelTitle"]}})["StockItemsFullExtended"]
    assert len(full) == 200
    assert {item["ItemNumber"] for item in full} == set(skus)
    assert all(item["StockLevels"] for item in full)


def test_bulk_adding_2000_items_and_paging_everything(big):
    lw = big
    for batch in range(10):
        items = [{"ItemNumber": f"NEW-{batch}-{n}", "ItemTitle": "x"} for n in range(200)]
        assert lw.ok("Inventory/AddInventoryItemBulk", json={"request": {"InventoryItems": items}})[
            "ResultStatus"] == "SUCCESSFUL"
    seen, page = [], 1
    while True:
        answer = lw.call("Stock/GetStockItemsFull", json={"entriesPerPage": 200, "pageNumber": page})
        if answer.status_code == 400:
            break
        seen += [item["ItemNumber"] for item in answer.json()]
        page += 1
    assert len(seen) == 12_000 and len(set(seen)) == 12_000 and page == 61
    assert {"SKU-000001", "SKU-010000", "NEW-0-0", "NEW-9-199"} <= set(seen)
