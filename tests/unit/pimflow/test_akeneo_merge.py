"""A line giving part of a price collection never deletes the currencies it did not mention."""
from __future__ import annotations

from pimflow.kinds.akeneo_merge import complete, partial_codes, price_codes
from productsup.metadata import AttributeMeta, CatalogMeta


def prices(*pairs, locale=None, scope=None) -> list[dict]:
    return [{"locale": locale, "scope": scope,
             "data": [{"amount": amount, "currency": currency} for amount, currency in pairs]}]


HELD = {"values": {"price": prices(("10.00", "EUR"), ("8.60", "GBP"), ("10.80", "USD")),
                   "msrp": prices(("12.00", "EUR"), locale="de_DE") + prices(("13.00", "EUR"), locale="en_US")}}


def test_one_currency_of_three_keeps_the_other_two():
    record = {"values": {"price": prices(("7.00", "EUR"))}}
    assert complete(record, HELD, ["price"])
    assert record["values"]["price"] == prices(("7.00", "EUR"), ("8.60", "GBP"), ("10.80", "USD"))


def test_a_cleared_currency_stays_cleared_and_a_whole_cleared_value_stays_null():
    record = {"values": {"price": prices(("7.00", "EUR"), (None, "USD"))}}
    complete(record, HELD, ["price"])
    assert record["values"]["price"] == prices(("7.00", "EUR"), ("8.60", "GBP"), (None, "USD"))
    cleared = {"values": {"price": [{"locale": None, "scope": None, "data": None}]}}
    assert not complete(cleared, HELD, ["price"])
    assert cleared["values"]["price"] == [{"locale": None, "scope": None, "data": None}]


def test_each_locale_and_scope_is_completed_from_its_own_value():
    record = {"values": {"msrp": prices(("1.00", "USD"), locale="de_DE") + prices(("2.00", "USD"), locale="fr_FR")}}
    complete(record, HELD, ["msrp"])
    assert record["values"]["msrp"] == (prices(("12.00", "EUR"), ("1.00", "USD"), locale="de_DE")
                                        + prices(("2.00", "USD"), locale="fr_FR"))  # Akeneo held none in fr_FR


def test_a_new_product_or_a_line_giving_every_currency_is_sent_as_written():
    record = {"values": {"price": prices(("7.00", "EUR"))}}
    assert not complete(record, None, ["price"]) and record["values"]["price"] == prices(("7.00", "EUR"))
    full = {"values": {"price": prices(("1", "EUR"), ("2", "GBP"), ("3", "USD"))}}
    assert not complete(full, HELD, ["price"]) and full["values"]["price"] == prices(("1", "EUR"), ("2", "GBP"), ("3", "USD"))


def test_only_price_collections_are_given_in_part():
    meta = CatalogMeta({"price": AttributeMeta("price", "pim_catalog_price_collection"),
                        "name": AttributeMeta("name", "pim_catalog_text"),
                        "materials": AttributeMeta("materials", "pim_catalog_multiselect")})
    assert price_codes(meta) == {"price"}
    assert partial_codes({"name": [], "price": [], "materials": [], "unknown": []}, price_codes(meta)) == ["price"]
