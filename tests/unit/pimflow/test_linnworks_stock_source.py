"""Row building of the `linnworks_stock` source: stock per location, channel rules, unchanged values."""
from __future__ import annotations

from decimal import Decimal

import pytest

from linnworks.api.models import StockItemFull, StockLevel
from linnworks.api.paging import ListingReport
from pimflow.kinds.akeneo import AkeneoProfileError
from pimflow.kinds.linnworks_stock import (
    DEFAULT_LOCATION_ID,
    LinnworksStockProfileError,
    check_attribute,
    current_quantities,
    is_unchanged,
    listed_row,
    listing_rules,
    listing_stock,
    resolve_locations,
    stock_of,
    unread_rows,
)
from pimflow.profile import ChannelRule
from productsup.metadata import AttributeMeta, CatalogMeta, ChannelMeta

LONDON = "6f1a0c3e-0000-4000-8000-00000000a001"
FBA = "6f1a0c3e-0000-4000-8000-00000000a002"
KNOWN = [(DEFAULT_LOCATION_ID, "Default"), (LONDON, "London Warehouse"), (FBA, "Amazon FBA UK")]


def level(location: str, stock: int, in_orders: int = 0) -> StockLevel:
    return StockLevel.model_validate({"Location": {"StockLocationId": location}, "StockLevel": stock,
                                      "InOrderBook": in_orders, "Available": stock - in_orders})


def row_for(stock: int, **rule) -> str:
    rules = listing_rules({"web": ChannelRule(**rule) if rule else None})
    return listed_row("A", stock, "qty", rules)["qty~web"]


@pytest.mark.parametrize("stock, rule, listed", [
    (20, {"max_quantity": 10}, "10"),
    (20, {"max_percent": Decimal(50)}, "10"),
    (20, {"max_quantity": 10, "max_percent": Decimal(50)}, "5"),
    (20, {"end_when": 20}, "0"),
    (21, {"end_when": 20}, "21"),
    (-3, {}, "0"),
    (20, {}, "20"),
    (20, {"max_percent": Decimal(0)}, "0"),
    (20, {"max_percent": Decimal(100)}, "20"),
])
def test_channel_rule_examples_give_the_listed_quantity(stock, rule, listed):
    assert row_for(stock, **rule) == listed


def test_row_has_one_column_per_channel_with_its_own_rule():
    rules = listing_rules({"ecommerce": None, "mobile": ChannelRule(max_quantity=3)})
    assert listed_row("PF-1", 7, "listable", rules) == {"sku": "PF-1", "listable~ecommerce": "7",
                                                        "listable~mobile": "3"}


def test_several_locations_are_summed_and_others_ignored():
    levels = [level(DEFAULT_LOCATION_ID, 5), level(LONDON, 7), level(FBA, 100)]
    assert stock_of(levels, [DEFAULT_LOCATION_ID, LONDON], "stock_level") == 12


def test_location_missing_from_an_item_counts_as_zero():
    assert stock_of([level(LONDON, 7)], [DEFAULT_LOCATION_ID, LONDON], "stock_level") == 7
    assert stock_of([], [DEFAULT_LOCATION_ID], "available") == 0
    assert stock_of(None, [DEFAULT_LOCATION_ID], "available") == 0


def test_available_subtracts_open_orders_and_stock_level_does_not():
    levels = [level(DEFAULT_LOCATION_ID, 10, in_orders=4), level(LONDON, 2, in_orders=5)]
    assert stock_of(levels, [DEFAULT_LOCATION_ID, LONDON], "available") == 3
    assert stock_of(levels, [DEFAULT_LOCATION_ID, LONDON], "stock_level") == 12


def test_locations_resolve_by_name_or_id_and_default_to_the_default_location():
    assert resolve_locations([], KNOWN) == [DEFAULT_LOCATION_ID]
    assert resolve_locations(["london warehouse", FBA.upper(), LONDON], KNOWN) == [LONDON, FBA]


def test_unknown_location_fails_naming_the_setting():
    with pytest.raises(LinnworksStockProfileError, match=r"source.locations: 'Paris' not found"):
        resolve_locations(["Default", "Paris"], KNOWN)


def test_values_equal_to_akeneo_are_unchanged_whatever_their_decimals():
    product = {"values": {"qty": [{"locale": None, "scope": "web", "data": "10.0000"},
                                  {"locale": None, "scope": "app", "data": 4}]}}
    current = current_quantities(product, "qty")
    assert is_unchanged({"sku": "A", "qty~web": "10", "qty~app": "4"}, current, "qty")
    assert not is_unchanged({"sku": "A", "qty~web": "10", "qty~app": "5"}, current, "qty")
    assert not is_unchanged({"sku": "A", "qty~web": "10", "qty~new": "0"}, current, "qty")  # no value yet
    assert not is_unchanged({"sku": "A", "qty~web": "10"}, None, "qty")  # not in Akeneo


def _meta(**attributes) -> CatalogMeta:
    return CatalogMeta(attributes={code: AttributeMeta(code, **kw) for code, kw in attributes.items()},
                       channels={"ecommerce": ChannelMeta("ecommerce", frozenset(), frozenset())})


def test_attribute_must_be_a_scopable_number_and_channels_must_exist():
    meta = _meta(listable={"type": "pim_catalog_number", "scopable": True},
                 stock_quantity={"type": "pim_catalog_number"},
                 meta_title={"type": "pim_catalog_text", "scopable": True, "localizable": True})
    check_attribute(meta, "listable", ["ecommerce"])
    with pytest.raises(AkeneoProfileError, match="source.attribute 'stock_quantity' must be a scopable"):
        check_attribute(meta, "stock_quantity", ["ecommerce"])
    with pytest.raises(AkeneoProfileError, match="source.attribute 'meta_title' must be"):
        check_attribute(meta, "meta_title", ["ecommerce"])
    with pytest.raises(AkeneoProfileError, match="source.attribute 'nope' does not exist"):
        check_attribute(meta, "nope", ["ecommerce"])
    with pytest.raises(AkeneoProfileError, match="source.channels: 'print' is not an Akeneo channel"):
        check_attribute(meta, "listable", ["ecommerce", "print"])


class FakeListing:
    """What `iter_items_full` returns: an iterable whose `report` is complete once iterated."""

    def __init__(self, items, report):
        self.items, self.report = items, report

    def __iter__(self):
        return iter(self.items)


def full(item_id: str, sku: str | None, stock: int) -> StockItemFull:
    return StockItemFull.model_validate({"StockItemId": item_id, "ItemNumber": sku,
                                         "StockLevels": [{"Location": {"StockLocationId": DEFAULT_LOCATION_ID},
                                                          "StockLevel": stock, "Available": stock}]})


def test_listing_stock_leaves_out_items_that_left_the_listing_while_read():
    items = [full("A-1", "SKU-1", 4), full("B-2", "SKU-2", 5), full("C-3", None, 9), full("D-4", "SKU-4", 6)]
    report = ListingReport(reads=2, verified=True, left=["b-2", "gone-earlier"])
    rows, left = listing_stock(FakeListing(items, report), [DEFAULT_LOCATION_ID], "available")
    assert rows == [{"sku": "SKU-1", "stock": 4}, {"sku": "SKU-4", "stock": 6}]
    assert left == ["SKU-2"]


def test_listing_stock_keeps_everything_when_nothing_moved():
    rows, left = listing_stock(FakeListing([full("A-1", "SKU-1", 4)], ListingReport(reads=1, verified=True)),
                               [DEFAULT_LOCATION_ID], "stock_level")
    assert (rows, left) == ([{"sku": "SKU-1", "stock": 4}], [])


def test_items_no_read_could_list_become_refused_rows_that_say_why():
    assert unread_rows(ListingReport(reads=1, verified=True)) == []
    rows = unread_rows(ListingReport(reads=3, counted=100, listed=97, missing=3))
    assert len(rows) == 3 and {row["sku"] for row in rows} == {""}
    code, message = rows[0]["error"]
    assert code == "not_read" and "3 reads" in message and "97 of the 100" in message and "up to 3" in message
