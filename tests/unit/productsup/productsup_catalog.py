"""A small catalog as Akeneo's API returns it, for the flat-format tests."""
from __future__ import annotations

from productsup.metadata import CatalogMeta


def attribute(code: str, kind: str, **extra) -> dict:
    """An attribute as GET /api/rest/v1/attributes returns it (unused fields at their defaults)."""
    raw = {"code": code, "type": f"pim_catalog_{kind}" if not kind.startswith(("pim_", "akeneo_")) else kind,
           "group": "marketing", "labels": {"en_US": code.title()}, "localizable": False, "scopable": False,
           "available_locales": [], "metric_family": None, "default_metric_unit": None,
           "decimals_allowed": None, "negative_allowed": None, "unique": False, "sort_order": 0}
    raw.update(extra)
    return raw


ATTRIBUTES = [
    attribute("sku", "identifier", is_main_identifier=True, unique=True),
    attribute("name", "text", localizable=True),
    attribute("description", "textarea", localizable=True, scopable=True),
    attribute("teaser", "text", scopable=True),
    attribute("ean", "text"),
    attribute("price", "price_collection", decimals_allowed=True),
    attribute("msrp", "price_collection", localizable=True, decimals_allowed=True),
    attribute("length", "metric", localizable=True, metric_family="Length", default_metric_unit="MILLIMETER",
              decimals_allowed=True, negative_allowed=False),
    attribute("weight", "metric", metric_family="Weight", default_metric_unit="KILOGRAM",
              decimals_allowed=True, negative_allowed=False),
    attribute("temperature", "metric", metric_family="Temperature", default_metric_unit="CELSIUS",
              decimals_allowed=False, negative_allowed=True),
    attribute("quantity", "number", decimals_allowed=False, negative_allowed=False),
    attribute("rating", "number", decimals_allowed=True, negative_allowed=True),
    attribute("waterproof", "boolean"),
    attribute("release_date", "date"),
    attribute("color", "simpleselect"),
    attribute("materials", "multiselect"),
    attribute("brand", "akeneo_reference_entity", reference_data_name="brands"),
    attribute("designers", "akeneo_reference_entity_collection", reference_data_name="designers"),
    attribute("packshots", "pim_catalog_asset_collection", reference_data_name="packshots"),
    attribute("picture", "image"),
    attribute("manual", "file"),
    attribute("legal_text", "text", localizable=True, available_locales=["de_DE"]),
    attribute("nutrition", "pim_catalog_table"),
]
OPTIONS = {
    "color": [{"code": "red", "attribute": "color", "sort_order": 1, "labels": {"en_US": "Red"}},
              {"code": "blue", "attribute": "color", "sort_order": 2, "labels": {"en_US": "Blue"}},
              {"code": "Navy_Blue", "attribute": "color", "sort_order": 3, "labels": {}}],
    "materials": [{"code": code, "attribute": "materials"} for code in ("leather", "cotton", "steel")],
}
CHANNELS = [
    {"code": "ecommerce", "locales": ["en_US", "de_DE", "fr_FR"], "currencies": ["EUR", "USD"],
     "category_tree": "master", "conversion_units": {}, "labels": {"en_US": "Ecommerce"}},
    {"code": "mobile", "locales": ["en_US", "de_DE"], "currencies": ["EUR"], "category_tree": "master"},
]
LOCALES = [{"code": code, "enabled": enabled} for code, enabled in
           (("de_DE", True), ("en_US", True), ("fr_FR", True), ("it_IT", False), ("es_ES", False))]
CURRENCIES = [{"code": "EUR", "enabled": True, "label": "Euro"}, {"code": "USD", "enabled": True},
              {"code": "GBP", "enabled": False}]
MEASUREMENT_FAMILIES = [
    {"code": "Length", "standard_unit_code": "METER", "labels": {"en_US": "Length"},
     "units": {code: {"code": code, "labels": {}, "convert_from_standard": [{"operator": "mul", "value": "1"}],
                      "symbol": ""} for code in ("MILLIMETER", "CENTIMETER", "METER", "INCH", "FURLONG")}},
    {"code": "Weight", "standard_unit_code": "KILOGRAM",
     "units": {code: {"code": code} for code in ("GRAM", "KILOGRAM", "POUND", "MARC")}},
    {"code": "Temperature", "standard_unit_code": "KELVIN",
     "units": {code: {"code": code} for code in ("CELSIUS", "FAHRENHEIT", "KELVIN", "REAUMUR")}},
]


def catalog(**overrides) -> CatalogMeta:
    raw = dict(attributes=ATTRIBUTES, attribute_options=OPTIONS, channels=CHANNELS, locales=LOCALES,
               currencies=CURRENCIES, measurement_families=MEASUREMENT_FAMILIES)
    raw.update(overrides)
    return CatalogMeta.from_akeneo(**raw)


def value(data, locale=None, scope=None) -> list[dict]:
    return [{"locale": locale, "scope": scope, "data": data}]
