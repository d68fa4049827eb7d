"""The mapping engine on a chunk: select, rename, constant, template, default, required, types."""
from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from pimflow.mapping import Mapping, apply_mapping, unknown_references


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, dtype="str").fillna("")


def mapping(*columns, **options) -> Mapping:
    return Mapping.model_validate({"columns": list(columns), **options})


def test_no_columns_passes_every_input_column_through():
    data = frame([{"a": "1", "b": "2"}])
    result = apply_mapping(Mapping(), data)
    assert result.rows.to_dict("records") == [{"a": "1", "b": "2"}] and not result.problems


def test_select_rename_constant_template_in_order():
    data = frame([{"sku": "A1", "name~en_US": "Shoe", "extra": "x"}])
    result = apply_mapping(mapping(
        {"name": "sku"}, {"name": "title", "from": "name~en_US"}, {"name": "brand", "value": "ACME"},
        {"name": "url", "template": "https://s/{sku}/{{raw}}"},
    ), data)
    assert result.rows.to_dict("records") == [
        {"sku": "A1", "title": "Shoe", "brand": "ACME", "url": "https://s/A1/{raw}"}]


def test_template_with_an_empty_placeholder_is_empty_and_then_defaulted():
    data = frame([{"sku": ""}, {"sku": "B"}])
    result = apply_mapping(mapping({"name": "url", "template": "/p/{sku}", "default": "none"}), data)
    assert result.rows["url"].tolist() == ["none", "/p/B"]


def test_required_refuses_empty_and_missing_columns_with_reasons():
    data = frame([{"sku": "A", "price": ""}, {"sku": "", "price": "1"}])
    result = apply_mapping(mapping({"name": "sku", "required": True}, {"name": "price", "required": True},
                                   {"name": "gtin", "required": True}), data)
    assert result.rows.empty
    assert result.problems[0] == [("price", "missing_value", "required value is empty (from price)"),
                                  ("gtin", "missing_value", "required column 'gtin' is not in the input")]
    assert result.problems[1][0] == ("sku", "missing_value", "required value is empty (from sku)")


@pytest.mark.parametrize("kind, good, bad", [
    ("integer", ["12", "-3", " 7 "], ["1.5", "x"]),
    ("decimal", ["12", "-3.50", ".5"], ["1,5", "1e3", "abc"]),
    ("boolean", ["true", "FALSE", "1", "0", "yes"], ["maybe"]),
    ("date", ["2026-01-31", "2026-01-31T10:00:00+00:00"], ["31/01/2026", "2026-13-01"]),
])
def test_typed_columns_accept_valid_and_refuse_invalid_values(kind, good, bad):
    data = frame([{"v": value} for value in good + bad + [""]])
    result = apply_mapping(mapping({"name": "v", "type": kind}), data)
    refused = sorted(result.problems)
    assert refused == list(range(len(good), len(good) + len(bad)))
    for index in refused:
        [(column, code, reason)] = result.problems[index]
        assert (column, code) == ("v", "invalid_value") and f"not a valid {kind}" in reason
    assert len(result.rows) == len(good) + 1  # the empty value is not checked


def test_booleans_are_normalised():
    result = apply_mapping(mapping({"name": "b", "type": "boolean"}), frame([{"b": "1"}, {"b": "No"}]))
    assert result.rows["b"].tolist() == ["true", "false"]


def test_keep_unmapped_adds_the_other_input_columns_after_the_mapped_ones():
    data = frame([{"sku": "A", "name": "N", "color": "red"}])
    result = apply_mapping(mapping({"name": "title", "from": "name"}, keep_unmapped=True), data)
    assert list(result.rows.columns) == ["title", "sku", "color"]


def test_unbalanced_template_is_a_profile_error():
    with pytest.raises(ValidationError, match="unbalanced brace"):
        mapping({"name": "x", "template": "{sku"})


# -- conversions -------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from pimflow.mapping import MappingContext  # noqa: E402
from productsup.convert import UnitConverter  # noqa: E402

FAMILIES = [
    {"code": "Length", "standard_unit_code": "METER", "units": {
        "MILLIMETER": {"code": "MILLIMETER", "convert_from_standard": [{"operator": "mul", "value": "0.001"}]},
        "CENTIMETER": {"code": "CENTIMETER", "convert_from_standard": [{"operator": "mul", "value": "0.01"}]},
        "METER": {"code": "METER", "convert_from_standard": [{"operator": "mul", "value": "1"}]},
        "INCH": {"code": "INCH", "convert_from_standard": [{"operator": "mul", "value": "0.0254"}]}}},
    {"code": "Weight", "standard_unit_code": "KILOGRAM", "units": {
        "GRAM": {"code": "GRAM", "convert_from_standard": [{"operator": "mul", "value": "0.001"}]},
        "KILOGRAM": {"code": "KILOGRAM", "convert_from_standard": [{"operator": "mul", "value": "1"}]}}},
    {"code": "Temperature", "standard_unit_code": "KELVIN", "units": {
        "KELVIN": {"code": "KELVIN", "convert_from_standard": [{"operator": "mul", "value": "1"}]},
        "CELSIUS": {"code": "CELSIUS", "convert_from_standard": [{"operator": "add", "value": "273.15"}]},
        "FAHRENHEIT": {"code": "FAHRENHEIT", "convert_from_standard": [
            {"operator": "sub", "value": "32"}, {"operator": "div", "value": "1.8"}, {"operator": "add", "value": "273.15"}]}}},
]
CONTEXT = MappingContext(converter=UnitConverter.from_akeneo(FAMILIES))


def test_unit_converter_handles_factors_offsets_and_common_codes():
    converter = UnitConverter.from_akeneo(FAMILIES)
    assert converter.convert(Decimal("3000.00"), "MMT", "CMT") == Decimal("300")
    assert converter.convert(Decimal("450"), "GRAM", "KGM") == Decimal("0.45")
    assert converter.convert(Decimal("212"), "FAHRENHEIT", "CELSIUS") == Decimal("100")


def test_metric_cells_convert_to_the_target_unit_with_rounding():
    data = frame([{"length": "3000.00 MMT", "weight@GRM": "450"}, {"length": "10 INCH", "weight@GRM": "1234.5"}])
    result = apply_mapping(mapping({"name": "depth_cm", "from": "length", "unit": "CMT", "round": 2},
                                   {"name": "weight_kg", "from": "weight@GRM", "unit": "KGM"}), data, CONTEXT)
    assert result.rows.to_dict("records") == [{"depth_cm": "300.00", "weight_kg": "0.45"},
                                              {"depth_cm": "25.40", "weight_kg": "1.2345"}]


def test_unit_from_another_family_or_missing_is_refused():
    data = frame([{"length": "3 KGM"}, {"length": "12"}])
    result = apply_mapping(mapping({"name": "cm", "from": "length", "unit": "CMT"}), data, CONTEXT)
    assert "cannot convert KGM (Weight) to CMT (Length)" in result.problems[0][0][2]
    assert result.problems[1][0][2] == "'12' has no unit to convert from"


def test_currency_is_picked_from_a_price_collection_or_a_currency_column():
    data = frame([{"price": "740.00 EUR<###>800.00 USD", "cost@EUR": "12.5"}, {"price": "9.99 USD", "cost@EUR": ""}])
    result = apply_mapping(mapping({"name": "usd", "from": "price", "currency": "USD"},
                                   {"name": "eur", "from": "price", "currency": "EUR", "default": "0"},
                                   {"name": "cost", "from": "cost@EUR", "currency": "EUR", "round": 2}), data, CONTEXT)
    assert result.rows.to_dict("records") == [{"usd": "800.00", "eur": "740.00", "cost": "12.50"},
                                              {"usd": "9.99", "eur": "0", "cost": ""}]


def test_currencies_and_units_are_read_from_productsups_word_columns():
    """An Akeneo source writing Productsup's form (`price@currency`, `weight@unit`): a mapping's
    `from: price, currency: EUR` and `from: weight, unit: KGM` find those columns, and the word is
    never taken for a code."""
    data = frame([{"price@currency": "740.00 EUR<###>800.00 USD", "weight@unit": "450 GRM", "cost@currency": "12"}])
    result = apply_mapping(mapping({"name": "usd", "from": "price", "currency": "USD"},
                                   {"name": "kg", "from": "weight", "unit": "KGM"},
                                   {"name": "grams", "from": "weight@unit", "unit": "GRM"},
                                   {"name": "cost", "from": "cost", "currency": "EUR"}), data, CONTEXT)
    assert result.rows.to_dict("records") == [{"usd": "800.00", "kg": "0.45", "grams": "450", "cost": ""}]
    missing_unit = apply_mapping(mapping({"name": "kg", "from": "weight", "unit": "KGM"}),
                                 frame([{"weight@unit": "450"}]), CONTEXT)
    assert missing_unit.problems[0][0][2] == "'450' has no unit to convert from"


def test_bare_attribute_codes_resolve_through_the_context():
    data = frame([{"sku": "A", "name~en_US~ecommerce": "Shoe"}])
    context = MappingContext(resolve=lambda code, columns: f"{code}~en_US~ecommerce")
    result = apply_mapping(mapping({"name": "sku"}, {"name": "title", "from": "name"},
                                   {"name": "label", "template": "{sku}: {name}"}), data, context)
    assert result.rows.to_dict("records") == [{"sku": "A", "title": "Shoe", "label": "A: Shoe"}]


def _mapping(*columns: dict) -> Mapping:
    return Mapping.model_validate({"columns": list(columns)})


def test_every_reference_that_names_no_input_column_is_reported_with_the_closest_names():
    mapping = _mapping({"name": "sku"}, {"name": "title", "from": "nmae"}, {"name": "url", "template": "/p/{skuu}/{sku}"},
                       {"name": "amount", "from": "price@EUR"}, {"name": "brand", "value": "ACME"},
                       {"name": "eur", "from": "price", "currency": "EUR"}, {"name": "zzz_unrelated"})
    assert unknown_references(mapping, ["sku", "name", "price@currency", "link"]) == [
        "mapping column 'title': from 'nmae' is not a column of the input (did you mean 'name'?)",
        "mapping column 'url': template placeholder {skuu} is not a column of the input (did you mean 'sku'?)",
        "mapping column 'amount': from 'price@EUR' is not a column of the input (did you mean 'price@currency'?)",
        "mapping column 'zzz_unrelated': input column 'zzz_unrelated' (its own name) is not a column of the input",
    ]  # `eur` reads Productsup's price@currency column: found


def test_references_resolved_by_the_catalog_or_known_to_it_are_not_reported():
    mapping = _mapping({"name": "title", "from": "name"}, {"name": "brand_label", "from": "brand_1-label~en_US"})
    resolve = MappingContext(resolve=lambda name, columns: {"name": "name~en_US"}.get(name, name))
    assert unknown_references(mapping, ["name~en_US"], resolve) == [
        "mapping column 'brand_label': from 'brand_1-label~en_US' is not a column of the input"]
    assert unknown_references(mapping, ["name~en_US"], resolve, known=lambda name: name.startswith("brand")) == []


def test_a_mapping_without_columns_reads_nothing_by_name():
    assert unknown_references(Mapping(), []) == []
