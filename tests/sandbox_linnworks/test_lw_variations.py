"""Variation groups: the template wrapper, the parent's id as the group id, members, renames, deletes."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration


def _create(lw, parent="SKU-000001", name="T-shirt", children=("SKU-000002", "SKU-000003"), **template):
    body = {"VariationGroupName": name, "ParentSKU": parent,
            "VariationItemIds": [lw.item_id(sku) for sku in children], **template}
    return lw.call("Stock/CreateVariationGroup", json={"template": body})


def test_a_group_is_created_on_an_existing_parent_whose_id_it_takes(lw):
    answer = _create(lw, ParentStockItemId=lw.item_id("SKU-000001"))

    assert answer.status_code == 200
    assert answer.json() == {"VariationSKU": "SKU-000001", "pkVariationItemId": lw.item_id("SKU-000001"),
                             "VariationGroupName": "T-shirt"}
    stored = lw.stored("SKU-000001")
    assert stored["item"]["IsVariationParent"] is True and stored["item"]["VariationGroupName"] == "T-shirt"
    assert stored["variation_group"]["Items"] == ["SKU-000002", "SKU-000003"]
    assert lw.stored("SKU-000002")["variation_of"] == ["SKU-000001"]


def test_a_new_parent_item_is_made_with_the_clients_id_when_none_exists(lw):
    parent_id = str(uuid.uuid4())
    answer = _create(lw, parent="TEE-PARENT", ParentStockItemId=parent_id)

    assert answer.json()["pkVariationItemId"] == parent_id
    item = lw.stored("TEE-PARENT")["item"]
    assert (item["StockItemId"], item["ItemTitle"], item["IsVariationParent"]) == (parent_id, "T-shirt", True)


def test_without_the_template_wrapper_the_call_is_refused(lw):
    answer = lw.call("Stock/CreateVariationGroup", json={"VariationGroupName": "x", "ParentSKU": "SKU-000001"})
    assert answer.status_code == 400 and answer.json()["Message"] == "'template' parameter is missing"


def test_a_second_group_on_the_same_parent_is_refused_and_changes_nothing(lw):
    assert _create(lw).status_code == 200
    again = _create(lw, name="Other", children=("SKU-000004",))

    assert again.status_code == 400 and "already a variation parent" in again.json()["Message"]
    assert lw.control("GET", "variation-groups").json() == [{
        "pkVariationItemId": lw.item_id("SKU-000001"), "VariationSKU": "SKU-000001",
        "VariationGroupName": "T-shirt", "Items": ["SKU-000002", "SKU-000003"]}]


def test_unknown_variation_items_refuse_the_whole_create(lw):
    body = {"VariationGroupName": "T", "ParentSKU": "NEW-PARENT", "ParentStockItemId": str(uuid.uuid4()),
            "VariationItemIds": [lw.item_id("SKU-000002"), str(uuid.uuid4())]}
    answer = lw.call("Stock/CreateVariationGroup", json={"template": body})

    assert answer.status_code == 400 and "not found" in answer.json()["Message"]
    assert lw.control("GET", "items/NEW-PARENT").status_code == 404
    assert lw.control("GET", "variation-groups").json() == []


def test_items_are_added_listed_and_removed(lw):
    group_id = _create(lw, children=()).json()["pkVariationItemId"]
    added = lw.ok("Stock/AddVariationItems", json={
        "pkVariationItemId": group_id, "pkStockItemIds": [lw.item_id("SKU-000004"), lw.item_id("SKU-000005")]})
    again = lw.ok("Stock/AddVariationItems", json={"pkVariationItemId": group_id,
                                                   "pkStockItemIds": [lw.item_id("SKU-000004")]})

    assert [row["ItemNumber"] for row in added] == ["SKU-000004", "SKU-000005"]
    assert again[0]["pkRowId"] == added[0]["pkRowId"]  # already a member: the same row
    listed = lw.ok("Stock/GetVariationItems", "GET", params={"pkVariationItemId": group_id})
    assert [(r["ItemNumber"], r["pkStockItemId"]) for r in listed] == [
        ("SKU-000004", lw.item_id("SKU-000004")), ("SKU-000005", lw.item_id("SKU-000005"))]

    lw.ok("Stock/DeleteVariationItems", json={"request": {"VariationItemId": group_id,
                                                          "StockItemIds": [lw.item_id("SKU-000004")]}})
    assert lw.stored("SKU-000001")["variation_group"]["Items"] == ["SKU-000005"]


def test_the_group_is_found_by_parent_id_name_and_search(lw):
    group_id = _create(lw).json()["pkVariationItemId"]

    by_parent = lw.ok("Stock/GetVariationGroupByParentId", "GET", params={"pkStockItemId": group_id})
    assert by_parent["VariationGroupName"] == "T-shirt"
    none = lw.call("Stock/GetVariationGroupByParentId", "GET", params={"pkStockItemId": lw.item_id("SKU-000009")})
    assert none.status_code == 200 and none.json() is None
    assert lw.ok("Stock/GetVariationGroupByName", "GET", params={"variationName": "t-shirt"})["pkVariationItemId"] == group_id
    found = lw.ok("Stock/SearchVariationGroups", "GET", params={
        "searchType": "ItemSKU", "searchText": "000003", "pageNumber": 1, "entriesPerPage": 10})
    assert (found["TotalEntries"], found["Data"][0]["VariationSKU"]) == (1, "SKU-000001")
    assert lw.ok("Stock/CheckVariationParentSKUExists", "GET", params={"parentSKU": "SKU-000001"}) == "AlreadyVariation"
    assert lw.ok("Stock/CheckVariationParentSKUExists", "GET", params={"parentSKU": "SKU-000009"}) == "Exists"
    assert lw.ok("Stock/CheckVariationParentSKUExists", "GET", params={"parentSKU": "NOPE"}) == "NotExists"


def test_rename_shows_on_the_parent_item_and_delete_keeps_the_item(lw):
    group_id = _create(lw).json()["pkVariationItemId"]
    assert lw.call("Stock/RenameVariationGroup", json={"pkVariationItemId": group_id,
                                                      "variationName": "Tee"}).status_code == 204
    assert lw.ok("Inventory/GetInventoryItemById", "GET", params={"id": group_id})["VariationGroupName"] == "Tee"

    lw.ok("Stock/DeleteVariationGroups", json={"request": {"VariationGroupsIdList": [group_id]}})
    item = lw.stored("SKU-000001")
    assert item["status"] == "live" and item["variation_group"] is None
    assert (item["item"]["IsVariationParent"], item["item"]["VariationGroupName"]) == (False, None)


def test_a_full_replace_of_the_parent_keeps_its_group(lw):
    group_id = _create(lw).json()["pkVariationItemId"]
    item = lw.ok("Inventory/GetInventoryItemById", "GET", params={"id": group_id})
    item.pop("VariationGroupName")
    item["IsVariationParent"] = False
    lw.ok("Inventory/UpdateInventoryItem", json={"inventoryItem": item})

    after = lw.stored("SKU-000001")
    assert after["item"]["IsVariationParent"] is True and after["variation_group"]["VariationGroupName"] == "T-shirt"


def test_type_info_says_which_skus_are_variation_or_composite_parents(lw):
    _create(lw)
    answer = lw.ok("Stock/GetStockItemTypeInfo", json={"request": {"SKUS": ["SKU-000001", "SKU-000002", "NOPE"]}})

    assert [(r["SKU"], r["IsVariationGroup"], r["IsCompositeParent"]) for r in answer["StockItemInfo"]] == [
        ("SKU-000001", True, False), ("SKU-000002", False, False)]


def test_new_methods_have_their_documented_quotas(lw):
    lw.settings(quota_window_seconds=60)
    group_id = _create(lw).json()["pkVariationItemId"]
    lw.settings(quota_overrides={"Stock/GetVariationItems": 1})
    lw.ok("Stock/GetVariationItems", "GET", params={"pkVariationItemId": group_id})
    answer = lw.call("Stock/GetVariationItems", "GET", params={"pkVariationItemId": group_id})
    assert answer.status_code == 429
    assert answer.json()["Message"] == "API calls quota exceeded! Maximum admitted 1 per Minute."
    from sandbox.linnworks.registry import find
    assert {name: find(*name.split("/")).limit for name in (
        "Stock/CreateVariationGroup", "Stock/AddVariationItems", "Stock/GetVariationItems",
        "Stock/DeleteVariationItems", "Stock/RenameVariationGroup")} == {
        "Stock/CreateVariationGroup": 150, "Stock/AddVariationItems": 250, "Stock/GetVariationItems": 250,
        "Stock/DeleteVariationItems": 150, "Stock/RenameVariationGroup": 150}
