"""The seeded demo catalog: deterministic, realistic enough for benches."""
from __future__ import annotations

import statistics
import uuid
from datetime import timedelta

from sandbox.akeneo.catalog import REFERENCE_DATE, UPDATED_WINDOW_DAYS, generate_catalog
from sandbox.akeneo.serialize import product_body


def _snapshot(state) -> list:
    return [(r.uuid, r.identifier, r.enabled, r.family, r.categories, r.parent, r.values_json, r.created, r.updated)
            for r in state.products.values()]


def test_same_size_and_seed_give_the_same_catalog():
    assert _snapshot(generate_catalog(80, seed=5)) == _snapshot(generate_catalog(80, seed=5))


def test_another_seed_gives_another_catalog():
    assert _snapshot(generate_catalog(30, seed=5)) != _snapshot(generate_catalog(30, seed=6))


def test_a_product_does_not_depend_on_the_catalog_size():
    small, large = generate_catalog(20, seed=9), generate_catalog(60, seed=9)
    assert _snapshot(small) == _snapshot(large)[:20]


def test_uuids_are_deterministic_and_version_4():
    first, second = generate_catalog(10, seed=1), generate_catalog(10, seed=1)
    assert list(first.products) == list(second.products)
    assert all(uuid.UUID(key).version == 4 for key in first.products)


def test_catalog_shape_locales_channels_and_trees():
    state = generate_catalog(10)
    assert state.activated_locales() == {"en_US", "de_DE", "fr_FR"}
    assert state.channels["ecommerce"]["currencies"] == ["EUR", "USD", "GBP"]
    assert state.channels["mobile"]["locales"] == ["en_US", "de_DE"]
    master = state.category_with_descendants("master")
    depth = {code: 0 for code in master}
    for code in master:
        parent = state.categories[code]["parent"]
        while parent is not None:
            depth[code] += 1
            parent = state.categories[parent]["parent"]
    assert max(depth.values()) == 2 and "sales" in state.categories


def test_products_carry_about_forty_values_of_every_kind():
    state = generate_catalog(200)
    counts = [sum(len(v) for v in record.values().values()) for record in state.products.values()]
    assert 38 <= statistics.mean(counts) <= 48
    record = next(iter(state.products.values()))
    values = record.values()
    assert len(values["price"][0]["data"]) == 3 and {"amount", "unit"} == set(values["weight"][0]["data"])
    assert {e["scope"] for e in values["description"]} == {"ecommerce", "mobile"}
    assert values["image_1"][0]["data"] in state.media_files


def test_a_few_products_are_disabled_unclassified_or_familyless_and_some_are_variants():
    records = list(generate_catalog(500).products.values())
    assert 0 < sum(not r.enabled for r in records) < 25
    assert 0 < sum(not r.categories for r in records) < 25
    assert 0 < sum(r.family is None for r in records) < 25
    assert sum(r.parent is not None for r in records) > 20


def test_updated_dates_spread_over_the_thirty_days_before_the_reference_date():
    records = list(generate_catalog(300).products.values())
    start = REFERENCE_DATE - timedelta(days=UPDATED_WINDOW_DAYS)
    assert all(start <= r.updated < REFERENCE_DATE and r.created <= r.updated for r in records)
    assert max(r.updated for r in records) - min(r.updated for r in records) > timedelta(days=25)


def test_serialized_product_has_the_standard_format_keys():
    state = generate_catalog(3)
    record = next(iter(state.products.values()))
    body = product_body(state, record, by_uuid=True, values_filter=None)
    assert list(body) == ["uuid", "enabled", "family", "categories", "groups", "parent", "values", "created",
                          "updated", "associations", "quantified_associations"]
    assert body["values"]["sku"] == [{"locale": None, "scope": None, "data": record.identifier}]
