"""Stock levels per location: Available may go negative, SetStockLevel absolute, UpdateStockLevelsBySKU delta."""
from __future__ import annotations

import pytest

from sandbox.linnworks.seed import LONDON_WAREHOUSE

pytestmark = pytest.mark.integration

DEFAULT = "00000000-0000-0000-0000-000000000000"


def _at(levels, location_id):
    return next(row for row in levels if row["Location"]["StockLocationId"] == location_id)


def test_get_stock_level_has_one_row_per_location_and_available_can_be_negative(lw):
    lw.control("PUT", "stock", json=[{"SKU": "SKU-000015", "LocationId": DEFAULT, "StockLevel": 2, "InOrderBook": 5}])
    levels = lw.ok("Stock/GetStockLevel", "GET", params={"stockItemId": lw.item_id("SKU-000015")})
    locations = lw.ok("Inventory/GetStockLocations", "GET")
    assert [row["Location"]["StockLocationId"] for row in levels] == [loc["StockLocationId"] for loc in locations]
    default = _at(levels, DEFAULT)
    assert (default["StockLevel"], default["InOrderBook"], default["Available"]) == (2, 5, -3)
    assert default["SKU"] == "SKU-000015" and default["StockItemId"] == lw.item_id("SKU-000015")
    assert {"Due", "MinimumLevel", "StockValue", "rowid", "LastUpdateDate", "InOrders"} <= default.keys()


def test_set_stock_level_is_absolute_per_sku_and_location(lw):
    lw.control("PUT", "stock", json=[{"SKU": "SKU-000015", "LocationId": LONDON_WAREHOUSE, "StockLevel": 50,
                                      "InOrderBook": 0}])
    answer = lw.ok("Stock/SetStockLevel", json={"stockLevels": [
        {"SKU": "SKU-000015", "LocationId": LONDON_WAREHOUSE, "Level": 8}], "changeSource": "pimflow"})
    assert answer[0]["StockLevel"] == 8 and answer[0]["LastUpdateOperation"] == "pimflow"
    again = lw.ok("Stock/SetStockLevel", json={"stockLevels": [
        {"SKU": "SKU-000015", "LocationId": LONDON_WAREHOUSE, "Level": 8}], "changeSource": "pimflow"})
    assert again[0]["StockLevel"] == 8


def test_update_stock_levels_by_sku_adds_a_delta(lw):
    lw.control("PUT", "stock", json=[{"SKU": "SKU-000015", "LocationId": DEFAULT, "StockLevel": 10, "InOrderBook": 1}])
    answer = lw.ok("Stock/UpdateStockLevelsBySKU", json={"stockLevels": [
        {"SKU": "SKU-000015", "LocationId": DEFAULT, "Level": -4}], "changeSource": "x"})
    assert (answer[0]["StockLevel"], answer[0]["Available"]) == (6, 5)
    answer = lw.ok("Stock/UpdateStockLevelsBySKU", json={"stockLevels": [
        {"SKU": "SKU-000015", "LocationId": DEFAULT, "Level": 3}], "changeSource": "x"})
    assert answer[0]["StockLevel"] == 9


def test_missing_location_id_means_the_default_location(lw):
    answer = lw.ok("Stock/SetStockLevel", json={"stockLevels": [{"SKU": "SKU-000016", "Level": 4}],
                                                "changeSource": "x"})
    assert answer[0]["Location"]["StockLocationId"] == DEFAULT


def test_stock_change_with_an_unknown_sku_applies_nothing(lw):
    before = _at(lw.stored("SKU-000016")["stock_levels"], DEFAULT)["StockLevel"]
    answer = lw.call("Stock/SetStockLevel", json={"stockLevels": [
        {"SKU": "SKU-000016", "LocationId": DEFAULT, "Level": before + 10}, {"SKU": "NOPE", "Level": 1}],
        "changeSource": "x"})
    assert answer.status_code == 400
    assert _at(lw.stored("SKU-000016")["stock_levels"], DEFAULT)["StockLevel"] == before


def test_stock_change_with_an_unknown_location_is_refused(lw):
    answer = lw.call("Stock/SetStockLevel", json={"stockLevels": [
        {"SKU": "SKU-000016", "LocationId": "0a0a0a0a-0000-4000-8000-000000000000", "Level": 1}]})
    assert answer.status_code == 400


def test_stock_levels_parameter_is_required(lw):
    answer = lw.call("Stock/SetStockLevel", json={"levels": [{"SKU": "SKU-000016", "Level": 1}]})
    assert answer.status_code == 400
    assert answer.json()["Message"] == "'stockLevels' parameter is missing"


def test_get_stock_level_batch_shape(lw):
    ids = [lw.item_id("SKU-000001"), lw.item_id("SKU-000002"), "0a0a0a0a-0000-4000-8000-000000000000"]
    answer = lw.ok("Stock/GetStockLevel_Batch", json={"request": {"StockItemIds": ids}})
    assert [row["pkStockItemId"] for row in answer] == ids[:2]
    assert len(answer[0]["StockItemLevels"]) == 3
    assert answer[0]["StockItemLevels"][0]["StockItemId"] == ids[0]


def test_get_stock_level_by_location(lw):
    answer = lw.ok("Stock/GetStockLevelByLocation", json={"request": {
        "StockItemId": lw.item_id("SKU-000003"), "LocationId": LONDON_WAREHOUSE}})
    assert answer["StockLevel"]["Location"]["LocationName"] == "London Warehouse"
