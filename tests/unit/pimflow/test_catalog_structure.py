"""Catalog structure helpers: model lineage and inherited values, the variant poll window, category
paths and trees, reference entity columns, and which model rows become Linnworks items."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pimflow.kinds.akeneo_structure import (ModelIndex, category_records, changed_models_since,
                                            record_columns)
from pimflow.kinds.linnworks_structure import (MODEL_WITHOUT_VARIATIONS, SUB_MODEL, CategoryPaths,
                                           model_outcome, related_types)
from pimflow.profile import CategorySettings, RelatedProductSettings


def value(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


MODELS = ModelIndex({
    "tshirt": {"code": "tshirt", "parent": None, "values": {"name": value("T-shirt", "en_US"),
                                                            "material": value("cotton")}},
    "tshirt_blue": {"code": "tshirt_blue", "parent": "tshirt", "values": {"color": value("blue"),
                                                                          "material": value("organic cotton")}},
})


def test_two_level_variant_row_carries_values_of_both_model_levels_and_its_own_win():
    variant = {"identifier": "tshirt_blue_m", "parent": "tshirt_blue",
               "values": {"size": value("m"), "color": value("navy")}}
    values = MODELS.with_inherited_values(variant)["values"]
    assert values["name"] == value("T-shirt", "en_US")  # root model
    assert values["material"] == value("organic cotton")  # the sub-model overrides the root
    assert values["color"] == value("navy")  # the variant overrides both
    assert values["size"] == value("m")


def test_lineage_and_root_of_a_variant_parent():
    assert [m["code"] for m in MODELS.lineage("tshirt_blue")] == ["tshirt", "tshirt_blue"]
    assert MODELS.root_of("tshirt_blue") == "tshirt"
    assert MODELS.root_of("unknown") == "unknown"
    assert ModelIndex({"a": {"code": "a", "parent": "b"}}).missing_parents() == {"b"}


def test_simple_product_is_left_as_it_is():
    product = {"identifier": "A", "parent": None, "values": {"name": value("A")}}
    assert MODELS.with_inherited_values(product) is product


def test_variant_search_days_bounds_how_far_back_the_model_poll_looks():
    end = datetime(2026, 11, 20, tzinfo=timezone.utc)
    start = end - timedelta(days=30)
    assert changed_models_since(start, end, None) == start
    assert changed_models_since(start, end, 7) == end - timedelta(days=7)
    assert changed_models_since(end - timedelta(days=1), end, 7) == end - timedelta(days=1)
    assert changed_models_since(None, end, 7) is None


TREE = [{"code": "master", "parent": None, "labels": {"en_US": "Master"}},
        {"code": "clothing", "parent": "master", "labels": {"en_US": "Clothing"}},
        {"code": "tshirts", "parent": "clothing", "labels": {}},
        {"code": "sales", "parent": None, "labels": {"en_US": "Sales"}},
        {"code": "summer", "parent": "sales", "labels": {"en_US": "Summer"}}]


def test_category_path_is_the_deepest_category_with_labels_codes_standing_in():
    paths = CategoryPaths(TREE, CategorySettings(), "en_US")
    assert paths.path(["summer", "tshirts"]) == "Master > Clothing > tshirts"
    assert CategoryPaths(TREE, CategorySettings(tree="sales", separator="/"), "en_US").path(["summer", "tshirts"]) \
        == "Sales/Summer"
    assert paths.path([]) is None


def test_category_records_keep_tree_order_labels_and_enriched_values():
    tree = [*TREE[:2], {"code": "x", "parent": "clothing", "labels": {"en_US": "X"}, "values": {
        "description|96b88bf4|ecommerce|en_US": {"data": "<p>hi</p>", "type": "textarea", "channel": "ecommerce",
                                                 "locale": "en_US", "attribute_code": "description|96b88bf4"}}}]
    rows = list(category_records(tree, ["en_US"]))
    assert [r["code"] for r in rows] == ["master", "clothing", "x"]
    assert rows[0] == {"code": "master", "parent": "", "label~en_US": "Master"}
    assert rows[2]["description~en_US~ecommerce"] == "<p>hi</p>"


def test_reference_entity_record_values_become_prefixed_columns_for_the_run_locales():
    values = {"label": [{"locale": "en_US", "channel": None, "data": "Acme"},
                        {"locale": "fr_FR", "channel": None, "data": "Acmé"}],
              "country": [{"locale": None, "channel": None, "data": "DE"}]}
    assert record_columns("brand", values, ["en_US"], "ecommerce") == {"brand-label~en_US": "Acme", "brand-country": "DE"}
    assert record_columns("materials_2", values, ["fr_FR"], None)["materials_2-label~fr_FR"] == "Acmé"


def test_root_models_are_parent_items_sub_models_are_skipped():
    assert model_outcome({"family_variant": "fv", "parent": ""}, True) is None
    assert model_outcome({"family_variant": "fv", "parent": "root"}, True) == SUB_MODEL
    assert model_outcome({"family_variant": "fv", "parent": ""}, False) == MODEL_WITHOUT_VARIATIONS
    assert model_outcome({"family_variant": "", "parent": "root"}, True) is None  # a variant


def test_related_types_skip_the_composition_type_and_keep_the_chosen_ones():
    columns = ["sku", "UPSELL-products", "X_SELL-product_models", "PACK-products", "UPSELL-groups", "name~en_US"]
    assert related_types(columns, RelatedProductSettings(), "PACK") == ["UPSELL", "X_SELL"]
    assert related_types(columns, RelatedProductSettings(associations=["X_SELL"]), None) == ["X_SELL"]
