"""Decoding flat rows: each documented cell form, each refused form with its message."""
from __future__ import annotations

import gc
import math

import pandas as pd
import pytest
from productsup.codec import CellProblem, FlatCodec
from productsup_catalog import catalog, value

UUID = "0b5d3bd8-6c41-4d6a-9f2b-2d7e0c5c1a7e"


def decoded_values(codec, **cells):
    result = codec.decode({"sku": "A1", **cells})
    assert result.problems == []
    return result.product["values"]


@pytest.mark.parametrize(
    ("column", "cell", "code", "expected"),
    [
        ("ean", "4006381333931", "ean", value("4006381333931")),
        ("name~en_US", "Trail shoe", "name", value("Trail shoe", "en_US")),
        ("teaser~mobile", "Light", "teaser", value("Light", scope="mobile")),
        ("description~en_US~mobile", "<p>Light</p>", "description", value("<p>Light</p>", "en_US", "mobile")),
        ("msrp~de_DE@EUR", "740.00 EUR", "msrp", value([{"amount": "740.00", "currency": "EUR"}], "de_DE")),
        ("msrp~de_DE@EUR", "740.00", "msrp", value([{"amount": "740.00", "currency": "EUR"}], "de_DE")),
        ("price", "800.00 USD<###>740.00 EUR", "price",
         value([{"amount": "740.00", "currency": "EUR"}, {"amount": "800.00", "currency": "USD"}])),
        ("length~de_DE@MMT", "3000.00 MMT", "length", value({"amount": "3000.00", "unit": "MILLIMETER"}, "de_DE")),
        ("length~de_DE@MMT", "3000.00", "length", value({"amount": "3000.00", "unit": "MILLIMETER"}, "de_DE")),
        ("length~de_DE", "3000.00 MMT", "length", value({"amount": "3000.00", "unit": "MILLIMETER"}, "de_DE")),
        ("length~de_DE", "12 INCH", "length", value({"amount": "12", "unit": "INCH"}, "de_DE")),
        ("weight", "2 MARC", "weight", value({"amount": "2", "unit": "MARC"})),
        ("temperature", "-18 CEL", "temperature", value({"amount": "-18", "unit": "CELSIUS"})),
        ("quantity", "12", "quantity", value(12)),
        ("quantity", "12.00", "quantity", value(12)),
        ("rating", "4.50", "rating", value("4.50")),
        ("rating", "-0.5", "rating", value("-0.5")),
        ("waterproof", "true", "waterproof", value(True)),
        ("waterproof", "false", "waterproof", value(False)),
        ("waterproof", "1", "waterproof", value(True)),
        ("waterproof", "0", "waterproof", value(False)),
        ("waterproof", " TRUE ", "waterproof", value(True)),
        ("release_date", "2026-01-31", "release_date", value("2026-01-31T00:00:00+00:00")),
        ("release_date", "2026-01-31T00:00:00+00:00", "release_date", value("2026-01-31T00:00:00+00:00")),
        ("color", "red", "color", value("red")),
        ("color", "navy_blue", "color", value("Navy_Blue")),
        ("materials", "leather<###>cotton", "materials", value(["leather", "cotton"])),
        ("brand", "acme", "brand", value("acme")),
        ("designers", "jane<###>john", "designers", value(["jane", "john"])),
        ("packshots", "front<###>back", "packshots", value(["front", "back"])),
        ("picture", "a/b/c/d/abc123_shoe.jpg", "picture", value("a/b/c/d/abc123_shoe.jpg")),
        ("manual", "e/f/0/1/def456_manual.pdf", "manual", value("e/f/0/1/def456_manual.pdf")),
        ("nutrition", '[{"nutrient":"fat","per100g":"3.5"}]', "nutrition",
         value([{"nutrient": "fat", "per100g": "3.5"}])),
    ],
)
def test_each_documented_cell_form_decodes_to_akeneo_data(codec, column, cell, code, expected):
    assert decoded_values(codec, **{column: cell}) == {code: expected}


def test_the_documented_examples_decode_with_their_capitalised_codes(codec):
    values = decoded_values(codec, **{"MSRP~de_DE@EUR": "740.00 EUR", "Length~de_DE@MMT": "3000.00 MMT"})
    assert values == {"msrp": value([{"amount": "740.00", "currency": "EUR"}], "de_DE"),
                      "length": value({"amount": "3000.00", "unit": "MILLIMETER"}, "de_DE")}


def test_prices_given_one_currency_per_column_make_one_collection(codec):
    values = decoded_values(codec, **{"price@USD": "800.00 USD", "price@EUR": "740.00"})
    assert values == {"price": value([{"amount": "740.00", "currency": "EUR"},
                                      {"amount": "800.00", "currency": "USD"}])}


def test_product_level_columns_make_a_whole_product(codec):
    row = {"sku": "A1", "uuid": UUID, "family": "shoes", "categories": "men<###>sale", "enabled": "false",
           "parent": "trail_model", "name~en_US": "Trail shoe"}
    assert codec.decode(row).product == {
        "identifier": "A1", "uuid": UUID, "family": "shoes", "categories": ["men", "sale"], "enabled": False,
        "parent": "trail_model", "values": {"name": value("Trail shoe", "en_US")},
    }


def test_the_identifier_goes_into_values_for_the_products_uuid_api(meta):
    codec = FlatCodec(meta, product_id="uuid")
    assert codec.decode({"uuid": UUID, "sku": "A1"}).product == {"uuid": UUID, "values": {"sku": value("A1")}}


def test_media_download_urls_read_back_as_media_codes(meta):
    codec = FlatCodec(meta, media_base_url="https://pim.example.com/")
    url = "https://pim.example.com/api/rest/v1/media-files/a/b/c/d/abc123_my%20shoe.jpg/download"
    assert decoded_values(codec, picture=url) == {"picture": value("a/b/c/d/abc123_my shoe.jpg")}


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("colour", "red", "unknown attribute 'colour'"),
        ("ean~en_US", "1", "attribute 'ean' is not localizable: remove the locale 'en_US'"),
        ("name", "Shoe", "attribute 'name' is localizable: add a locale, like 'name~de_DE'"),
        ("name~it_IT", "Scarpa", "locale 'it_IT' is not activated (active: de_DE, en_US, fr_FR)"),
        ("description~fr_FR~mobile", "x", "locale 'fr_FR' is not activated for channel 'mobile' "
                                          "(its locales: de_DE, en_US)"),
        ("teaser~print", "x", "'print' is neither a channel (ecommerce, mobile) nor a locale"),
        ("price@GBP", "1.00 GBP", "unknown currency 'GBP' (enabled: EUR, USD)"),
        ("price", "1.00 GBP", "unknown currency 'GBP'"),
        ("price", "740.00", "bad price '740.00': write '<amount> <currency>', like '740.00 EUR'"),
        ("price", "EUR 740.00 net", "bad price 'EUR 740.00 net': write '<amount> <currency>', like '740.00 EUR'"),
        ("price", "740,00 EUR", "'740,00': not a number: write digits with '.' for decimals, like 12.50"),
        ("price", "1 EUR<###>2 EUR", "a currency is given twice"),
        ("price@EUR", "740.00 USD", "currency 'USD' does not match the column's currency 'EUR'"),
        ("weight@GRM", "3 KGM", "unit 'KGM' does not match the column's unit 'GRM'"),
        ("weight", "3 MMT", "unit 'MMT' is not in measurement family 'Weight' (use one of GRM, KGM, MARC, LBR)"),
        ("weight", "3", "write '<amount> <unit>', like '3000.00 KGM'"),
        ("weight", "-3 KGM", "negative values are not allowed"),
        ("temperature", "21.5 CEL", "decimals are not allowed"),
        ("quantity", "1.5", "decimals are not allowed"),
        ("quantity", "-1", "negative values are not allowed"),
        ("quantity", "twelve", "not a number: write digits with '.' for decimals, like 12.50"),
        ("rating", "1e3", "not a number: write digits with '.' for decimals, like 12.50"),
        ("quantity", "9" * 5000, "too many digits (at most 40 characters)"),
        ("waterproof", "yes", "not a boolean: write true or false (or 1 or 0)"),
        ("release_date", "31/01/2026", "not a date: write YYYY-MM-DD, like 2026-01-31"),
        ("release_date", "2026-02-30", "not a calendar date"),
        ("color", "green", "unknown option 'green' of attribute 'color'"),
        ("materials", "leather<###>wood<###>glass", "unknown options 'wood', 'glass' of attribute 'materials'"),
        ("nutrition", "fat: 3.5", "pim_catalog_table values are written as JSON; this is not JSON"),
        ("enabled", "maybe", "not a boolean: write true or false (or 1 or 0)"),
        ("uuid", "42", "not a UUID, like 0b5d3bd8-6c41-4d6a-9f2b-2d7e0c5c1a7e"),
    ],
)
def test_each_refused_cell_is_reported_with_column_value_and_reason(codec, column, cell, reason):
    result = codec.decode({"sku": "A1", column: cell})
    assert result.problems == [CellProblem(column, cell, reason)]
    assert result.product["values"] == {}


def test_every_problem_of_a_row_is_reported_at_once_in_column_order(codec):
    row = {"sku": "A1", "quantity": "x", "name~en_US": "ok", "color": "green", "colour": "red", "waterproof": "?"}
    result = codec.decode(row)
    assert [(p.column, p.value) for p in result.problems] == [
        ("quantity", "x"), ("color", "green"), ("colour", "red"), ("waterproof", "?")]
    assert result.product["values"] == {"name": value("ok", "en_US")}
    assert not result.ok


def test_a_row_without_identifier_is_refused(codec):
    result = codec.decode({"name~en_US": "Shoe"})
    assert result.problems == [CellProblem("sku", "", "the identifier (column 'sku') is empty")]


def test_two_columns_giving_the_same_value_clash_only_when_both_are_filled(codec):
    clash = codec.decode({"sku": "A1", "length~de_DE": "3 MMT", "length~de_DE@CMT": "4"})
    assert clash.problems == [CellProblem("length~de_DE@CMT", "4",
                                          "the same value is also given in column 'length~de_DE'")]
    fine = codec.decode({"sku": "A1", "length~de_DE": "", "length~de_DE@CMT": "4"})
    assert fine.problems == []
    assert fine.product["values"]["length"] == value({"amount": "4", "unit": "CENTIMETER"}, "de_DE")


def test_empty_cells_change_nothing_by_default(codec):
    result = codec.decode({"sku": "A1", "family": "", "ean": "", "price@EUR": " ", "quantity": None})
    assert result.ok and result.product == {"identifier": "A1", "values": {}}


def test_empty_cells_can_clear_values_the_way_akeneo_clears_them(meta):
    codec = FlatCodec(meta, empty_cell="clear")
    result = codec.decode({"sku": "A1", "family": "", "categories": "", "parent": "", "enabled": "",
                           "ean": "", "name~en_US": " ", "price@EUR": "", "price@USD": "9.90 USD"})
    assert result.ok
    assert result.product == {
        "identifier": "A1", "family": None, "categories": [],  # parent and enabled are never cleared
        "values": {"ean": value(None), "name": value(None, "en_US"),
                   "price": value([{"amount": None, "currency": "EUR"}, {"amount": "9.90", "currency": "USD"}])},
    }


def test_unknown_columns_can_be_ignored(meta):
    codec = FlatCodec(meta, unknown_columns="ignore")
    result = codec.decode({"sku": "A1", "supplier_note": "call Bob", "ean~en_US": "1"})
    assert result.problems == [CellProblem("ean~en_US", "1", "attribute 'ean' is not localizable: "
                                                              "remove the locale 'en_US'")]


def test_header_problems_are_listed_once_for_a_whole_chunk(codec):
    assert codec.column_problems(["sku", "colour", "name~en_US", "sku"]) == [
        CellProblem("colour", "", "unknown attribute 'colour'"),
        CellProblem("sku", "", "the identifier is given twice"),
    ]


def test_a_dataframe_sequences_and_mappings_decode_alike(codec):
    header = ["sku", "name~en_US", "quantity", "price@EUR", "waterproof"]
    rows = [["A1", "Shoe", "3", "740.00 EUR", "true"], ["A2", "", "x", "", "0"], ["A3", "Boot"]]  # A3 is short
    frame = pd.DataFrame([row + [math.nan] * (5 - len(row)) for row in rows], columns=header)
    by_sequence = codec.decode_many(rows, columns=header)
    by_frame = codec.decode_many(frame)
    by_mapping = codec.decode_many([dict(zip(header, row)) for row in rows])
    assert by_sequence == by_frame == by_mapping
    assert [r.ok for r in by_sequence] == [True, False, True]
    assert by_sequence[0].product["values"]["price"] == value([{"amount": "740.00", "currency": "EUR"}])
    assert by_sequence[1].problems == [CellProblem("quantity", "x", "not a number: write digits with '.' for "
                                                                    "decimals, like 12.50")]


def test_non_text_cells_are_read_as_their_text(codec):
    result = codec.decode_many([{"sku": 1001, "quantity": 7, "rating": 2.5}])[0]
    assert result.product == {"identifier": "1001", "values": {"quantity": value(7), "rating": value("2.5")}}


def test_bad_cells_deep_in_a_large_batch_are_still_found(codec):
    rows = [{"sku": f"A{i}", "quantity": str(i), "release_date": "2026-01-31"} for i in range(2000)]
    rows[1500]["quantity"], rows[1700]["release_date"] = "1.5", "2026-13-01"
    results = codec.decode_many(rows)
    assert [i for i, r in enumerate(results) if not r.ok] == [1500, 1700]
    assert results[1700].problems == [CellProblem("release_date", "2026-13-01", "not a calendar date")]
    assert results[1499].product["values"]["quantity"] == value(1499)


def test_batch_calls_leave_the_garbage_collector_as_they_found_it(codec):
    rows = [{"sku": "A1", "name~en_US": "Shoe"}]
    assert gc.isenabled()
    codec.decode_many(rows)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        codec.decode_many(rows)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_a_server_froze_stay_frozen(codec):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        codec.decode_many([{"sku": "A1"}])
        # not unfrozen (0) and nothing of ours frozen (more); other threads of the test run may
        # free some frozen objects meanwhile, so the count may only have gone down a little
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def test_families_and_categories_are_checked_when_the_catalog_lists_them():
    codec = FlatCodec(catalog(families=[{"code": "shoes"}], categories=[{"code": "men"}, {"code": "sale"}]))
    result = codec.decode({"sku": "A1", "family": "shoe", "categories": "men<###>kids<###>toys"})
    assert result.problems == [CellProblem("family", "shoe", "unknown family 'shoe'"),
                               CellProblem("categories", "men<###>kids<###>toys", "unknown categories 'kids', 'toys'")]
    assert codec.decode({"sku": "A1", "family": "shoes", "categories": "sale"}).ok
