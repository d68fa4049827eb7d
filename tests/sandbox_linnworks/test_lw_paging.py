"""GetStockItemsFull paging and data requirements; GetStockItemsFullByIds; GetStockItems totals."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration


def _page(lw, page, per_page=7, **extra):
    return lw.call("Stock/GetStockItemsFull", json={"entriesPerPage": per_page, "pageNumber": page, **extra})


def test_pages_start_at_one_and_are_plain_lists(lw):
    skus = []
    for page in (1, 2, 3):
        answer = _page(lw, page)
        assert answer.status_code == 200 and isinstance(answer.json(), list)
        skus += [row["ItemNumber"] for row in answer.json()]
    assert skus == [f"SKU-{n:06d}" for n in range(1, 21)]
    assert len(_page(lw, 3).json()) == 6  # short last page


def test_page_past_the_end_is_a_400_no_items_found(lw):
    answer = _page(lw, 4)
    assert answer.status_code == 400
    assert answer.json() == {"Message": "No items found with given filter"}


@pytest.mark.parametrize("per_page", [0, 201, -1])
def test_entries_per_page_outside_1_to_200_is_a_400(lw, per_page):
    answer = _page(lw, 1, per_page=per_page)
    assert answer.status_code == 400
    assert answer.json()["Message"] == "Number must be between 1 and 200"


def test_200_entries_per_page_is_allowed(lw):
    assert len(_page(lw, 1, per_page=200).json()) == 20


def test_page_zero_is_refused(lw):
    assert _page(lw, 0).status_code == 400


def test_data_requirements_decide_which_lists_are_filled(lw):
    bare = _page(lw, 1, per_page=1).json()[0]
    assert bare["StockLevels"] == [] and bare["ItemChannelPrices"] == [] and bare["ItemChannelTitles"] == []
    full = _page(lw, 1, per_page=1, dataRequirements=["StockLevels", "ChannelPrice", "ChannelTitle",
                                                      "ExtendedProperties", "Images", "Pricing"]).json()[0]
    assert len(full["StockLevels"]) == 3
    assert full["ItemChannelPrices"][0]["Source"] == "AMAZON"
    assert full["ItemChannelTitles"][0]["SubSource"] == "eBay DE"
    assert full["Suppliers"] and full["ItemExtendedProperties"] == [] and full["Images"] == []
    by_number = _page(lw, 1, per_page=1, dataRequirements=[0, 6]).json()[0]
    assert by_number["StockLevels"] and by_number["ItemChannelPrices"] and not by_number["ItemChannelTitles"]


def test_unknown_data_requirement_is_refused(lw):
    assert _page(lw, 1, dataRequirements=["Everything"]).status_code == 400


def test_keyword_searches_sku_title_and_barcode(lw):
    assert [r["ItemNumber"] for r in _page(lw, 1, keyword="SKU-000012").json()] == ["SKU-000012"]
    by_title = _page(lw, 1, keyword="demo product 7", searchTypes=["Title"]).json()
    assert [r["ItemNumber"] for r in by_title] == ["SKU-000007"]
    assert _page(lw, 1, keyword="SKU-000012", searchTypes=["Title"]).status_code == 400


def test_archived_items_never_show_in_pages(lw):
    lw.ok("Inventory/ArchiveInventoryItems", json={"parameters": {"InventoryItemIds": [lw.item_id("SKU-000001")]}})
    skus = [r["ItemNumber"] for r in _page(lw, 1, per_page=200).json()]
    assert "SKU-000001" not in skus and len(skus) == 19


def test_variation_parents_only_with_load_variation_parents(lw):
    lw.ok("Inventory/AddInventoryItem", json={"inventoryItem": {
        "StockItemId": str(uuid.uuid4()), "ItemNumber": "PARENT", "ItemTitle": "p", "IsVariationParent": True}})
    assert "PARENT" not in [r["ItemNumber"] for r in _page(lw, 1, per_page=200).json()]
    loaded = _page(lw, 1, per_page=200, loadVariationParents=True).json()
    assert "PARENT" in [r["ItemNumber"] for r in loaded]


def test_full_by_ids_honours_data_requirements_and_skips_unknown_ids(lw):
    ids = [lw.item_id("SKU-000001"), str(uuid.uuid4()), lw.item_id("SKU-000002")]
    answer = lw.ok("Stock/GetStockItemsFullByIds", json={"request": {
        "StockItemIds": ids, "DataRequirements": ["StockLevels", "ChannelTitle"]}})
    rows = answer["StockItemsFullExtended"]
    assert [r["StockItemId"] for r in rows] == [ids[0], ids[2]]
    assert rows[0]["StockLevels"] and rows[0]["ItemChannelTitles"] and rows[0]["ItemChannelPrices"] == []
    assert "IsCompositeParent" in rows[0] and "IsVariationParent" not in rows[0]


@pytest.mark.parametrize("value", ["Pricing", "ShippingInformation", "Everything", 7])
def test_full_by_ids_refuses_a_value_outside_its_documented_enum_naming_it(lw, value):
    """GetStockItemsFullByIds takes StockItemFullExtendedDataRequirement, which has no Pricing (that
    is GetStockItemsFull's enum): a 400 whose ModelState names the value."""
    answer = lw.call("Stock/GetStockItemsFullByIds", json={"request": {
        "StockItemIds": [lw.item_id("SKU-000001")], "DataRequirements": ["Images", value]}})
    assert answer.status_code == 400
    assert answer.json()["Message"] == "The request is invalid."
    assert f"'{value}'" in answer.json()["ModelState"]["DataRequirements"][0]


def test_full_by_ids_takes_every_documented_value_by_name_or_number(lw):
    names = ["StockLevels", "Supplier", "ChannelTitle", "ChannelDescription", "ChannelPrice", "ExtendedProperties",
             "Images"]
    by_name = lw.ok("Stock/GetStockItemsFullByIds", json={"request": {
        "StockItemIds": [lw.item_id("SKU-000001")], "DataRequirements": names}})["StockItemsFullExtended"][0]
    assert by_name["StockLevels"] and by_name["Suppliers"] and by_name["ItemChannelPrices"]
    assert by_name["RetailPrice"] > 0 and by_name["PurchasePrice"] > 0  # header fields: no requirement loads them
    by_number = lw.ok("Stock/GetStockItemsFullByIds", json={"request": {
        "StockItemIds": [lw.item_id("SKU-000001")], "DataRequirements": [1]}})["StockItemsFullExtended"][0]
    assert by_number["Suppliers"] and not by_number["StockLevels"]  # 1 is Supplier in this enum


def test_full_by_ids_takes_at_most_200_ids(lw):
    ids = [str(uuid.uuid4()) for _ in range(201)]
    answer = lw.call("Stock/GetStockItemsFullByIds", json={"request": {"StockItemIds": ids}})
    assert answer.status_code == 400
    assert "200" in answer.json()["Message"]
    assert lw.call("Stock/GetStockItemsFullByIds", json={"request": {"StockItemIds": ids[:200]}}).status_code == 200


def test_get_stock_items_returns_generic_paged_result_totals(lw):
    answer = lw.ok("Stock/GetStockItems", "GET", params={"entriesPerPage": 8, "pageNumber": 3})
    assert (answer["PageNumber"], answer["EntriesPerPage"], answer["TotalEntries"], answer["TotalPages"]) == (
        3, 8, 20, 3)
    assert [r["ItemNumber"] for r in answer["Data"]] == [f"SKU-{n:06d}" for n in range(17, 21)]
    past = lw.ok("Stock/GetStockItems", "GET", params={"entriesPerPage": 8, "pageNumber": 4})
    assert past["Data"] == [] and past["TotalEntries"] == 20


REQUIREMENT_LISTS = {"StockLevels": "StockLevels", "Supplier": "Suppliers", "ChannelTitle": "ItemChannelTitles",
                     "ChannelDescription": "ItemChannelDescriptions", "ChannelPrice": "ItemChannelPrices",
                     "ExtendedProperties": "ItemExtendedProperties", "Images": "Images"}


@pytest.mark.parametrize("requirement", REQUIREMENT_LISTS)
def test_full_by_ids_fills_exactly_the_requested_list(lw, requirement):
    item_id = lw.item_id("SKU-000001")
    lw.ok("Inventory/CreateInventoryItemDescriptions", json={"inventoryItemDescriptions": [{
        "pkRowId": str(uuid.uuid4()), "StockItemId": item_id, "Source": "EBAY", "SubSource": "eBay DE",
        "Description": "d"}]})
    lw.call("Inventory/CreateInventoryItemExtendedProperties", json={"inventoryItemExtendedProperties": [{
        "fkStockItemId": item_id, "ProperyName": "p", "PropertyValue": "v"}]})
    lw.ok("Inventory/AddImageToInventoryItem", json={"request": {
        "StockItemId": item_id, "ImageUrl": "https://cdn.example.test/x.jpg"}})
    row = lw.ok("Stock/GetStockItemsFullByIds", json={"request": {
        "StockItemIds": [item_id], "DataRequirements": [requirement]}})["StockItemsFullExtended"][0]
    filled = {key for key in REQUIREMENT_LISTS.values() if row[key]}
    assert filled == {REQUIREMENT_LISTS[requirement]}


def test_deleted_items_never_show_in_pages(lw):
    lw.ok("Inventory/DeleteInventoryItems", json={"inventoryItemIds": [lw.item_id("SKU-000020")]})
    skus = [r["ItemNumber"] for r in _page(lw, 1, per_page=200).json()]
    assert skus[-1] == "SKU-000019" and len(skus) == 19


# ---- archive_during_read: the listing changes while a client pages through it ------------------------

def _skus(answer) -> list[str]:
    return [row["ItemNumber"] for row in answer.json()]


def _read_by_page_number(lw, per_page=7) -> list[str]:
    skus, page = [], 1
    while (answer := _page(lw, page, per_page)).status_code == 200:
        skus += _skus(answer)
        page += 1
    assert answer.json() == {"Message": "No items found with given filter"}
    return skus


def test_items_archived_after_a_page_shift_the_later_pages_and_their_rows_are_never_listed(lw):
    lw.settings(archive_during_read=[{"after_page": 1, "items": 5}])
    read = _read_by_page_number(lw)
    everything = [f"SKU-{n:06d}" for n in range(1, 21)]
    # Page 1 (SKU 1-7) is answered, then SKU 1-5 are archived: the live listing is SKU 6-20, so page 2
    # starts at its 8th row (SKU 13) and SKU 8-12, all live, slid onto page 1 after it was read.
    assert read == everything[:7] + everything[12:]
    assert [lw.stored(sku)["status"] for sku in everything[:5]] == ["archived"] * 5
    assert _read_by_page_number(lw) == everything[5:]  # fired once; a new read sees the live listing
    assert lw.settings()["archive_during_read"] == []


def test_archive_during_read_waits_for_its_page_and_can_name_the_skus(lw):
    lw.settings(archive_during_read=[{"after_page": 2, "skus": ["SKU-000003", "SKU-000019"]}])
    assert _skus(_page(lw, 1)) == [f"SKU-{n:06d}" for n in range(1, 8)]
    assert lw.stored("SKU-000003")["status"] == "live"
    assert _skus(_page(lw, 2)) == [f"SKU-{n:06d}" for n in range(8, 15)]
    assert (lw.stored("SKU-000003")["status"], lw.stored("SKU-000019")["status"]) == ("archived", "archived")
    assert _skus(_page(lw, 3)) == ["SKU-000016", "SKU-000017", "SKU-000018", "SKU-000020"]


def test_archive_during_read_on_get_stock_items_drops_the_total(lw):
    lw.settings(archive_during_read=[{"method": "Stock/GetStockItems", "after_page": 1, "items": 3}])
    first = lw.ok("Stock/GetStockItems", "GET", params={"entriesPerPage": 8, "pageNumber": 1})
    assert first["TotalEntries"] == 20 and first["Data"][0]["ItemNumber"] == "SKU-000001"
    second = lw.ok("Stock/GetStockItems", "GET", params={"entriesPerPage": 8, "pageNumber": 2})
    assert second["TotalEntries"] == 17 and second["Data"][0]["ItemNumber"] == "SKU-000012"


@pytest.mark.parametrize("switch", [{"method": "Stock/GetStockItemsFullByIds"}, {"after_page": 0},
                                    {"items": 0}, {"pages": 1}])
def test_archive_during_read_settings_are_checked(lw, switch):
    answer = lw.control("PATCH", "settings", json={"archive_during_read": [switch]})
    assert answer.status_code == 400
    assert lw.settings()["archive_during_read"] == []
