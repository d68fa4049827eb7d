"""Encoding Akeneo products into flat rows."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from productsup.codec import FlatCodec
from productsup.errors import EncodeError
from productsup_catalog import value

UUID = "0b5d3bd8-6c41-4d6a-9f2b-2d7e0c5c1a7e"

PRODUCT = {
    "identifier": "A1", "uuid": UUID, "enabled": True, "family": "shoes", "categories": ["men", "sale"],
    "parent": None, "groups": [], "created": "2026-01-01T10:00:00+00:00",
    "values": {
        "name": value("Trail shoe", "en_US") + value("Laufschuh", "de_DE"),
        "description": value("<p>Light</p>", "en_US", "mobile"),
        "teaser": value("Light", scope="mobile"),
        "price": value([{"amount": "740.00", "currency": "EUR"}, {"amount": "800.00", "currency": "USD"}]),
        "msrp": value([{"amount": "799.00", "currency": "EUR"}], "de_DE"),
        "length": value({"amount": "3000.0000", "unit": "MILLIMETER"}, "de_DE"),
        "weight": value({"amount": "2", "unit": "MARC"}),
        "quantity": value(12), "rating": value("4.5000"), "waterproof": value(False),
        "release_date": value("2026-01-31T00:00:00+00:00"),
        "color": value("red"), "materials": value(["leather", "cotton"]),
        "brand": value("acme"), "designers": value(["jane", "john"]), "packshots": value(["front"]),
        "picture": value("a/b/c/d/abc123_shoe.jpg"),
        "nutrition": value([{"nutrient": "fat", "per100g": "3.5"}]),
    },
}


def test_a_product_becomes_one_row_of_strings(codec):
    assert codec.encode(PRODUCT) == {
        "sku": "A1", "uuid": UUID, "family": "shoes", "categories": "men<###>sale", "enabled": "true",
        "parent": "",
        "name~en_US": "Trail shoe", "name~de_DE": "Laufschuh",
        "description~en_US~mobile": "<p>Light</p>", "teaser~mobile": "Light",
        "price@EUR": "740.00 EUR", "price@USD": "800.00 USD", "msrp~de_DE@EUR": "799.00 EUR",
        "length~de_DE": "3000.0000 MMT", "weight": "2 MARC",
        "quantity": "12", "rating": "4.5000", "waterproof": "false", "release_date": "2026-01-31",
        "color": "red", "materials": "leather<###>cotton", "brand": "acme", "designers": "jane<###>john",
        "packshots": "front", "picture": "a/b/c/d/abc123_shoe.jpg",
        "nutrition": '[{"nutrient":"fat","per100g":"3.5"}]',
    }


def test_a_row_decodes_back_to_the_product_it_came_from(codec):
    expected = {k: v for k, v in PRODUCT.items() if k not in ("parent", "groups", "created")}
    assert codec.decode(codec.encode(PRODUCT)).product == expected


def test_prices_can_be_written_as_one_collection_cell(meta):
    codec = FlatCodec(meta, prices="collection")
    row = codec.encode({"identifier": "A1", "values": {"price": value(
        [{"amount": "800.00", "currency": "USD"}, {"amount": "740.00", "currency": "EUR"}])}})
    assert row == {"sku": "A1", "price": "740.00 EUR<###>800.00 USD"}


def test_media_can_be_written_as_download_urls(meta):
    codec = FlatCodec(meta, media_base_url="https://pim.example.com")
    row = codec.encode({"identifier": "A1", "values": {"picture": value("a/b/c/d/abc123_my shoe.jpg")}})
    assert row["picture"] == "https://pim.example.com/api/rest/v1/media-files/a/b/c/d/abc123_my%20shoe.jpg/download"
    assert codec.decode(row).product["values"]["picture"] == value("a/b/c/d/abc123_my shoe.jpg")


def test_a_products_uuid_api_product_writes_its_identifier_value_as_the_identifier(meta):
    codec = FlatCodec(meta, product_id="uuid")
    product = {"uuid": UUID, "values": {"sku": value("A1"), "ean": value("123")}}
    assert codec.encode(product) == {"sku": "A1", "uuid": UUID, "ean": "123"}
    assert codec.decode(codec.encode(product)).product == product


def test_null_data_is_an_empty_cell(codec):
    row = codec.encode({"identifier": "A1", "values": {"ean": value(None), "price": value(None),
                                                       "weight": value(None)}})
    assert row == {"sku": "A1", "ean": "", "price": "", "weight": ""}


def test_attributes_the_catalog_does_not_know_are_written_by_the_shape_of_their_data(codec):
    row = codec.encode({"identifier": "A1", "values": {
        "new_text": value("x"), "new_flag": value(True), "new_list": value(["a", "b"]),
        "new_price": value([{"amount": "1.00", "currency": "EUR"}]),
        "new_metric": value({"amount": "2", "unit": "METER"}), "new_number": value(2.5)}})
    assert row == {"sku": "A1", "new_text": "x", "new_flag": "true", "new_list": "a<###>b",
                   "new_price@EUR": "1.00 EUR", "new_metric": "2 METER", "new_number": "2.5"}


def test_an_attribute_code_the_format_cannot_carry_is_refused_loudly(codec):
    with pytest.raises(EncodeError, match="attribute 'bad-code'"):
        codec.encode({"identifier": "A1", "values": {"bad-code": value("x")}})


def test_a_frame_has_product_columns_first_then_attribute_columns_sorted(codec):
    frame = codec.encode_frame([
        {"identifier": "A1", "family": "shoes", "values": {"name": value("Shoe", "en_US"), "ean": value("1")}},
        {"identifier": "A2", "values": {"color": value("red")}},
    ])
    assert list(frame.columns) == ["sku", "family", "color", "ean", "name~en_US"]
    assert frame.to_dict("records") == [
        {"sku": "A1", "family": "shoes", "color": "", "ean": "1", "name~en_US": "Shoe"},
        {"sku": "A2", "family": "", "color": "red", "ean": "", "name~en_US": ""},
    ]


def test_a_custom_separator_joins_and_splits_lists(meta):
    codec = FlatCodec(meta, value_separator="|")
    product = {"identifier": "A1", "categories": ["a|b", "c"], "values": {"materials": value(["leather", "steel"])}}
    row = codec.encode(product)
    assert row == {"sku": "A1", "categories": "a\\|b|c", "materials": "leather|steel"}
    assert codec.decode(row).product == product


@pytest.mark.parametrize("separator", ["", "  ", "a\\b", " |"])
def test_a_separator_must_be_visible_and_backslash_free(meta, separator):
    with pytest.raises(ValueError, match="value_separator"):
        FlatCodec(meta, value_separator=separator)


def test_the_codec_works_without_airflow_or_pandas_loaded():
    script = ("import sys; import productsup.codec, productsup.metadata; "
              "print(sorted(m for m in ('airflow', 'pandas') if m in sys.modules))")
    plugins = Path(__file__).resolve().parents[3] / "plugins"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(plugins)})
    assert out.stdout.strip() == "[]"
