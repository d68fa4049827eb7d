"""Productsup's column names, as its Akeneo export documents them, read and written by the codec:
`description`, `description~en_US`, `description~mobile`, `description~en_US~mobile`,
`Price~de_DE@currency` = `740.00 EUR` and `Length~de_DE@unit` = `3000.00 MMT` (the literal words
after `@`, the codes inside the cells), beside pimflow's own `price@EUR` form."""
from __future__ import annotations

import pytest
from productsup.codec import FlatCodec
from productsup.columns import ColumnRef, format_column, parse_column
from productsup.errors import ColumnError
from productsup_catalog import attribute, catalog, value

# The attributes of the document's examples; `Price` and `Length` keep the document's capitals.
DOCUMENT_ATTRIBUTES = {
    "description": attribute("description", "textarea"),
    "description~en_US": attribute("description", "textarea", localizable=True),
    "description~mobile": attribute("description", "textarea", scopable=True),
    "description~en_US~mobile": attribute("description", "textarea", localizable=True, scopable=True),
    "Price~de_DE@currency": attribute("Price", "price_collection", localizable=True, decimals_allowed=True),
    "Length~de_DE@unit": attribute("Length", "metric", localizable=True, metric_family="Length",
                                   default_metric_unit="MILLIMETER", decimals_allowed=True),
}
# column, cell, the column's reference, the value Akeneo receives, pimflow's form of the same cell
DOCUMENT_EXAMPLES = [
    ("description", "Soft cotton", ColumnRef("description"), value("Soft cotton"), "description"),
    ("description~en_US", "Soft cotton", ColumnRef("description", locale="en_US"),
     value("Soft cotton", "en_US"), "description~en_US"),
    ("description~mobile", "Soft cotton", ColumnRef("description", scope="mobile"),
     value("Soft cotton", scope="mobile"), "description~mobile"),
    ("description~en_US~mobile", "Soft cotton", ColumnRef("description", locale="en_US", scope="mobile"),
     value("Soft cotton", "en_US", "mobile"), "description~en_US~mobile"),
    ("Price~de_DE@currency", "740.00 EUR", ColumnRef("Price", locale="de_DE", word="currency"),
     value([{"amount": "740.00", "currency": "EUR"}], "de_DE"), "Price~de_DE@EUR"),
    ("Length~de_DE@unit", "3000.00 MMT", ColumnRef("Length", locale="de_DE", word="unit"),
     value({"amount": "3000.00", "unit": "MILLIMETER"}, "de_DE"), "Length~de_DE"),
]


def document_catalog(column: str):
    return catalog(attributes=[attribute("sku", "identifier", is_main_identifier=True),
                               DOCUMENT_ATTRIBUTES[column]])


@pytest.mark.parametrize(("column", "cell", "ref", "values", "pimflow_column"), DOCUMENT_EXAMPLES,
                         ids=[example[0] for example in DOCUMENT_EXAMPLES])
def test_the_documents_examples_decode_and_encode_back_as_written(column, cell, ref, values, pimflow_column):
    meta = document_catalog(column)
    assert parse_column(column, meta) == ref
    assert format_column(ref) == column

    decoded = FlatCodec(meta).decode({"sku": "SKU-1", column: cell})
    assert decoded.ok, decoded.problems
    assert decoded.product["values"] == {ref.code: values}

    product = {"identifier": "SKU-1", "values": {ref.code: values}}
    assert FlatCodec(meta, column_form="productsup").encode(product) == {"sku": "SKU-1", column: cell}
    assert FlatCodec(meta).encode(product) == {"sku": "SKU-1", pimflow_column: cell}


def test_a_price_in_every_currency_is_one_cell_in_the_currency_form(meta):
    """`@currency` allows one column per value, so the value's prices share its cell, joined by the
    value separator (the document shows one price; one column per currency cannot be written)."""
    prices = [{"amount": "740.00", "currency": "EUR"}, {"amount": "800.00", "currency": "USD"}]
    product = {"identifier": "SKU-1", "values": {"msrp": value(prices, "de_DE"), "price": value(prices[1:])}}
    row = FlatCodec(meta, column_form="productsup").encode(product)
    assert row == {"sku": "SKU-1", "msrp~de_DE@currency": "740.00 EUR<###>800.00 USD", "price@currency": "800.00 USD"}
    assert FlatCodec(meta).decode(row).product["values"] == product["values"]
    written = FlatCodec(meta, value_separator="|", column_form="productsup").encode(product)
    assert written["msrp~de_DE@currency"] == "740.00 EUR|800.00 USD"


def test_a_feed_may_mix_both_forms_and_a_currency_given_twice_is_refused(meta):
    codec = FlatCodec(meta)
    mixed = codec.decode({"sku": "SKU-1", "price@currency": "1.00 USD", "price@EUR": "2.00 EUR",
                          "weight@unit": "3 KGM", "length~en_US@MMT": "40"})
    assert mixed.ok, mixed.problems
    assert mixed.product["values"] == {
        "price": value([{"amount": "2.00", "currency": "EUR"}, {"amount": "1.00", "currency": "USD"}]),
        "weight": value({"amount": "3", "unit": "KILOGRAM"}),
        "length": value({"amount": "40", "unit": "MILLIMETER"}, "en_US")}
    twice = codec.decode({"sku": "SKU-1", "price@currency": "1.00 EUR", "price@EUR": "2.00 EUR"})
    assert [p.column for p in twice.problems] == ["price@EUR"]


@pytest.mark.parametrize(("column", "cell", "reason"), [
    ("price@currency", "740.00", "bad price '740.00': write '<amount> <currency>', like '740.00 EUR'"),
    ("price@currency", "740.00 GBP", "unknown currency 'GBP'"),
    ("weight@unit", "3000.00", "write '<amount> <unit>', like '3000.00 KGM'"),
    ("weight@unit", "3000.00 MMT", "unit 'MMT' is not in measurement family 'Weight'"),
])
def test_cells_of_the_word_form_carry_their_code(meta, column, cell, reason):
    problems = FlatCodec(meta).decode({"sku": "SKU-1", column: cell}).problems
    assert len(problems) == 1 and problems[0].column == column and reason in problems[0].reason


@pytest.mark.parametrize(("column", "reason"), [
    ("length~de_DE@currency", "'length' is a metric: write '@unit', like 'length~de_DE@unit'"),
    ("msrp~de_DE@unit", "'msrp' is a price: write '@currency', like 'msrp~de_DE@currency'"),
    ("ean@unit", "'@unit' only applies to prices and metrics; 'ean' is pim_catalog_text"),
    ("price~de_DE@currency", "attribute 'price' is not localizable: remove the locale 'de_DE'"),
])
def test_a_word_on_the_wrong_attribute_is_refused_with_the_right_spelling(meta, column, reason):
    with pytest.raises(ColumnError) as raised:
        parse_column(column, meta)
    assert raised.value.reason == reason


def test_the_words_are_read_in_any_case(meta):
    assert parse_column("Price@Currency", meta) == ColumnRef("price", word="currency")
    assert parse_column("weight@UNIT", meta) == ColumnRef("weight", word="unit")


def test_the_codec_refuses_an_unknown_column_form(meta):
    with pytest.raises(ValueError, match="column_form must be one of pimflow, productsup"):
        FlatCodec(meta, column_form="csv")
