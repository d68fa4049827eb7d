"""The demo catalog's structure beyond attributes: family variants, association types, reference
entities with their records, and the enriched values of categories."""
from __future__ import annotations

import uuid

from sandbox.akeneo.state import IDENTIFIER_ATTRIBUTE, AkeneoState

# Attributes of the variant products of every clothing family variant (unique ones such as the
# identifier and `ean` must sit at the last level). The rest of the family is common (root model).
PRODUCT_LEVEL_ATTRIBUTES = [
    IDENTIFIER_ATTRIBUTE, "name", "size", "ean", "tags", "price", "cost", "weight", "width", "height", "depth",
    "stock_quantity", "rating", "warranty_years", "listable_quantity", "is_new", "waterproof", "release_date",
    "image_1", "image_2",
]
FAMILY_VARIANTS = {
    "clothing": {
        # one level: root model -> variant products by size
        "clothing_by_size": [{"level": 1, "axes": ["size"], "attributes": PRODUCT_LEVEL_ATTRIBUTES}],
        # two levels: root model -> sub-models by colour -> variant products by size
        "clothing_by_color_size": [{"level": 1, "axes": ["color"], "attributes": ["color"]},
                                   {"level": 2, "axes": ["size"], "attributes": PRODUCT_LEVEL_ATTRIBUTES}],
    },
}
# code -> (English label, quantified)
ASSOCIATION_TYPES = {
    "PACK": ("Pack", True),
    "SUBSTITUTION": ("Substitution", False),
    "UPSELL": ("Upsell", False),
    "X_SELL": ("Cross sell", False),
}
BRANDS = {  # record code -> (label, country, founded)
    "acme": ("ACME", "us", 1949), "northwind": ("Northwind", "gb", 1994), "contoso": ("Contoso", "us", 1991),
    "fabrikam": ("Fabrikam", "de", 1985), "globex": ("Globex", "us", 1989), "initech": ("Initech", "us", 1999),
    "umbrella": ("Umbrella", "gb", 1968), "stark": ("Stark", "us", 1940), "wayne": ("Wayne", "us", 1939),
    "tyrell": ("Tyrell", "fr", 1982), "hooli": ("Hooli", "us", 2004), "vandelay": ("Vandelay", "it", 1990),
}
MATERIALS = {  # record code -> (label, origin, recycled share in %)
    "cotton": ("Cotton", "plant", 0), "linen": ("Linen", "plant", 0), "wool": ("Wool", "animal", 10),
    "silk": ("Silk", "animal", 0), "leather": ("Leather", "animal", 5), "polyester": ("Polyester", "synthetic", 40),
    "recycled_pet": ("Recycled PET", "synthetic", 100), "nylon": ("Nylon", "synthetic", 20),
    "bamboo": ("Bamboo", "plant", 0), "hemp": ("Hemp", "plant", 0),
}
_LOCALE_SUFFIX = {"en_US": "", "de_DE": " (DE)", "fr_FR": " (FR)"}
# Enriched category attributes (a category template): code -> (type, per channel, per locale)
CATEGORY_ATTRIBUTES = {"title": ("text", True, True), "description": ("textarea", False, True)}
_CATEGORY_TEMPLATE = uuid.UUID("2b0d2b4c-5e1d-4c4e-9a0b-6a8f3c2d1e0f")


def _text_attribute(code: str, label: str, per_locale: bool, max_characters=None) -> dict:
    return {"code": code, "labels": {"en_US": label, "de_DE": f"{label} (DE)", "fr_FR": f"{label} (FR)"},
            "type": "text", "value_per_locale": per_locale, "value_per_channel": False,
            "is_required_for_completeness": code == "label", "max_characters": max_characters,
            "is_textarea": False, "is_rich_text_editor": False, "validation_rule": "none",
            "validation_regexp": None}


def _number_attribute(code: str, label: str, min_value=None, max_value=None) -> dict:
    return {"code": code, "labels": {"en_US": label, "de_DE": f"{label} (DE)", "fr_FR": f"{label} (FR)"},
            "type": "number", "value_per_locale": False, "value_per_channel": False,
            "is_required_for_completeness": False, "decimals_allowed": False, "min_value": min_value,
            "max_value": max_value}


def _record_value(data, locale=None) -> dict:
    return {"locale": locale, "channel": None, "data": data}


def _labels(label: str) -> list[dict]:
    return [_record_value(label + suffix, locale) for locale, suffix in _LOCALE_SUFFIX.items()]


def build_structure(state: AkeneoState, stamp: str) -> None:
    """Family variants, association types, reference entities and category values."""
    for family, variants in FAMILY_VARIANTS.items():
        attributes = state.families[family]["attributes"]
        state.family_variants[family] = {}
        for code, sets in variants.items():
            placed = {a for attribute_set in sets for a in attribute_set["attributes"]}
            state.family_variants[family][code] = {
                "code": code, "labels": {"en_US": code.replace("_", " ").capitalize()},
                "common_attributes": [a for a in attributes if a not in placed],
                "variant_attribute_sets": [{"level": s["level"], "axes": list(s["axes"]),
                                            "attributes": list(s["attributes"])} for s in sets]}
    for code, (label, quantified) in ASSOCIATION_TYPES.items():
        state.association_types[code] = {"code": code, "labels": {"en_US": label, "fr_FR": f"{label} (FR)"},
                                         "is_quantified": quantified, "is_two_way": False}
    state.reference_entities = {
        "brands": {"code": "brands", "labels": {"en_US": "Brands", "fr_FR": "Marques"}, "image": None},
        "materials": {"code": "materials", "labels": {"en_US": "Materials", "fr_FR": "Matières"}, "image": None},
    }
    state.reference_entity_attributes = {
        "brands": [_text_attribute("label", "Label", True, 255), _text_attribute("country", "Country", False, 2),
                   _number_attribute("founded", "Founded", "1800", "2100")],
        "materials": [_text_attribute("label", "Label", True, 255), _text_attribute("origin", "Origin", False),
                      _number_attribute("recycled_share", "Recycled share", "0", "100")],
    }
    state.reference_entity_records = {
        "brands": {code: {"code": code, "values": {"label": _labels(label), "country": [_record_value(country)],
                                                   "founded": [_record_value(str(founded))]},
                          "created": stamp, "updated": stamp}
                   for code, (label, country, founded) in BRANDS.items()},
        "materials": {code: {"code": code, "values": {"label": _labels(label), "origin": [_record_value(origin)],
                                                      "recycled_share": [_record_value(str(share))]},
                             "created": stamp, "updated": stamp}
                      for code, (label, origin, share) in MATERIALS.items()},
    }
    state.category_values = {code: _category_values(code, category["parent"])
                             for code, category in state.categories.items() if _in_master_tree(state, code)}


def _in_master_tree(state: AkeneoState, code: str) -> bool:
    while state.categories[code]["parent"] is not None:
        code = state.categories[code]["parent"]
    return code == "master"


def _category_values(code: str, parent) -> dict:
    """Values keyed like Akeneo's: `attribute|template uuid[|channel][|locale]`."""
    values = {}
    text = code.replace("_", " ").capitalize()
    for attribute, (kind, per_channel, per_locale) in CATEGORY_ATTRIBUTES.items():
        attribute_code = f"{attribute}|{uuid.uuid5(_CATEGORY_TEMPLATE, attribute)}"
        channels = ["ecommerce", "mobile"] if per_channel else [None]
        for channel in channels:
            for locale, suffix in _LOCALE_SUFFIX.items():
                if attribute == "description" and parent is None:
                    continue  # tree roots have a title only
                data = f"{text}{suffix}" if attribute == "title" else f"<p>All of {text.lower()}{suffix}.</p>"
                key = "|".join(part for part in (attribute_code, channel, locale if per_locale else None) if part)
                values[key] = {"data": data, "type": kind, "channel": channel,
                               "locale": locale if per_locale else None, "attribute_code": attribute_code}
    return values
