"""Catalog metadata built from the raw JSON lists of Akeneo's API."""
from __future__ import annotations

import pytest
from productsup.errors import MetadataError
from productsup.metadata import CatalogMeta
from productsup_catalog import CHANNELS, attribute


def test_the_catalog_reads_attributes_channels_locales_currencies_and_units(meta):
    assert meta.identifier == "sku"
    assert meta.locales == {"de_DE", "en_US", "fr_FR"}  # it_IT and es_ES are known but not activated
    assert {"it_IT", "es_ES"} <= meta.known_locales
    assert meta.currencies == {"EUR", "USD"}  # GBP is disabled
    assert meta.channels["mobile"].locales == {"en_US", "de_DE"}
    assert meta.channels["ecommerce"].currencies == {"EUR", "USD"}
    assert meta.measurement_families["Weight"] == {"GRAM", "KILOGRAM", "POUND", "MARC"}
    length = meta.attributes["length"]
    assert (length.localizable, length.scopable, length.metric_family) == (True, False, "Length")
    assert (length.decimals_allowed, length.negative_allowed) == (True, False)
    assert meta.attributes["color"].options == {"red", "blue", "Navy_Blue"}
    assert meta.attributes["brand"].options is None  # records are not listed: not checked
    assert meta.attributes["legal_text"].available_locales == {"de_DE"}
    assert meta.families is None and meta.categories is None  # not given: not checked


def test_null_flags_mean_no_limit():
    meta = CatalogMeta.from_akeneo(attributes=[attribute("rating", "number")])
    assert meta.attributes["rating"].decimals_allowed and meta.attributes["rating"].negative_allowed


def test_without_locale_and_currency_lists_the_channels_ones_are_used():
    meta = CatalogMeta.from_akeneo(attributes=[], channels=CHANNELS)
    assert meta.locales == {"en_US", "de_DE", "fr_FR"}
    assert meta.currencies == {"EUR", "USD"}


def test_without_measurement_families_the_standard_ones_are_assumed():
    meta = CatalogMeta.from_akeneo(attributes=[])
    assert "MILLIMETER" in meta.measurement_families["Length"]


def test_the_older_measure_families_shape_is_read_too():
    meta = CatalogMeta.from_akeneo(attributes=[], measurement_families=[
        {"code": "Area", "standard": "SQUARE_METER", "units": [{"code": "SQUARE_METER", "convert": {"mul": "1"}}]}])
    assert meta.measurement_families["Area"] == {"SQUARE_METER"}


def test_the_main_identifier_is_found_among_several_identifier_attributes():
    meta = CatalogMeta.from_akeneo(attributes=[attribute("gtin", "identifier"),
                                               attribute("code", "identifier", is_main_identifier=True)])
    assert meta.identifier == "code"


def test_a_catalog_without_identifier_attribute_uses_sku():
    assert CatalogMeta.from_akeneo(attributes=[]).identifier == "sku"


def test_options_may_come_as_one_flat_list():
    meta = CatalogMeta.from_akeneo(attributes=[attribute("color", "simpleselect")],
                                   attribute_options=[{"code": "red", "attribute": "color"}])
    assert meta.attributes["color"].options == {"red"}


def test_an_attribute_without_code_is_refused_with_what_was_given():
    with pytest.raises(MetadataError, match="attribute without a 'code'"):
        CatalogMeta.from_akeneo(attributes=[{"type": "pim_catalog_text"}])
