"""Variation, composition and category wrappers: documented shapes, batching, safe resends."""
from __future__ import annotations

import json

import pytest
import requests
import responses
from linnworks_unit_helpers import api, body_of
from urllib3.exceptions import ProtocolError

from linnworks.api import ids
from linnworks.api.compositions import CompositionRow
from linnworks.api.errors import LinnworksRequestError

PARENT = ids.stock_item_id("TEE")
CHILDREN = [ids.stock_item_id(f"TEE-{size}") for size in "SML"]


def calls_to(mocked, url):
    return [call for call in mocked.calls if call.request.url.split("?")[0] == url]


def test_a_group_is_created_from_a_template_on_the_parents_id(authorized, client):
    url = api("Stock/CreateVariationGroup")
    authorized.post(url, json={"VariationSKU": "TEE", "pkVariationItemId": PARENT, "VariationGroupName": "Tee"})

    group = client.create_variation_group("Tee", "TEE", PARENT, CHILDREN)

    assert group.pk_variation_item_id == PARENT
    assert body_of(calls_to(authorized, url)[0]) == {"template": {
        "VariationGroupName": "Tee", "ParentSKU": "TEE", "ParentStockItemId": PARENT, "VariationItemIds": CHILDREN}}


def test_a_lost_create_answer_is_checked_by_parent_id_and_not_resent_when_it_landed(authorized, client):
    create = api("Stock/CreateVariationGroup")
    authorized.post(create, status=500, json={"Message": "An error has occurred."})
    authorized.get(api("Stock/GetVariationGroupByParentId"),
                   json={"VariationSKU": "TEE", "pkVariationItemId": PARENT, "VariationGroupName": "Tee"})

    group = client.create_variation_group("Tee", "TEE", PARENT, CHILDREN)

    assert group.variation_group_name == "Tee" and len(calls_to(authorized, create)) == 1


def test_a_lost_create_answer_is_resent_when_nothing_landed(authorized, client):
    create = api("Stock/CreateVariationGroup")
    authorized.post(create, status=500, json={"Message": "An error has occurred."})
    authorized.post(create, json={"VariationSKU": "TEE", "pkVariationItemId": PARENT, "VariationGroupName": "Tee"})
    authorized.get(api("Stock/GetVariationGroupByParentId"), body="null", content_type="application/json")

    assert client.create_variation_group("Tee", "TEE", PARENT).pk_variation_item_id == PARENT
    assert len(calls_to(authorized, create)) == 2


def test_no_group_reads_as_none(authorized, client):
    authorized.get(api("Stock/GetVariationGroupByParentId"), body="null", content_type="application/json")
    assert client.get_variation_group(PARENT) is None


def test_members_are_removed_with_the_request_wrapper_and_added_bare(authorized, client):
    authorized.post(api("Stock/DeleteVariationItems"), status=204)
    authorized.post(api("Stock/AddVariationItems"), json=[])
    client.remove_variation_items(PARENT, CHILDREN[:1])
    client.add_variation_items(PARENT, CHILDREN[1:])

    assert body_of(calls_to(authorized, api("Stock/DeleteVariationItems"))[0]) == {
        "request": {"VariationItemId": PARENT, "StockItemIds": CHILDREN[:1]}}
    assert body_of(calls_to(authorized, api("Stock/AddVariationItems"))[0]) == {
        "pkVariationItemId": PARENT, "pkStockItemIds": CHILDREN[1:]}


def test_a_lost_add_answer_resends_only_the_items_not_yet_in_the_group(authorized, client):
    add = api("Stock/AddVariationItems")
    authorized.post(add, status=502, json={"Message": "Bad gateway"})
    authorized.post(add, json=[])
    authorized.get(api("Stock/GetVariationItems"), json=[{"pkRowId": "r", "pkStockItemId": CHILDREN[0].upper()}])

    client.add_variation_items(PARENT, CHILDREN)

    assert body_of(calls_to(authorized, add)[1])["pkStockItemIds"] == CHILDREN[1:]


def test_item_types_are_read_200_skus_a_call_and_answered_as_asked(authorized, client):
    url = api("Stock/GetStockItemTypeInfo")

    def answer(request):
        skus = json.loads(request.body)["request"]["SKUS"]
        rows = [{"SKU": sku.upper(), "StockItemId": ids.stock_item_id(sku), "IsVariationGroup": sku == "p-0"}
                for sku in skus]
        return 200, {}, json.dumps({"StockItemInfo": rows})

    authorized.add_callback(responses.POST, url, callback=answer, content_type="application/json")
    types = client.get_item_types([f"p-{n}" for n in range(250)])

    assert [len(body_of(call)["request"]["SKUS"]) for call in calls_to(authorized, url)] == [200, 50]
    assert types["p-0"].is_variation_group and not types["p-1"].is_variation_group and len(types) == 250


def test_compositions_are_read_100_parents_a_call(authorized, client):
    url = api("Inventory/GetInventoryItemsCompositionByIds")

    def answer(request):
        parents = json.loads(request.body)["request"]["InventoryItemIds"]
        return 200, {}, json.dumps({"InventoryItemsCompositionByIds": {
            p.upper(): [{"LinkedStockItemId": CHILDREN[0], "Quantity": 2, "SKU": "TEE-S"}] for p in parents}})

    authorized.add_callback(responses.POST, url, callback=answer, content_type="application/json")
    parents = [ids.stock_item_id(f"KIT-{n}") for n in range(150)]
    rows = client.get_compositions(parents)

    assert [len(body_of(call)["request"]["InventoryItemIds"]) for call in calls_to(authorized, url)] == [100, 50]
    assert rows[parents[7]][0].stock_item_id.lower() == parents[7] and rows[parents[7]][0].quantity == 2


def test_composition_rows_are_written_200_a_call_and_deleted_by_component_id(authorized, client):
    create, delete = api("Inventory/CreateInventoryItemCompositions"), api("Inventory/DeleteInventoryItemCompositions")
    authorized.post(create, status=204)
    authorized.post(delete, status=204)
    rows = [CompositionRow(stock_item_id=ids.stock_item_id(f"K{n}"), linked_stock_item_id=CHILDREN[0], quantity=1)
            for n in range(201)]
    client.create_compositions(rows)
    client.delete_compositions(PARENT, CHILDREN[:2])

    sent = [body_of(call)["inventoryItemCompositions"] for call in calls_to(authorized, create)]
    assert [len(batch) for batch in sent] == [200, 1]
    assert sent[0][0] == {"StockItemId": ids.stock_item_id("K0"), "LinkedStockItemId": CHILDREN[0], "Quantity": 1}
    assert body_of(calls_to(authorized, delete)[0]) == {"stockItemId": PARENT, "inventoryItemCompositionIds": CHILDREN[:2]}


def test_a_composition_quantity_must_be_positive():
    with pytest.raises(ValueError):
        CompositionRow(stock_item_id=PARENT, linked_stock_item_id=CHILDREN[0], quantity=0)


def test_a_category_is_created_with_a_deterministic_id_and_a_lost_answer_is_read_back_not_resent(authorized, client):
    url = api("Inventory/CreateCategory")
    category_id = ids.category_id("Clothing/T-shirts")
    authorized.post(url, status=500, json={"Message": "An error has occurred."})
    authorized.get(api("Inventory/GetCategories"), json=[
        {"CategoryId": "00000000-0000-0000-0000-000000000000", "CategoryName": "Default"},
        {"CategoryId": category_id.upper(), "CategoryName": "Clothing/T-shirts"}])

    category = client.create_category("Clothing/T-shirts")

    assert (category.category_id.lower(), category.category_name) == (category_id, "Clothing/T-shirts")
    assert [body_of(call) for call in calls_to(authorized, url)] == [
        {"categoryName": "Clothing/T-shirts", "categoryId": category_id}]


def test_a_lost_composition_create_resends_only_the_rows_not_read_back(authorized, client):
    create = api("Inventory/CreateInventoryItemCompositions")
    authorized.post(create, status=502, body="bad gateway")
    authorized.post(api("Inventory/GetInventoryItemsCompositionByIds"), json={"InventoryItemsCompositionByIds": {
        PARENT.upper(): [{"LinkedStockItemId": CHILDREN[0].upper(), "Quantity": 2}]}})
    authorized.post(create, body="")

    client.create_compositions([CompositionRow(stock_item_id=PARENT, linked_stock_item_id=child, quantity=2)
                                for child in CHILDREN[:2]])

    sent = [[row["LinkedStockItemId"] for row in body_of(call)["inventoryItemCompositions"]]
            for call in calls_to(authorized, create)]
    assert sent == [CHILDREN[:2], CHILDREN[1:2]]


def test_a_lost_add_answer_whose_items_all_landed_is_not_resent_and_returns_them_as_read_back(authorized, client):
    add = api("Stock/AddVariationItems")
    authorized.post(add, body=requests.ConnectionError(ProtocolError("Connection aborted.")))
    authorized.get(api("Stock/GetVariationItems"), json=[
        {"pkRowId": f"r{n}", "pkStockItemId": child, "ItemNumber": f"TEE-{size}"}
        for n, (child, size) in enumerate(zip(CHILDREN, "SML"))])

    added = client.add_variation_items(PARENT, CHILDREN)

    assert [item.pk_stock_item_id for item in added] == CHILDREN
    assert len(calls_to(authorized, add)) == 1


def test_a_refused_group_create_is_neither_verified_nor_resent(authorized, client):
    create = api("Stock/CreateVariationGroup")
    authorized.post(create, status=400, json={"Message": "Parent item not found"})

    with pytest.raises(LinnworksRequestError, match="Parent item not found"):
        client.create_variation_group("Tee", "TEE", PARENT, CHILDREN)

    assert len(calls_to(authorized, create)) == 1
    assert not calls_to(authorized, api("Stock/GetVariationGroupByParentId"))


def test_only_verify_methods_take_the_verify_before_resend_path(client):
    with pytest.raises(ValueError, match="Inventory/UpdateInventoryItemField is not a verify-before-resend"):
        client._call_verified("Inventory/UpdateInventoryItemField", {}, lambda payload: None,
                              lambda payload: None)
