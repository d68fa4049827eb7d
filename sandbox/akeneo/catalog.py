"""Deterministic demo catalog: the same (products, seed) always gives the same catalog.

Every product draws from its own random stream (seed, index), so product N is the same whatever
the catalog size. Timestamps spread over the 30 days before REFERENCE_DATE.
"""
from __future__ import annotations

import hashlib
import random
import struct
import uuid
import zlib
from datetime import datetime, timedelta, timezone

from typing import Optional

from sandbox.akeneo.catalog_links import is_bundle, product_links, reference_values
from sandbox.akeneo.catalog_models import ModelFactory, legacy_slot, share_slot
from sandbox.akeneo.reference_data import (CATEGORY_TREES, FAMILY_CATEGORY, FAMILY_EXTRA, OPTIONS,
                                           build_reference_data)
from sandbox.akeneo.state import AkeneoState, MediaFile, ProductRecord, dump_values

REFERENCE_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
UPDATED_WINDOW_DAYS = 30
IMAGE_POOL_SIZE = 64
FAMILIES = tuple(FAMILY_EXTRA)
NAMESPACE = uuid.UUID("6f1d3b1e-8d0c-4d7e-9a51-5a2f7c3e9b10")
_NOUNS = {
    "clothing": ("T-Shirt", "Jacket", "Sneaker", "Hoodie"),
    "electronics": ("Headphones", "Camera", "Laptop", "Speaker"),
    "home_garden": ("Kettle", "Chair", "Lamp", "Planter"),
    "sports": ("Tent", "Dumbbell", "Bicycle", "Backpack"),
    None: ("Gadget", "Item"),
}
_ADJECTIVES = ("Classic", "Urban", "Compact", "Premium", "Eco", "Smart", "Rugged", "Light")
_LOCALE_WORD = {"en_US": "", "de_DE": " (DE)", "fr_FR": " (FR)"}
_CHANNEL_LOCALES = {"ecommerce": ("en_US", "de_DE", "fr_FR"), "mobile": ("en_US", "de_DE")}
_GRANDCHILDREN = {child: grandchildren for tree in CATEGORY_TREES.values()
                  for child, grandchildren in tree.items()}


def product_uuid(seed: int, identifier: str) -> str:
    """uuid5-derived and stamped version 4: Akeneo only accepts version-4 product UUIDs."""
    derived = uuid.uuid5(NAMESPACE, f"{seed}:{identifier}")
    return str(uuid.UUID(bytes=derived.bytes, version=4))


def _ean(number: int) -> str:
    digits = f"400{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _png(red: int, green: int, blue: int) -> bytes:
    """A valid 4x4 single-colour PNG (a few dozen bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes((red, green, blue)) * 4
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * 4)) + chunk(b"IEND", b""))


def _media_pool(seed: int) -> list[MediaFile]:
    rng = random.Random(f"{seed}:media")
    pool = []
    for index in range(IMAGE_POOL_SIZE):
        content = _png(rng.randrange(256), rng.randrange(256), rng.randrange(256))
        filename = f"product_image_{index:03d}.png"
        digest = hashlib.sha1(content + filename.encode()).hexdigest()
        code = "/".join(digest[:4]) + f"/{digest}_{filename}"
        pool.append(MediaFile(code=code, original_filename=filename, mime_type="image/png", content=content))
    return pool


def _value(data, locale=None, scope=None) -> dict:
    return {"locale": locale, "scope": scope, "data": data}


def _amount(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def _localized_texts(rng: random.Random, base: str, family) -> dict[str, list[dict]]:
    values = {
        "name": [_value(base + _LOCALE_WORD[locale], locale) for locale in _LOCALE_WORD],
        "care_instructions": [_value(f"Care for the {base.lower()}{_LOCALE_WORD[locale]}.", locale)
                              for locale in _LOCALE_WORD],
        "description": [], "meta_title": [], "seo_keywords": [],
    }
    for channel, locales in _CHANNEL_LOCALES.items():
        for locale in locales:
            suffix = _LOCALE_WORD[locale]
            values["description"].append(_value(
                f"<p>{base}{suffix}: {rng.choice(_ADJECTIVES).lower()} design for {channel}.</p>", locale, channel))
            values["meta_title"].append(_value(f"{base}{suffix} | Shop", locale, channel))
            values["seo_keywords"].append(_value(f"{(family or 'misc')}, {base.lower()}{suffix}", locale, channel))
    if rng.random() < 0.5:
        values["de_tax_note"] = [_value("Ermäßigter Steuersatz", "de_DE")]
    return values


def _shared_values(rng: random.Random, base: str, family) -> dict[str, list[dict]]:
    """Values a product model holds for its variants (and every simple product has too)."""
    values = _localized_texts(rng, base, family)
    values["brand"] = [_value(rng.choice(OPTIONS["brand"]))]
    values["color"] = [_value(rng.choice(OPTIONS["color"]))]
    values["material"] = [_value(sorted(rng.sample(OPTIONS["material"], rng.randint(1, 3))))]
    values["country_of_origin"] = [_value(rng.choice(OPTIONS["country_of_origin"]))]
    return values


def _own_values(rng: random.Random, index: int, family, images: list[MediaFile]) -> dict[str, list[dict]]:
    base_price = rng.uniform(5, 500)
    values = {
        "tags": [_value(sorted(rng.sample(OPTIONS["tags"], rng.randint(0, 2))))],
        "price": [_value([{"amount": _amount(base_price, 2), "currency": "EUR"},
                          {"amount": _amount(base_price * 0.86, 2), "currency": "GBP"},
                          {"amount": _amount(base_price * 1.08, 2), "currency": "USD"}])],
        "cost": [_value([{"amount": _amount(base_price * 0.55, 2), "currency": "EUR"}])],
        "weight": [_value({"amount": _amount(rng.uniform(0.1, 25), 4), "unit": rng.choice(("KILOGRAM", "GRAM"))})],
        "width": [_value({"amount": _amount(rng.uniform(2, 120), 4), "unit": "CENTIMETER"})],
        "height": [_value({"amount": _amount(rng.uniform(2, 120), 4), "unit": "CENTIMETER"})],
        "depth": [_value({"amount": rng.randint(10, 900), "unit": "MILLIMETER"})],
        "ean": [_value(_ean(index))],
        "stock_quantity": [_value(rng.randint(0, 500))],
        "rating": [_value(_amount(rng.uniform(1, 5), 4))],
        "warranty_years": [_value(rng.randint(1, 5))],
        "is_new": [_value(rng.random() < 0.2)],
        "waterproof": [_value(rng.random() < 0.3)],
        "release_date": [_value((REFERENCE_DATE - timedelta(days=rng.randint(30, 900)))
                                .strftime("%Y-%m-%dT00:00:00+00:00"))],
    }
    if rng.random() < 0.95:
        values["image_1"] = [_value(rng.choice(images).code)]
    if rng.random() < 0.5:
        values["image_2"] = [_value(rng.choice(images).code)]
    if family == "electronics":
        values["power"] = [_value({"amount": rng.randint(5, 2000), "unit": "WATT"})]
    if family in ("electronics", "sports"):
        values["max_temperature"] = [_value({"amount": _amount(rng.uniform(-20, 60), 4), "unit": "CELSIUS"})]
    if family == "home_garden":
        values["volume"] = [_value({"amount": _amount(rng.uniform(0.2, 40), 4), "unit": "LITER"})]
        values["area"] = [_value({"amount": _amount(rng.uniform(0.1, 4), 4), "unit": "SQUARE_METER"})]
    return values


def _categories(rng: random.Random, family) -> list[str]:
    child = FAMILY_CATEGORY.get(family) or rng.choice(list(CATEGORY_TREES["master"]))
    categories = [rng.choice(_GRANDCHILDREN[child])]
    if rng.random() < 0.2:
        other = rng.choice(list(CATEGORY_TREES["master"]))
        categories.append(rng.choice(_GRANDCHILDREN[other]))
    if rng.random() < 0.4:
        sale = rng.choice(list(CATEGORY_TREES["sales"]))
        categories.append(rng.choice(_GRANDCHILDREN[sale] or [sale]))
    return sorted(set(categories))


def _timestamps(rng: random.Random) -> tuple[datetime, datetime]:
    updated = REFERENCE_DATE - timedelta(seconds=rng.randint(1, UPDATED_WINDOW_DAYS * 86400))
    created = updated - timedelta(seconds=rng.randint(0, 365 * 86400))
    return created, updated


def _model_draw(rng: random.Random, family) -> tuple[dict, datetime, datetime, list[str]]:
    """A model's values (with the `name` its variants hold), in the draw order models always had."""
    base = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS[family])}"
    shared = _shared_values(rng, base, family)
    created, updated = _timestamps(rng)
    return shared, created, updated, _categories(rng, family)


def generate_catalog(products: int, seed: int = 42, *, variant_share: Optional[float] = None) -> AkeneoState:
    """A catalog of `products` products and the product models of its variants.

    `variant_share` (0 to 1) switches to the block layout of `catalog_models` with one- and
    two-level models, reference entity values, related products and bundles."""
    if variant_share is not None and not 0 <= variant_share <= 1:
        raise ValueError("variant_share must be between 0 and 1")
    state = AkeneoState()
    build_reference_data(state, REFERENCE_DATE - timedelta(days=400))
    images = _media_pool(seed)
    state.media_files = {media.code: media for media in images}
    extras = (lambda rng: reference_values(rng)) if variant_share is not None else None
    factory = ModelFactory(seed, _model_draw, extras)
    uuid_of = lambda j: product_uuid(seed, f"PF-{j + 1:06d}")  # noqa: E731
    for index in range(products):
        rng = random.Random(f"{seed}:product:{index}")
        identifier = f"PF-{index + 1:06d}"
        slot = legacy_slot(index, FAMILIES, factory) if variant_share is None \
            else share_slot(index, FAMILIES, factory, variant_share)
        family = slot.family
        if slot.parent is not None:
            values = dict(factory.shared[slot.parent])
            values["size"] = [_value(slot.size)]
            categories = list(factory.models[slot.parent].categories)
        else:
            base = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS[family])} {index + 1}"
            values = _shared_values(rng, base, family)
            if family == "clothing":
                values["size"] = [_value(rng.choice(OPTIONS["size"]))]
            categories = [] if index % 89 == 5 else _categories(rng, family)
        values.update(_own_values(rng, index, family, images))
        created, updated = _timestamps(rng)
        record = ProductRecord(uuid=uuid_of(index), identifier=identifier,
                               enabled=index % 53 != 7, family=family, categories=categories, groups=[],
                               parent=slot.parent, values_json="", created=created, updated=updated)
        if variant_share is not None:
            if slot.parent is None and family is not None:
                values.update(reference_values(random.Random(f"{seed}:extras:{identifier}"), always=False))
            record.associations, record.quantified_associations = product_links(
                seed, index, variant_share, uuid_of, bundle=slot.parent is None and is_bundle(index))
        record.values_json = dump_values(values)
        state.products[record.uuid] = record
        state.identifiers[identifier] = record.uuid
    factory.store(state)
    return state
