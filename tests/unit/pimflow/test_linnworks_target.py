"""The `linnworks` target's settings → internal mapping → desired items, without HTTP."""
from __future__ import annotations

import pandas as pd
import pytest

from linnworks.api.models import Channel
from linnworks.items.desired import ImageRef
from pimflow.kinds.akeneo import attribute_resolver
from pimflow.kinds.linnworks_checks import LinnworksProfileError, check_akeneo_names, check_channels
from pimflow.kinds.linnworks_layout import build_layout, desired_item, item_roles, row_warnings
from pimflow.mapping import MappingContext
from pimflow.profile import AkeneoSource, LinnworksTarget
from productsup.convert import UnitConverter
from productsup.metadata import CatalogMeta

AMAZON, EBAY = ("AMAZON", "Amazon UK"), ("EBAY", "eBay DE")
LENGTH = {"code": "Length", "standard_unit_code": "METER", "units": {
    "MILLIMETER": {"code": "MILLIMETER", "symbol": "mm", "convert_from_standard": [{"operator": "mul", "value": "0.001"}]},
    "CENTIMETER": {"code": "CENTIMETER", "symbol": "cm", "convert_from_standard": [{"operator": "mul", "value": "0.01"}]},
    "METER": {"code": "METER", "symbol": "m", "convert_from_standard": [{"operator": "mul", "value": "1"}]}}}
WEIGHT = {"code": "Weight", "standard_unit_code": "KILOGRAM", "units": {
    "GRAM": {"code": "GRAM", "symbol": "g", "convert_from_standard": [{"operator": "mul", "value": "0.001"}]},
    "KILOGRAM": {"code": "KILOGRAM", "symbol": "kg", "convert_from_standard": [{"operator": "mul", "value": "1"}]}}}


def attribute(code, kind, localizable=False, scopable=False, **extra):
    return {"code": code, "type": kind, "localizable": localizable, "scopable": scopable, **extra}


@pytest.fixture(scope="module")
def catalog():
    families = [LENGTH, WEIGHT]
    attributes = [
        attribute("sku", "pim_catalog_identifier"), attribute("name", "pim_catalog_text", localizable=True),
        attribute("description", "pim_catalog_textarea", localizable=True, scopable=True),
        attribute("price", "pim_catalog_price_collection"), attribute("cost", "pim_catalog_price_collection"),
        attribute("weight", "pim_catalog_metric", metric_family="Weight", default_metric_unit="KILOGRAM"),
        attribute("width", "pim_catalog_metric", metric_family="Length", default_metric_unit="CENTIMETER"),
        attribute("depth", "pim_catalog_metric", metric_family="Length", default_metric_unit="MILLIMETER"),
        attribute("ean", "pim_catalog_text"), attribute("material", "pim_catalog_multiselect"),
        attribute("image_1", "pim_catalog_image"), attribute("image_2", "pim_catalog_image")]
    meta = CatalogMeta.from_akeneo(
        attributes=attributes, channels=[{"code": "ecommerce", "locales": ["en_US", "de_DE"],
                                          "currencies": ["EUR", "GBP"], "category_tree": "master"}],
        locales=[{"code": "en_US", "enabled": True}, {"code": "de_DE", "enabled": True}],
        currencies=[{"code": "EUR", "enabled": True}, {"code": "GBP", "enabled": True},
                    {"code": "USD", "enabled": False}],
        measurement_families=families)
    context = MappingContext("<###>", UnitConverter.from_akeneo(families), attribute_resolver(meta, "en_US", "ecommerce"))
    return meta, context


def target(**settings) -> LinnworksTarget:
    return LinnworksTarget.model_validate({"kind": "linnworks", **settings})


ROW = {"sku": "PF-1", "uuid": "u-1", "family": "clothing", "name~en_US": "Jacket", "name~de_DE": "Jacke",
       "description~en_US~ecommerce": "<p>Warm</p>", "price@EUR": "90.355 EUR", "price@GBP": "77.71 GBP",
       "cost@EUR": "49.70 EUR", "weight": "1450 GRM", "width": "64.2556 CMT", "depth": "553 MMT",
       "ean": "4000000000006", "material": "cotton<###>wool", "image_1": "7/2/5/8/abc_main.png", "image_2": ""}


def assemble(settings: LinnworksTarget, catalog, rows=(ROW,), image=None):
    _, context = catalog
    frame = pd.DataFrame(list(rows), dtype="str").fillna("")
    layout = build_layout(settings, frame.columns, "sku", context.resolve,
                          lambda c: c.split("@")[0].split("~")[0] in catalog[0].attributes)
    mapped = layout.apply(frame, context)
    items = [desired_item(row, layout.roles, image) for row in staged(layout, mapped)]
    return items, mapped.problems


def staged(layout, mapped) -> list[dict]:
    """The item rows as transform stages them: mapped, then numbers at their precision."""
    return [layout.at_precision(row) for row in mapped.rows.to_dict("records")]


def test_localisable_and_scopable_attributes_resolve_to_the_profiles_locale_and_channel(catalog):
    settings = target(titles=[{"attribute": "name", "to": "item"},
                              {"attribute": "name~de_DE", "to": "channel", "source": "EBAY", "subsource": "eBay DE"}],
                      descriptions=[{"attribute": "description", "to": "metadata"},
                                    {"attribute": "description", "to": "channel", "source": "AMAZON",
                                     "subsource": "Amazon UK"}])
    [item], problems = assemble(settings, catalog)
    assert not problems
    assert item.sku == "PF-1" and item.title == "Jacket" and item.metadata == "<p>Warm</p>"
    assert dict(item.channel_titles) == {EBAY: "Jacke"}
    assert dict(item.channel_descriptions) == {AMAZON: "<p>Warm</p>"}


def test_several_currencies_go_to_retail_purchase_and_channel_prices_rounded_to_cents(catalog):
    settings = target(prices=[{"attribute": "price", "currency": "EUR", "to": "retail"},
                              {"attribute": "cost", "currency": "EUR", "to": "purchase"},
                              {"attribute": "price", "currency": "GBP", "to": "channel", "source": "AMAZON",
                               "subsource": "Amazon UK"},
                              {"attribute": "price", "currency": "USD", "to": "channel", "source": "EBAY",
                               "subsource": "eBay DE"}])
    [item], _ = assemble(settings, catalog)
    assert (item.retail_price, item.purchase_price) == (90.36, 49.70)
    # no USD price in Akeneo: the eBay price row is managed and must not exist
    assert dict(item.channel_prices) == {AMAZON: 77.71, EBAY: None}


@pytest.mark.parametrize("units, expected", [
    ({"length": "cm", "weight": "kg"}, {"width": 64.26, "depth": 55.3, "weight": 1.45}),
    ({"length": "mm", "weight": "g"}, {"width": 642.6, "depth": 553.0, "weight": 1450.0}),
])
def test_dimensions_are_converted_to_the_chosen_linnworks_units(catalog, units, expected):
    settings = target(dimensions={"width": "width", "depth": "depth", "weight": "weight"}, units=units)
    [item], _ = assemble(settings, catalog)
    assert {name: getattr(item, name) for name in expected} == expected
    assert item.height is None  # not mapped: left alone


def test_precision_is_settable_per_kind_of_number(catalog):
    settings = target(prices=[{"attribute": "price", "currency": "EUR", "to": "retail"}],
                      dimensions={"width": "width", "depth": "depth", "weight": "weight"},
                      precision={"weight": 4, "length": 0, "price": 3})
    [item], _ = assemble(settings, catalog)
    assert (item.retail_price, item.width, item.depth, item.weight) == (90.355, 64.0, 55.0, 1.45)


def test_a_value_that_rounds_to_zero_is_sent_as_zero_with_a_warning_naming_field_value_and_what_is_sent(catalog):
    _, context = catalog
    settings = target(prices=[{"attribute": "price", "currency": "EUR", "to": "retail"},
                              {"attribute": "price", "currency": "GBP", "to": "channel", "source": "AMAZON",
                               "subsource": "Amazon UK"}],
                      dimensions={"width": "width", "weight": "weight"})
    light = {**ROW, "weight": "0.4 GRM", "price@EUR": "0.004 EUR", "price@GBP": "0.005 GBP", "width": "0 CMT"}
    frame = pd.DataFrame([light, ROW], dtype="str").fillna("")
    layout = build_layout(settings, frame.columns, "sku", context.resolve, None)
    feather, jacket = staged(layout, layout.apply(frame, context))
    roles = item_roles(feather)
    item = desired_item(feather, roles, None)
    assert (item.weight, item.retail_price, dict(item.channel_prices), item.width) == (0.0, 0.0, {AMAZON: 0.01}, 0.0)
    assert row_warnings(feather, roles) == (
        "retail_price 0.004 EUR rounds to 0 at 2 decimal(s): Linnworks gets 0.00 "
        "(set target.precision.price to keep more decimals)",
        "weight 0.0004 kg rounds to 0 at 3 decimal(s): Linnworks gets 0.000 "
        "(set target.precision.weight to keep more decimals)")  # 0 stays 0 without a word; 0.005 is 0.01
    assert row_warnings(jacket, item_roles(jacket)) == ()
    layout = build_layout(target(dimensions={"weight": "weight"}, precision={"weight": 4}), frame.columns, "sku",
                          context.resolve, None)
    assert desired_item(staged(layout, layout.apply(frame, context))[0], roles, None).weight == 0.0004


@pytest.mark.parametrize("value", [-1, 5, 2.5, "two", True])
def test_a_precision_outside_0_to_4_decimals_is_refused_clearly(value):
    with pytest.raises(ValueError, match=r"precision\.weight[\s\S]*is not a number of decimals from 0 to 4"):
        target(precision={"weight": value})


def test_a_metric_that_cannot_convert_refuses_its_row(catalog):
    settings = target(dimensions={"weight": "width"})
    items, problems = assemble(settings, catalog, rows=[ROW, {**ROW, "sku": "PF-2", "width": ""}])
    assert [item.sku for item in items] == ["PF-2"]
    column, code, reason = problems[0][0]
    assert (column, code) == ("weight", "invalid_value") and "cannot convert" in reason


def test_extended_properties_with_prefix_use_flat_addresses(catalog):
    listed = target(extended_properties={"attributes": ["material", "name", "price"], "prefix": "ak_"})
    [item], _ = assemble(listed, catalog)
    assert dict(item.extended_properties) == {
        "ak_material": "cotton<###>wool", "ak_name~en_US": "Jacket", "ak_price@EUR": "90.355 EUR",
        "ak_price@GBP": "77.71 GBP"}
    every = target(extended_properties={"all_attributes": True, "prefix": "pf_"})
    [item], _ = assemble(every, catalog)
    properties = dict(item.extended_properties)
    assert "pf_sku" not in properties and "pf_uuid" not in properties and "pf_family" not in properties
    assert properties["pf_description~en_US~ecommerce"] == "<p>Warm</p>"
    assert properties["pf_image_2"] is None  # empty in Akeneo: the property must not exist
    assert len(properties) == len(ROW) - 3


def test_images_upload_lazily_and_url_mode_points_at_the_base_url(catalog):
    fetched = []
    upload = target(images={"main": "image_1", "others": ["image_2"]})
    row = {**ROW, "image_2": "https://pim.example/api/rest/v1/media-files/9/9/x_side.png"}
    [item], _ = assemble(upload, catalog, rows=[row],
                         image=lambda code: ImageRef(code, fetch=lambda: fetched.append(code) or b"png"))
    assert [ref.key for ref in item.images] == ["7/2/5/8/abc_main.png", "9/9/x_side.png"]
    assert fetched == []  # nothing downloaded until the writer needs the bytes
    assert item.images[0].fetch() == b"png" and fetched == ["7/2/5/8/abc_main.png"]
    [item], _ = assemble(upload, catalog, image=lambda code: ImageRef(code, url=f"https://cdn.example/{code}"))
    assert [ref.url for ref in item.images] == ["https://cdn.example/7/2/5/8/abc_main.png"]


def test_barcode_and_empty_fields_are_left_alone(catalog):
    settings = target(barcode="ean", titles=[{"attribute": "name", "to": "item"}])
    [item], _ = assemble(settings, catalog, rows=[{**ROW, "name~en_US": ""}])
    assert item.barcode == "4000000000006" and item.title is None and item.images is None


def test_two_settings_filling_the_same_field_are_refused():
    with pytest.raises(ValueError, match="retail_price"):
        build_layout(target(prices=[{"attribute": "price", "currency": "EUR", "to": "retail"},
                                    {"attribute": "price", "currency": "GBP", "to": "retail"}]), [])


def test_unknown_channel_is_named_before_any_write():
    settings = target(prices=[{"attribute": "price", "currency": "EUR", "to": "channel", "source": "AMAZON",
                               "subsource": "Amazon DE"}])
    channels = [Channel.model_validate({"Source": "AMAZON", "SubSource": "Amazon UK"})]
    with pytest.raises(LinnworksProfileError, match=r"prices\[0\]: channel AMAZON/Amazon DE"):
        check_channels(settings, channels)
    check_channels(target(), channels)


def test_unknown_attributes_currencies_and_unread_locales_are_named(catalog):
    meta, context = catalog
    source = AkeneoSource(kind="akeneo", channel="ecommerce", locales=["en_US"])
    settings = target(prices=[{"attribute": "price", "currency": "USD", "to": "retail"}],
                      titles=[{"attribute": "nmae", "to": "item"},
                              {"attribute": "name~de_DE", "to": "channel", "source": "EBAY", "subsource": "eBay DE"}],
                      dimensions={"weight": "width", "depth": "ean"})
    with pytest.raises(LinnworksProfileError) as error:
        check_akeneo_names(settings, meta, context.resolve, context.converter, source)
    message = str(error.value)
    assert "titles[0].attribute: 'nmae'" in message
    assert "prices[0].currency: 'USD' is not an enabled currency" in message
    assert "does not read locale 'de_DE'" in message
    assert "dimensions.weight: 'width' measures Length, not Weight" in message
    assert "dimensions.depth: 'ean' is pim_catalog_text" in message
    good = target(prices=[{"attribute": "price", "currency": "GBP", "to": "retail"}],
                  titles=[{"attribute": "name", "to": "item"}], dimensions={"weight": "weight"})
    check_akeneo_names(good, meta, context.resolve, context.converter, source)

