"""Deterministic ids: the same input always names the same Linnworks row, different rows never collide."""
from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from linnworks import ids


def test_stock_item_id_is_a_fixed_uuid5_of_the_sku():
    # Pinned: changing the namespace would give every item already in Linnworks a new id.
    assert ids.stock_item_id("SKU-001") == str(uuid.uuid5(ids.NAMESPACE, "item\x1fSKU-001"))
    assert str(ids.NAMESPACE) == "fa6e9f7e-447b-54fb-b6f1-d0800f3b7a21"
    assert uuid.UUID(ids.stock_item_id("SKU-001")).version == 5


def test_same_inputs_same_ids_across_calls():
    item = ids.stock_item_id("A")
    assert ids.stock_item_id("A") == item
    assert ids.price_row_id(item, "AMAZON", "UK") == ids.price_row_id(item.upper(), "AMAZON", "UK")
    assert ids.title_row_id(item, "EBAY", "Store") == ids.title_row_id(item, "EBAY", "Store")


def test_row_kinds_and_channels_get_distinct_ids():
    item = ids.stock_item_id("A")
    produced = {
        ids.price_row_id(item, "AMAZON", "UK"),
        ids.price_row_id(item, "AMAZON", "UK", "sale"),
        ids.price_row_id(item, "AMAZON", "DE"),
        ids.title_row_id(item, "AMAZON", "UK"),
        ids.description_row_id(item, "AMAZON", "UK"),
        ids.extended_property_row_id(item, "AMAZON"),
        item,
    }
    assert len(produced) == 7


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_different_skus_never_share_an_item_id(a, b):
    assert (ids.stock_item_id(a) == ids.stock_item_id(b)) == (a == b)


@given(st.text(max_size=8), st.text(max_size=8), st.text(max_size=8), st.text(max_size=8))
def test_parts_cannot_run_together(a, b, c, d):
    # ("AB", "C") and ("A", "BC") must not be the same row.
    item = ids.stock_item_id("X")
    same_key = (a, b) == (c, d)
    assert (ids.title_row_id(item, a, b) == ids.title_row_id(item, c, d)) == same_key
