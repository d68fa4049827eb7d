"""The item writer's categories and required SKUs, over real HTTP against the Linnworks sandbox."""
from __future__ import annotations

import pytest

from linnworks.api import ids
from linnworks.items.desired import DesiredItem, WriteOptions
from linnworks.items.report import Status
from linnworks.items.writer import LinnworksWriter

pytestmark = pytest.mark.integration

READS = {"Inventory/GetStockItemIdsBySKU", "Stock/GetStockItemsFullByIds", "Inventory/GetCategories"}
TEES = "Master catalog/Clothing/T-shirts"


def writes(stats: dict) -> dict:
    return {method: n for method, n in stats["calls"].items() if method not in READS}


def test_category_names_are_created_once_and_set_on_new_and_existing_items(client, control):
    items = [DesiredItem("TEE-1", title="Tee 1", category=TEES), DesiredItem("TEE-2", title="Tee 2", category=TEES),
             DesiredItem("SKU-000001", category=TEES), DesiredItem("SKU-000002", category="Default")]

    report = LinnworksWriter(client).write(items)

    assert [r.status for r in report.results] == [Status.CREATED, Status.CREATED, Status.UPDATED, Status.UNCHANGED]
    assert report.categories_created == [TEES]
    for sku in ("TEE-1", "TEE-2", "SKU-000001"):
        assert control.item(sku)["category"] == {"CategoryId": ids.category_id(TEES), "CategoryName": TEES}
    assert control.stats()["calls"]["Inventory/GetCategories"] == 1
    assert writes(control.stats()) == {"Inventory/CreateCategory": 1, "Inventory/AddInventoryItemBulk": 1,
                                       "Inventory/GetInventoryItemById": 1, "Inventory/UpdateInventoryItem": 1}
    assert [(row.sku, row.old, row.new) for row in report.diff if row.field == "category"] == [
        ("TEE-1", None, TEES), ("TEE-2", None, TEES), ("SKU-000001", "Default", TEES)]


def test_a_second_write_with_categories_makes_no_write_call(client, control):
    items = [DesiredItem("TEE-1", title="Tee 1", category=TEES), DesiredItem("SKU-000001", category="Toys")]
    writer = LinnworksWriter(client)
    writer.write(items)
    control.reset_stats()

    report = writer.write(items)

    assert [r.status for r in report.results] == [Status.UNCHANGED] * 2 and report.categories_created == []
    assert writes(control.stats()) == {}


def test_an_item_whose_required_skus_are_missing_is_refused_before_anything_is_written(client, control):
    items = [DesiredItem("NEW-1", title="New", extended_properties={"related_UPSELL": "SKU-000003,GONE-1,NEW-2"},
                         required_skus={"related products": ("SKU-000003", "GONE-1", "NEW-2"), "kit": ("GONE-2",)}),
             DesiredItem("NEW-2", title="Other", required_skus={"related products": ("SKU-000004", "new-1")})]

    report = LinnworksWriter(client).write(items)

    refused, created = report.results
    assert refused.status is Status.REFUSED and refused.endpoint is None
    assert refused.message == ("required SKUs missing (neither in Linnworks nor in this write): "
                               "related products: GONE-1; kit: GONE-2")
    assert created.status is Status.CREATED  # NEW-1 is in the same write, SKU-000004 in Linnworks
    assert control.item("NEW-1") is None
    # The required SKUs were looked up with the items' own: one lookup call in all.
    assert control.stats()["calls"]["Inventory/GetStockItemIdsBySKU"] == 1


def test_required_skus_of_the_write_count_only_if_they_will_exist(client, control):
    items = [DesiredItem("SKU-000001", required_skus={"related products": ("NEW-9",)}), DesiredItem("NEW-9", title="x")]

    report = LinnworksWriter(client, WriteOptions(create_products=False)).write(items)

    assert [r.status for r in report.results] == [Status.REFUSED, Status.SKIPPED]
    assert "related products: NEW-9" in report.results[0].message


def test_a_dry_run_names_the_categories_it_would_create_and_creates_none(client, control):
    report = LinnworksWriter(client, WriteOptions(dry_run=True)).write([DesiredItem("SKU-000001", category=TEES)])

    assert report.categories_created == [TEES] and report.results[0].status is Status.UPDATED
    assert [(row.field, row.old, row.new) for row in report.diff] == [("category", "Default", TEES)]
    assert writes(control.stats()) == {} and TEES not in {c["CategoryName"] for c in control.categories()}
