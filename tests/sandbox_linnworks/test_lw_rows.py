"""Prices, titles, descriptions (client pkRowIds, PK violations) and extended properties (server-named
rows, the typo)."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration

ZERO = "00000000-0000-0000-0000-000000000000"

KINDS = {  # noun, array parameter, delete-ids parameter, value field, value
    "prices": ("Prices", "inventoryItemPrices", "inventoryItemPriceIds", "Price", 12.5),
    "titles": ("Titles", "inventoryItemTitles", "inventoryItemTitleIds", "Title", "Channel title"),
    "descriptions": ("Descriptions", "inventoryItemDescriptions", "inventoryItemDescriptionIds", "Description",
                     "<p>Channel description</p>"),
}


def _row(lw, kind, sku="SKU-000009", pk="new", value=None, source="SHOPIFY", sub="Shop"):
    _, _, _, field, default = KINDS[kind]
    row = {"StockItemId": lw.item_id(sku), "Source": source, "SubSource": sub, field: value or default}
    if pk == "new":
        row["pkRowId"] = str(uuid.uuid4())
    elif pk is not None:
        row["pkRowId"] = pk
    return row


def _rows(lw, kind, sku="SKU-000009"):
    noun = KINDS[kind][0]
    return lw.ok(f"Inventory/GetInventoryItem{noun}", "GET", params={"inventoryItemId": lw.item_id(sku)})


@pytest.mark.parametrize("kind", KINDS)
def test_create_keeps_the_client_pk_row_id(lw, kind):
    noun, param, _, field, value = KINDS[kind]
    row = _row(lw, kind)
    answer = lw.call(f"Inventory/CreateInventoryItem{noun}", json={param: [row]})
    assert answer.status_code == 204
    created = [r for r in _rows(lw, kind) if r["pkRowId"] == row["pkRowId"]]
    assert len(created) == 1 and created[0][field] == value and created[0]["Source"] == "SHOPIFY"


@pytest.mark.parametrize("kind", KINDS)
def test_create_without_pk_row_id_collides_on_the_second_insert(lw, kind):
    noun, param, _, _, _ = KINDS[kind]
    first = lw.call(f"Inventory/CreateInventoryItem{noun}", json={param: [_row(lw, kind, pk=None)]})
    assert first.status_code == 204
    second = lw.call(f"Inventory/CreateInventoryItem{noun}", json={param: [_row(lw, kind, "SKU-000010", pk=None)]})
    assert second.status_code == 400
    assert "Violation of PRIMARY KEY" in second.json()["Message"] and ZERO in second.json()["Message"]


@pytest.mark.parametrize("kind", KINDS)
def test_create_is_all_or_nothing(lw, kind):
    noun, param, _, _, _ = KINDS[kind]
    good = _row(lw, kind)
    before = len(_rows(lw, kind))
    answer = lw.call(f"Inventory/CreateInventoryItem{noun}", json={param: [good, {**good}]})
    assert answer.status_code == 400
    assert len(_rows(lw, kind)) == before


@pytest.mark.parametrize("kind", KINDS)
def test_update_matches_by_pk_row_id_and_delete_removes(lw, kind):
    noun, param, ids_param, field, _ = KINDS[kind]
    row = _row(lw, kind)
    lw.ok(f"Inventory/CreateInventoryItem{noun}", json={param: [row]})
    changed = {**row, field: 99.0 if kind == "prices" else "changed"}
    lw.ok(f"Inventory/UpdateInventoryItem{noun}", json={param: [changed]})
    assert [r[field] for r in _rows(lw, kind) if r["pkRowId"] == row["pkRowId"]] == [changed[field]]
    lw.ok(f"Inventory/DeleteInventoryItem{noun}", json={ids_param: [row["pkRowId"]]})
    assert row["pkRowId"] not in [r["pkRowId"] for r in _rows(lw, kind)]


def test_default_price_is_the_implicit_zero_guid_row(lw):
    item_id = lw.item_id("SKU-000009")
    listed = _rows(lw, "prices")
    assert all(r["pkRowId"] != ZERO and r["Source"] for r in listed)
    lw.ok("Inventory/UpdateInventoryItemPrices", json={"inventoryItemPrices": [
        {"pkRowId": ZERO, "StockItemId": item_id, "Source": "", "SubSource": "", "Price": 42.0}]})
    assert lw.stored("SKU-000009")["item"]["RetailPrice"] == 42.0
    assert _rows(lw, "prices") == listed


def test_price_rows_have_the_stock_item_price_shape(lw):
    row = _rows(lw, "prices")[0]
    assert {"pkRowId", "StockItemId", "StockItemIntId", "Source", "SubSource", "Price", "Tag", "UpdateStatus",
            "Rules"} <= row.keys()
    assert (row["Source"], row["SubSource"]) == ("AMAZON", "Amazon UK")


def _props(lw, sku="SKU-000011", **extra):
    return lw.ok("Inventory/GetInventoryItemExtendedProperties", json={"inventoryItemId": lw.item_id(sku), **extra})


def test_extended_properties_use_the_propery_name_typo_and_answer_text(lw):
    answer = lw.call("Inventory/CreateInventoryItemExtendedProperties", json={"inventoryItemExtendedProperties": [
        {"fkStockItemId": lw.item_id("SKU-000011"), "ProperyName": "ak_color",
         "PropertyValue": "red", "PropertyType": "Attribute"}]})
    assert answer.status_code == 200
    assert answer.content and not answer.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError):
        answer.json()
    props = _props(lw)
    assert props == [{"pkRowId": props[0]["pkRowId"], "fkStockItemId": lw.item_id("SKU-000011"),
                      "ProperyName": "ak_color", "PropertyValue": "red", "PropertyType": "Attribute"}]
    assert uuid.UUID(props[0]["pkRowId"]).int != 0


def test_correctly_spelt_property_name_is_silently_ignored(lw):
    lw.call("Inventory/CreateInventoryItemExtendedProperties", json={"inventoryItemExtendedProperties": [
        {"SKU": "SKU-000011", "PropertyName": "ak_size", "PropertyValue": "XL"}]})
    assert [(p["ProperyName"], p["PropertyValue"]) for p in _props(lw)] == [(None, "XL")]


def test_extended_property_rows_are_named_by_the_server_and_create_does_not_upsert(lw):
    """The spec's StockItemExtendedPropertyUpsertItem has no pkRowId: each create makes a row of its
    own, whatever pkRowId a client sends, and updates address the row by the id the server gave."""
    client_id = str(uuid.uuid4())
    row = {"SKU": "SKU-000011", "ProperyName": "a", "PropertyValue": "1", "pkRowId": client_id}
    body = {"inventoryItemExtendedProperties": [row]}
    assert lw.call("Inventory/CreateInventoryItemExtendedProperties", json=body).status_code == 200
    assert lw.call("Inventory/CreateInventoryItemExtendedProperties", json=body).status_code == 200
    first, second = _props(lw)
    assert client_id not in (first["pkRowId"], second["pkRowId"]) and first["pkRowId"] != second["pkRowId"]
    updated = lw.call("Inventory/UpdateInventoryItemExtendedProperties", json={"inventoryItemExtendedProperties": [
        {"pkRowId": second["pkRowId"], "ItemNumber": "SKU-000011", "ProperyName": "a", "PropertyValue": "2"}]})
    assert updated.status_code == 200
    with pytest.raises(ValueError):
        updated.json()
    assert [p["PropertyValue"] for p in _props(lw)] == ["1", "2"]


def test_extended_properties_filter_and_delete(lw):
    lw.call("Inventory/CreateInventoryItemExtendedProperties", json={"inventoryItemExtendedProperties": [
        {"SKU": "SKU-000011", "ProperyName": "ak_a", "PropertyValue": "1"},
        {"SKU": "SKU-000011", "ProperyName": "ak_b", "PropertyValue": "2"}]})
    pks = [p["pkRowId"] for p in _props(lw)]
    # The filter object (propertyParams) spells PropertyName correctly.
    assert [p["pkRowId"] for p in _props(lw, propertyParams={"PropertyName": "ak_b"})] == [pks[1]]
    lw.ok("Inventory/DeleteInventoryItemExtendedProperties", json={
        "inventoryItemId": lw.item_id("SKU-000011"), "inventoryItemExtendedPropertyIds": [pks[0]]})
    assert [p["pkRowId"] for p in _props(lw)] == [pks[1]]
    by_sku = lw.ok("Inventory/GetInventoryItemExtendedProperties", json={"itemNumber": "SKU-000011"})
    assert [p["pkRowId"] for p in by_sku] == [pks[1]]
