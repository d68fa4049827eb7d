"""Deterministic ids: the same input always names the same Linnworks row, different rows never collide."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from linnworks.api import ids


def test_stock_item_id_is_a_fixed_uuid5_of_the_sku():
    # Pinned: changing the namespace would give every item already in Linnworks a new id.
    assert ids.stock_item_id("SKU-001") == str(uuid.uuid5(ids.NAMESPACE, "item\x1fSKU-001"))
    assert str(ids.NAMESPACE) == "fa6e9f7e-447b-54fb-b6f1-d0800f3b7a21"
    assert uuid.UUID(ids.stock_item_id("SKU-001")).version == 5


PLUGINS = Path(__file__).resolve().parents[3] / "plugins"


def documented(kind: str, *parts: str) -> str:
    """The recipe of `linnworks.api.ids`' docstring, written out independently of its code."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pimflow:linnworks")
    return str(uuid.uuid5(namespace, "\x1f".join((kind, *parts))))


def test_same_inputs_give_the_documented_ids():
    item = ids.stock_item_id("A")
    assert item == documented("item", "A")
    assert ids.price_row_id(item, "AMAZON", "UK") == documented("price", item, "AMAZON", "UK", "")
    assert ids.price_row_id(item, "AMAZON", "UK", "sale") == documented("price", item, "AMAZON", "UK", "sale")
    assert ids.title_row_id(item, "EBAY", "Store") == documented("title", item, "EBAY", "Store")
    assert ids.description_row_id(item, "EBAY", "Store") == documented("description", item, "EBAY", "Store")
    assert ids.category_id("Chairs") == documented("category", "Chairs")
    # Linnworks may answer a StockItemId in capitals: the rows of that item keep their ids.
    assert ids.price_row_id(item.upper(), "AMAZON", "UK") == ids.price_row_id(item, "AMAZON", "UK")
    assert ids.title_row_id(item.upper(), "EBAY", "Store") == ids.title_row_id(item, "EBAY", "Store")


def test_ids_are_the_same_in_another_process():
    # A re-run or a retry happens in another worker process: nothing may depend on hash seeds or
    # process state.
    item = ids.stock_item_id("SKU-001")
    here = [item, ids.price_row_id(item, "AMAZON", "UK"), ids.title_row_id(item, "EBAY", "Store"),
            ids.category_id("Chairs")]
    code = ("from linnworks.api import ids; i = ids.stock_item_id('SKU-001'); "
            "print(i, ids.price_row_id(i, 'AMAZON', 'UK'), ids.title_row_id(i, 'EBAY', 'Store'), "
            "ids.category_id('Chairs'))")
    for seed in ("1", "2"):
        there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                               env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(PLUGINS)})
        assert there.stdout.split() == here


def test_row_kinds_and_channels_get_distinct_ids():
    item = ids.stock_item_id("A")
    produced = {
        ids.price_row_id(item, "AMAZON", "UK"),
        ids.price_row_id(item, "AMAZON", "UK", "sale"),
        ids.price_row_id(item, "AMAZON", "DE"),
        ids.title_row_id(item, "AMAZON", "UK"),
        ids.description_row_id(item, "AMAZON", "UK"),
        item,
    }
    assert len(produced) == 6


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_different_skus_never_share_an_item_id(a, b):
    assert (ids.stock_item_id(a) == ids.stock_item_id(b)) == (a == b)


@given(st.text(max_size=8), st.text(max_size=8), st.text(max_size=8), st.text(max_size=8))
def test_parts_cannot_run_together(a, b, c, d):
    # ("AB", "C") and ("A", "BC") must not be the same row.
    item = ids.stock_item_id("X")
    same_key = (a, b) == (c, d)
    assert (ids.title_row_id(item, a, b) == ids.title_row_id(item, c, d)) == same_key
