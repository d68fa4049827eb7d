"""The demo catalog's structure: locales, currencies, channels, category trees, attributes, families."""
from __future__ import annotations

from datetime import datetime, timezone

from sandbox.akeneo.measurements import standard_measurement_families
from sandbox.akeneo.state import IDENTIFIER_ATTRIBUTE, AkeneoState, format_timestamp
from sandbox.akeneo.structure_data import build_structure

ACTIVE_LOCALES = ("en_US", "de_DE", "fr_FR")
INACTIVE_LOCALES = ("en_GB", "es_ES", "it_IT", "nl_NL")
CURRENCIES = {"EUR": "Euro", "USD": "US dollar", "GBP": "British pound",
              "CHF": "Swiss franc", "JPY": "Japanese yen"}
CHANNELS = {
    "ecommerce": {"locales": ["en_US", "de_DE", "fr_FR"], "currencies": ["EUR", "USD", "GBP"],
                  "category_tree": "master", "labels": {"en_US": "Ecommerce", "de_DE": "E-Commerce",
                                                        "fr_FR": "E-commerce"}},
    "mobile": {"locales": ["en_US", "de_DE"], "currencies": ["EUR", "USD"],
               "category_tree": "sales", "labels": {"en_US": "Mobile", "de_DE": "Mobil", "fr_FR": "Mobile"}},
}
# tree root -> {child: [grandchildren]}
CATEGORY_TREES = {
    "master": {
        "clothing": ["tshirts", "jackets", "shoes"],
        "electronics": ["audio", "cameras", "computers"],
        "home_garden": ["kitchen", "furniture", "lighting"],
        "sports": ["outdoor", "fitness", "cycling"],
    },
    "sales": {
        "new_arrivals": [],
        "clearance": ["clearance_winter", "clearance_summer"],
        "bestsellers": [],
    },
}
FAMILY_CATEGORY = {"clothing": "clothing", "electronics": "electronics",
                   "home_garden": "home_garden", "sports": "sports"}
OPTIONS = {
    "brand": ["acme", "northwind", "contoso", "fabrikam", "globex", "initech", "umbrella",
              "stark", "wayne", "tyrell", "hooli", "vandelay"],
    "color": ["black", "white", "red", "blue", "green", "yellow", "grey", "orange", "purple", "brown"],
    "size": ["xs", "s", "m", "l", "xl"],
    "material": ["cotton", "polyester", "wool", "leather", "steel", "aluminium", "plastic", "wood", "glass"],
    "tags": ["waterproof", "wireless", "eco", "handmade", "bestseller", "limited"],
    "country_of_origin": ["de", "fr", "cn", "us", "it", "vn"],
}
# (code, type, group, localizable, scopable, extra properties)
ATTRIBUTES: list[tuple[str, str, str, bool, bool, dict]] = [
    (IDENTIFIER_ATTRIBUTE, "pim_catalog_identifier", "general", False, False,
     {"unique": True, "is_main_identifier": True, "max_characters": 255}),
    ("name", "pim_catalog_text", "general", True, False, {"max_characters": 255}),
    ("description", "pim_catalog_textarea", "marketing", True, True, {"wysiwyg_enabled": True}),
    ("meta_title", "pim_catalog_text", "marketing", True, True, {}),
    ("seo_keywords", "pim_catalog_text", "marketing", True, True, {}),
    ("care_instructions", "pim_catalog_textarea", "marketing", True, False, {"wysiwyg_enabled": False}),
    ("de_tax_note", "pim_catalog_text", "marketing", True, False, {"available_locales": ["de_DE"]}),
    ("brand", "pim_catalog_simpleselect", "general", False, False, {}),
    ("color", "pim_catalog_simpleselect", "general", False, False, {}),
    ("size", "pim_catalog_simpleselect", "general", False, False, {}),
    ("material", "pim_catalog_multiselect", "general", False, False, {}),
    ("tags", "pim_catalog_multiselect", "marketing", False, False, {}),
    ("country_of_origin", "pim_catalog_simpleselect", "technical", False, False, {}),
    ("price", "pim_catalog_price_collection", "marketing", False, False, {"decimals_allowed": True}),
    ("cost", "pim_catalog_price_collection", "technical", False, False, {"decimals_allowed": True}),
    ("weight", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Weight", "default_metric_unit": "KILOGRAM", "decimals_allowed": True,
      "negative_allowed": False}),
    ("width", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Length", "default_metric_unit": "CENTIMETER", "decimals_allowed": True,
      "negative_allowed": False}),
    ("height", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Length", "default_metric_unit": "CENTIMETER", "decimals_allowed": True,
      "negative_allowed": False}),
    ("depth", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Length", "default_metric_unit": "MILLIMETER", "decimals_allowed": False,
      "negative_allowed": False}),
    ("volume", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Volume", "default_metric_unit": "LITER", "decimals_allowed": True,
      "negative_allowed": False}),
    ("area", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Area", "default_metric_unit": "SQUARE_METER", "decimals_allowed": True,
      "negative_allowed": False}),
    ("max_temperature", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Temperature", "default_metric_unit": "CELSIUS", "decimals_allowed": True,
      "negative_allowed": True}),
    ("power", "pim_catalog_metric", "technical", False, False,
     {"metric_family": "Power", "default_metric_unit": "WATT", "decimals_allowed": False,
      "negative_allowed": False}),
    ("ean", "pim_catalog_text", "technical", False, False, {"unique": True, "max_characters": 13}),
    ("stock_quantity", "pim_catalog_number", "technical", False, False,
     {"decimals_allowed": False, "negative_allowed": False}),
    ("rating", "pim_catalog_number", "marketing", False, False,
     {"decimals_allowed": True, "negative_allowed": False, "number_min": "0.0000", "number_max": "5.0000"}),
    ("warranty_years", "pim_catalog_number", "technical", False, False,
     {"decimals_allowed": False, "negative_allowed": False}),
    # scopable: a value per channel, e.g. the quantity each channel may list
    ("listable_quantity", "pim_catalog_number", "marketing", False, True,
     {"decimals_allowed": False, "negative_allowed": False}),
    ("is_new", "pim_catalog_boolean", "marketing", False, False, {}),
    ("waterproof", "pim_catalog_boolean", "technical", False, False, {}),
    ("release_date", "pim_catalog_date", "marketing", False, False, {}),
    ("image_1", "pim_catalog_image", "media", False, False, {"allowed_extensions": ["png", "jpg"]}),
    ("image_2", "pim_catalog_image", "media", False, False, {"allowed_extensions": ["png", "jpg"]}),
    # values are record codes of a reference entity (`reference_data_name`)
    ("manufacturer", "akeneo_reference_entity", "general", False, False, {"reference_data_name": "brands"}),
    ("materials", "akeneo_reference_entity_collection", "general", False, False,
     {"reference_data_name": "materials"}),
]
COMMON_ATTRIBUTES = [code for code, *_ in ATTRIBUTES
                     if code not in ("size", "volume", "area", "max_temperature", "power")]
FAMILY_EXTRA = {"clothing": ["size"], "electronics": ["power", "max_temperature"],
                "home_garden": ["volume", "area"], "sports": ["max_temperature"]}
LABELS = {"en_US": "{}", "de_DE": "{} (DE)", "fr_FR": "{} (FR)"}


def _labels(code: str) -> dict[str, str]:
    text = code.replace("_", " ").capitalize()
    return {locale: pattern.format(text) for locale, pattern in LABELS.items()}


def _attribute(code: str, kind: str, group: str, localizable: bool, scopable: bool,
               extra: dict, sort_order: int) -> dict:
    # Akeneo answers every property, with null where the attribute type does not use it.
    attribute = {
        "code": code, "type": kind, "group": group, "unique": False, "useable_as_grid_filter": True,
        "allowed_extensions": [], "metric_family": None, "default_metric_unit": None,
        "reference_data_name": None, "available_locales": [], "max_characters": None,
        "validation_rule": None, "validation_regexp": None, "wysiwyg_enabled": None,
        "number_min": None, "number_max": None, "decimals_allowed": None, "negative_allowed": None,
        "date_min": None, "date_max": None, "max_file_size": None, "minimum_input_length": None,
        "sort_order": sort_order, "localizable": localizable, "scopable": scopable,
        "default_value": None, "labels": _labels(code), "group_labels": _labels(group),
        "is_main_identifier": False, "is_mandatory": False,
        "decimal_places_strategy": None, "decimal_places": None,
    }
    attribute.update(extra)
    return attribute


def build_reference_data(state: AkeneoState, moment: datetime) -> None:
    """Fill `state` with the catalog structure (independent of the number of products)."""
    stamp = format_timestamp(moment.astimezone(timezone.utc))
    for code in ACTIVE_LOCALES + INACTIVE_LOCALES:
        state.locales[code] = {"code": code, "enabled": code in ACTIVE_LOCALES}
    for code, channel in CHANNELS.items():
        state.channels[code] = {"code": code, "currencies": list(channel["currencies"]),
                                "locales": list(channel["locales"]),
                                "category_tree": channel["category_tree"], "conversion_units": {},
                                "labels": dict(channel["labels"])}
    active_currencies = state.activated_currencies()
    for code, label in CURRENCIES.items():
        state.currencies[code] = {"code": code, "enabled": code in active_currencies, "label": label}
    for root, children in CATEGORY_TREES.items():
        state.categories[root] = {"code": root, "parent": None, "updated": stamp, "labels": _labels(root)}
        for child, grandchildren in children.items():
            state.categories[child] = {"code": child, "parent": root, "updated": stamp,
                                       "labels": _labels(child)}
            for grandchild in grandchildren:
                state.categories[grandchild] = {"code": grandchild, "parent": child, "updated": stamp,
                                                "labels": _labels(grandchild)}
    for group in ("general", "marketing", "technical", "media"):
        state.attribute_groups[group] = {"code": group, "labels": _labels(group)}
    for order, (code, kind, group, localizable, scopable, extra) in enumerate(ATTRIBUTES, start=1):
        state.attributes[code] = _attribute(code, kind, group, localizable, scopable, extra, order)
    for attribute, options in OPTIONS.items():
        state.attribute_options[attribute] = {
            option: {"code": option, "attribute": attribute, "sort_order": order,
                     "labels": _labels(option)}
            for order, option in enumerate(options, start=1)
        }
    for family, extra in FAMILY_EXTRA.items():
        attributes = COMMON_ATTRIBUTES + extra
        state.families[family] = {
            "code": family, "attributes": attributes, "attribute_as_label": "name",
            "attribute_as_image": "image_1",
            "attribute_requirements": {"ecommerce": [IDENTIFIER_ATTRIBUTE, "name", "description", "price"],
                                       "mobile": [IDENTIFIER_ATTRIBUTE, "name", "price"]},
            "labels": _labels(family),
        }
    state.measurement_families = standard_measurement_families()
    build_structure(state, stamp)
