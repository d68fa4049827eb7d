"""A variant or sub-model line carrying its models' values: the values equal to what its parent
shows are left out (Akeneo refuses another level's value), a different one is sent for Akeneo to judge."""
from __future__ import annotations

from pimflow.kinds.akeneo_levels import Levels, drop_inherited, same_value

RAW = {
    "attributes": [{"code": code, "type": f"pim_catalog_{kind}"} for code, kind in (
        ("sku", "identifier"), ("name", "text"), ("description", "textarea"), ("color", "simpleselect"),
        ("size", "simpleselect"), ("material", "multiselect"), ("price", "price_collection"),
        ("weight", "metric"), ("warranty", "number"))],
    "families": [{"code": "clothing", "attributes": ["sku", "name", "description", "color", "size", "material",
                                                     "price", "weight", "warranty"]}],
    "family_variants": {"clothing": [
        {"code": "by_size", "variant_attribute_sets": [{"level": 1, "axes": ["size"], "attributes": ["sku", "name"]}]},
        {"code": "by_color_size", "variant_attribute_sets": [
            {"level": 1, "axes": ["color"], "attributes": ["color"]},
            {"level": 2, "axes": ["size"], "attributes": ["sku", "name", "size"]}]}]},
}
LEVELS = Levels(RAW)


def value(data, locale=None, scope=None) -> list[dict]:
    return [{"locale": locale, "scope": scope, "data": data}]


ROOT = {"code": "tee", "family_variant": "by_size", "values": {
    "description": value("Soft", "en_US", "ecommerce") + value("Weich", "de_DE", "ecommerce"),
    "material": value(["wool", "cotton"]), "price": value([{"amount": "10.00", "currency": "EUR"}]),
    "weight": value({"amount": "0.5000", "unit": "KILOGRAM"}), "warranty": value(2)}}


def test_the_models_values_are_left_out_and_the_variants_own_stay():
    line = {"parent": "tee", "values": {
        "name": value("Tee S", "en_US"), "size": value("s"),
        "description": value("Soft", "en_US", "ecommerce"), "material": value(["cotton", "wool"]),
        "price": value([{"amount": "10", "currency": "EUR"}]), "weight": value({"amount": "0.5", "unit": "KILOGRAM"}),
        "warranty": value("2")}}
    assert drop_inherited(line, ROOT, LEVELS, model=False) == 5
    assert line["values"] == {"name": value("Tee S", "en_US"), "size": value("s")}


def test_a_value_that_differs_from_the_models_is_sent_for_akeneo_to_refuse():
    line = {"parent": "tee", "values": {"description": value("Harsh", "en_US", "ecommerce")
                                        + value("Weich", "de_DE", "ecommerce"), "size": value("s")}}
    assert drop_inherited(line, ROOT, LEVELS, model=False) == 1
    assert line["values"]["description"] == value("Harsh", "en_US", "ecommerce")


def test_an_empty_value_where_the_model_has_none_is_left_out():
    line = {"parent": "tee", "values": {"color": value(None), "description": value(None, "fr_FR", "ecommerce")}}
    assert drop_inherited(line, ROOT, LEVELS, model=False) == 2 and line["values"] == {}


def test_a_sub_model_leaves_out_its_roots_values_and_keeps_its_level():
    root = {"code": "hood", "family_variant": "by_color_size", "values": {"material": value(["wool"])}}
    line = {"parent": "hood", "values": {"color": value("blue"), "material": value(["wool"]), "name": value("x", "en_US")}}
    assert drop_inherited(line, root, LEVELS, model=True) == 1
    assert set(line["values"]) == {"color", "name"}  # `name` is the variants': Akeneo says so
    variant = {"parent": "hood_blue", "values": {"color": value("Blue"), "size": value("s")}}
    sub_model = {"code": "hood_blue", "family_variant": "by_color_size", "values": {"color": value("blue"),
                                                                                   "material": value(["wool"])}}
    assert drop_inherited(variant, sub_model, LEVELS, model=False) == 1 and set(variant["values"]) == {"size"}


def test_nothing_is_left_out_without_a_parent_or_with_an_unknown_family_variant():
    line = {"parent": "tee", "values": {"material": value(["wool", "cotton"])}}
    assert drop_inherited(line, None, LEVELS, model=False) == 0
    assert drop_inherited(line, {**ROOT, "family_variant": "gone"}, LEVELS, model=False) == 0
    assert line["values"] == {"material": value(["wool", "cotton"])}


def test_which_lines_may_carry_a_models_value():
    assert LEVELS.may_inherit({"parent": "tee", "values": {"description": []}})
    assert not LEVELS.may_inherit({"parent": "tee", "values": {"name": [], "size": []}})
    assert not LEVELS.may_inherit({"values": {"description": []}})
    assert same_value("1.50", 1.5, "pim_catalog_number") and not same_value("Red", "red", "pim_catalog_text")
