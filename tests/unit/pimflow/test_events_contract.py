"""The asset event contract of Akeneo events: which asset, and the `extra` a delivery produces."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pimflow.events.contract import Change, asset_uri, delivery_extra, merge_extras, products_asset

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)


def change(event_id, event_type, key=None, seconds=0):
    data = {}
    if ".product-model." in event_type:
        data = {"product_model": {"code": key}}
    elif ".product." in event_type:
        data = {"product": {"uuid": key}}
    return Change.of(event_id, event_type, data, T0 + timedelta(seconds=seconds))


def test_the_asset_of_a_connection():
    assert asset_uri("akeneo_default") == "akeneo://akeneo_default/products"
    asset = products_asset("akeneo_default")
    assert (asset.name, asset.uri, asset.group) == ("akeneo://akeneo_default/products",) * 2 + ("asset",)


def test_a_delivery_lists_each_entity_once_where_its_latest_event_puts_it():
    extra = delivery_extra("akeneo_default", [
        change("e1", "com.akeneo.pim.v1.product.updated", "u-1", seconds=0),
        change("e2", "com.akeneo.pim.v1.product.deleted", "u-2", seconds=1),
        change("e3", "com.akeneo.pim.v1.product.created", "u-2", seconds=0),  # older than its delete: arrived late
        change("e4", "com.akeneo.pim.v1.product-model.updated", "model_1", seconds=2),
        change("e5", "com.akeneo.pim.v1.category.updated", seconds=3),
        change("e6", "com.akeneo.pim.v1.product.updated", "u-1", seconds=4),
        change("e7", "com.akeneo.pim.v1.product-model.deleted", "model_2", seconds=5),
    ])
    assert extra == {
        "source": "akeneo-event-platform", "connection": "akeneo_default",
        "events": ["e1", "e2", "e3", "e4", "e6", "e7"],
        "types": {"com.akeneo.pim.v1.product.updated": 2, "com.akeneo.pim.v1.product.deleted": 1,
                  "com.akeneo.pim.v1.product.created": 1, "com.akeneo.pim.v1.product-model.updated": 1,
                  "com.akeneo.pim.v1.product-model.deleted": 1},
        "products": ["u-1"], "product_models": ["model_1"],
        "deleted": {"products": ["u-2"], "product_models": ["model_2"]},
        "first_time": "2026-03-01T10:00:00Z", "last_time": "2026-03-01T10:00:05Z", "ignored": 1,
    }


def test_same_time_events_follow_the_delivery_order():
    extra = delivery_extra("c", [change("e1", "com.akeneo.pim.v1.product.deleted", "u-1"),
                                 change("e2", "com.akeneo.pim.v1.product.created", "u-1")])
    assert extra["products"] == ["u-1"] and extra["deleted"] == {"products": [], "product_models": []}


def test_a_delivery_without_product_or_model_events_records_nothing():
    assert delivery_extra("c", [change("e1", "com.akeneo.pim.v1.family.updated")]) is None


def test_a_product_event_without_its_uuid_is_refused_with_the_field():
    with pytest.raises(ValueError, match="event e1: data.product.uuid is missing"):
        Change.of("e1", "com.akeneo.pim.v1.product.updated", {"product": {}}, T0)
    with pytest.raises(ValueError, match="data.product_model.code"):
        Change.of("e2", "com.akeneo.pim.v1.product-model.created", {}, T0)


def test_merging_extras_keeps_the_latest_word_on_each_entity():
    first = delivery_extra("c", [change("e1", "com.akeneo.pim.v1.product.updated", "u-1"),
                                 change("e2", "com.akeneo.pim.v1.product.deleted", "u-2", seconds=9)])
    second = delivery_extra("c", [change("e3", "com.akeneo.pim.v1.product.deleted", "u-1", seconds=20),
                                  change("e4", "com.akeneo.pim.v1.product-model.created", "m-1", seconds=1),
                                  change("e2", "com.akeneo.pim.v1.product.deleted", "u-2", seconds=9)])
    merged = merge_extras([first, second])
    assert merged["events"] == ["e1", "e2", "e3", "e4"]
    assert merged["products"] == [] and merged["product_models"] == ["m-1"]
    assert merged["deleted"] == {"products": ["u-1", "u-2"], "product_models": []}  # as the last extra lists them
    assert (merged["first_time"], merged["last_time"]) == ("2026-03-01T10:00:00Z", "2026-03-01T10:00:20Z")
    assert merged["types"]["com.akeneo.pim.v1.product.deleted"] == 3 and merged["connection"] == "c"
