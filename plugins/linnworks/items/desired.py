"""What a profile wants one Linnworks item to look like (`DesiredItem`), and how to write it.

`None` means "not managed by this profile": the writer neither reads nor touches it. In the
channel and extended-property mappings, a key that is absent is not managed, and a key whose value
is None is managed and must not exist (its row is deleted).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

ChannelKey = tuple[str, str]  # (Source, SubSource) as GetChannels names them, e.g. ("AMAZON", "Amazon UK")

NUMERIC_FIELDS = ("retail_price", "purchase_price", "weight", "width", "height", "depth")
TEXT_FIELDS = ("title", "barcode", "metadata")


@dataclass(frozen=True)
class ImageRef:
    """One image: `key` is its stable identity (e.g. the Akeneo media code), so an unchanged image
    is recognised without downloading it; `url` for Linnworks to fetch, `fetch` for uploading bytes
    (with a `url` too, `fetch` serves only to find the image on the item by checksum when the image
    ledger does not name it: `image_ledger`)."""

    key: str
    url: str | None = None
    fetch: Callable[[], bytes | None] | None = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("an image needs a key")
        if not self.url and self.fetch is None:
            raise ValueError(f"image {self.key!r} has neither a url nor a fetch function")


@dataclass(frozen=True)
class DesiredItem:
    """The desired Linnworks state of one SKU, values already in the profile's Linnworks units."""

    sku: str
    title: str | None = None
    barcode: str | None = None
    retail_price: float | None = None
    purchase_price: float | None = None
    weight: float | None = None
    width: float | None = None
    height: float | None = None
    depth: float | None = None
    metadata: str | None = None
    channel_prices: Mapping[ChannelKey, float | None] = field(default_factory=dict)
    channel_titles: Mapping[ChannelKey, str | None] = field(default_factory=dict)
    channel_descriptions: Mapping[ChannelKey, str | None] = field(default_factory=dict)
    extended_properties: Mapping[str, str | None] = field(default_factory=dict)
    images: tuple[ImageRef, ...] | None = None  # the first is the main image
    # The item's Linnworks category, by name (a path such as "Master/Clothing/T-shirts" is one name);
    # created when missing. None: not managed.
    category: str | None = None
    # SKUs that must exist before this item is written, by label ({"related products": ("A", "B")}):
    # the item is refused, and nothing written for it, when one is neither in Linnworks nor in the write.
    required_skus: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.sku, str) or not self.sku.strip():
            raise ValueError("a desired item needs a SKU")
        for name in NUMERIC_FIELDS:
            object.__setattr__(self, name, _number(getattr(self, name), f"{self.sku}: {name}"))
        for name in TEXT_FIELDS:
            value = getattr(self, name)
            object.__setattr__(self, name, None if value is None else str(value))
        prices = {_channel(key, self.sku): _number(value, f"{self.sku}: price {key}")
                  for key, value in self.channel_prices.items()}
        if ("", "") in prices:
            # The default price is the item's RetailPrice (an implicit row Linnworks does not list).
            raise ValueError(f"{self.sku}: a channel price needs a Source; use retail_price for the default")
        object.__setattr__(self, "channel_prices", MappingProxyType(prices))
        for name in ("channel_titles", "channel_descriptions"):
            rows = {_channel(key, self.sku): _text(value) for key, value in getattr(self, name).items()}
            object.__setattr__(self, name, MappingProxyType(rows))
        properties = {}
        for name, value in self.extended_properties.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"{self.sku}: extended property names must be non-empty strings")
            properties[name] = _text(value)
        object.__setattr__(self, "extended_properties", MappingProxyType(properties))
        if self.images is not None:
            object.__setattr__(self, "images", tuple(self.images))
        if self.category is not None:
            if not isinstance(self.category, str) or not self.category.strip():
                raise ValueError(f"{self.sku}: a category needs a name (None leaves it alone)")
            object.__setattr__(self, "category", self.category.strip())
        required = {}
        for label, skus in self.required_skus.items():
            skus = (skus,) if isinstance(skus, str) else tuple(skus)
            if not isinstance(label, str) or not all(isinstance(sku, str) and sku for sku in skus):
                raise ValueError(f"{self.sku}: required_skus maps a label to non-empty SKU strings")
            required[label] = tuple(dict.fromkeys(skus))
        object.__setattr__(self, "required_skus", MappingProxyType(required))


class ImageMode(StrEnum):
    URL = "url"  # AddImageToInventoryItem: Linnworks fetches the URL (images without one are uploaded)
    UPLOAD = "upload"  # Uploader/UploadFile with the bytes of `ImageRef.fetch`, then attach


@dataclass(frozen=True)
class WriteOptions:
    """How `LinnworksWriter.write` behaves."""

    create_products: bool = True  # False: SKUs missing in Linnworks are reported `skipped`
    dry_run: bool = False  # read and diff only; nothing is written
    image_mode: ImageMode = ImageMode.URL
    property_type: str = "Attribute"  # PropertyType of extended properties the writer creates
    # An existing item with this many changed fields is written whole (read, merge, UpdateInventoryItem:
    # 2 calls) instead of one UpdateInventoryItemField call per field. MetaData always needs the former.
    replace_from_fields: int = 3
    # Delete images the writer attached earlier that are no longer desired (DeleteInventoryItemImageBulk);
    # images it did not attach are never deleted (`image_ledger`). Off: they stay, still in the ledger.
    delete_dropped_images: bool = True
    # A batch refused with a 400 is resent in halves (by SKU) so only the SKUs at fault are refused.
    split_refused_batches: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "image_mode", ImageMode(self.image_mode))
        if self.replace_from_fields < 1:
            raise ValueError("replace_from_fields must be at least 1")


def _channel(key: Any, sku: str) -> ChannelKey:
    if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(part, str) for part in key)):
        raise ValueError(f"{sku}: channel keys are (Source, SubSource) string pairs, not {key!r}")
    return key


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ValueError(f"{what}: {value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return number
