"""Column names: the four address forms, the @currency / @unit suffix, and every refused form."""
from __future__ import annotations

import pytest
from productsup.columns import ColumnRef, format_column, parse_column
from productsup.errors import ColumnError
from productsup_catalog import attribute, catalog


@pytest.mark.parametrize(
    ("flags", "column", "expected"),
    [
        ({}, "description", ColumnRef("description")),
        ({"localizable": True}, "description~en_US", ColumnRef("description", locale="en_US")),
        ({"scopable": True}, "description~mobile", ColumnRef("description", scope="mobile")),
        ({"localizable": True, "scopable": True}, "description~en_US~mobile",
         ColumnRef("description", locale="en_US", scope="mobile")),
    ],
    ids=["code", "code~locale", "code~scope", "code~locale~scope"],
)
def test_the_four_address_forms_parse_and_format_back(flags, column, expected):
    meta = catalog(attributes=[attribute("sku", "identifier"), attribute("description", "textarea", **flags)])
    ref = parse_column(column, meta)
    assert ref == expected
    assert format_column(ref) == column


def test_a_two_part_column_is_a_channel_when_the_catalog_has_that_channel(meta):
    assert parse_column("teaser~mobile", meta) == ColumnRef("teaser", scope="mobile")
    assert parse_column("name~de_DE", meta) == ColumnRef("name", locale="de_DE")


def test_price_column_with_locale_and_currency(meta):
    ref = parse_column("msrp~de_DE@EUR", meta)
    assert ref == ColumnRef("msrp", locale="de_DE", currency="EUR")
    assert format_column(ref) == "msrp~de_DE@EUR"


@pytest.mark.parametrize("unit", ["MMT", "MILLIMETER", "mmt"])
def test_metric_column_takes_a_common_code_or_an_akeneo_unit(meta, unit):
    ref = parse_column(f"length~de_DE@{unit}", meta)
    assert ref == ColumnRef("length", locale="de_DE", unit=unit)
    assert format_column(ref) == f"length~de_DE@{unit}"


def test_attribute_codes_and_currencies_match_case_insensitively_like_akeneo_codes(meta):
    assert parse_column("MSRP~de_DE@eur", meta) == ColumnRef("msrp", locale="de_DE", currency="EUR")
    assert parse_column("Length~de_DE@MMT", meta) == ColumnRef("length", locale="de_DE", unit="MMT")


def test_surrounding_spaces_of_a_header_are_ignored(meta):
    assert parse_column("  name~en_US ", meta) == ColumnRef("name", locale="en_US")


@pytest.mark.parametrize(
    ("column", "reason"),
    [
        ("colour", "unknown attribute 'colour'"),
        ("long-name", "attribute code 'long-name' contains '-', which the flat format does not allow"),
        ("name~en_US~ecommerce~x", "4 '~'-separated parts: the forms are code, code~locale, code~channel and "
                                   "code~locale~channel (attribute codes cannot contain '~')"),
        ("name~~ecommerce", "empty part between '~' separators"),
        ("ean~en_US", "attribute 'ean' is not localizable: remove the locale 'en_US'"),
        ("ean~mobile", "attribute 'ean' is not scopable: remove the channel 'mobile'"),
        ("name", "attribute 'name' is localizable: add a locale, like 'name~de_DE'"),
        ("teaser", "attribute 'teaser' is scopable: add a channel, like 'teaser~ecommerce'"),
        ("description~en_US", "attribute 'description' is localizable and scopable: add a channel, "
                              "like 'description~en_US~ecommerce'"),
        ("description", "attribute 'description' is localizable and scopable: add a locale and a channel, "
                        "like 'description~de_DE~ecommerce'"),
        ("name~it_IT", "locale 'it_IT' is not activated (active: de_DE, en_US, fr_FR)"),
        ("description~fr_FR~mobile",
         "locale 'fr_FR' is not activated for channel 'mobile' (its locales: de_DE, en_US)"),
        ("description~en_US~print", "unknown channel 'print' (channels: ecommerce, mobile)"),
        ("teaser~nowhere", "'nowhere' is neither a channel (ecommerce, mobile) nor a locale"),
        ("legal_text~en_US", "attribute 'legal_text' only takes the locales de_DE"),
        ("price@GBP", "unknown currency 'GBP' (enabled: EUR, USD)"),
        ("weight@MMT", "unit 'MMT' is not in measurement family 'Weight' (use one of GRM, KGM, MARC, LBR)"),
        ("length~en_US@MICROMETER", "unit 'MICROMETER' is not in measurement family 'Length' "
                                    "(use one of MMT, CMT, MTR, INH, M50)"),
        ("ean@EUR", "'@' only applies to prices and metrics; 'ean' is pim_catalog_text"),
        ("price@", "write one '@' followed by a currency or unit code, like 'price@EUR'"),
        ("price@EUR@USD", "write one '@' followed by a currency or unit code, like 'price@EUR'"),
        ("  ", "empty column name"),
    ],
)
def test_refused_columns_say_why_in_plain_words(meta, column, reason):
    with pytest.raises(ColumnError) as raised:
        parse_column(column, meta)
    assert raised.value.reason == reason
    assert raised.value.column == column


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (ColumnRef("long-name"), "'-'"),
        (ColumnRef("a~b"), "'~'"),
        (ColumnRef("a@b"), "'@'"),
        (ColumnRef("name", locale="en~US"), "'~'"),
    ],
)
def test_codes_the_format_cannot_carry_are_refused_when_formatting(ref, message):
    with pytest.raises(ColumnError, match=message):
        format_column(ref)


def test_a_dash_in_a_locale_is_not_a_dash_in_an_attribute_code():
    assert format_column(ColumnRef("name", locale="sr-Latn")) == "name~sr-Latn"
