"""In-memory catalog: reference data, products, product models and media files.

Values are stored as served: a variant product's or sub-model's `values_json` holds its own values
plus those of its model levels (Akeneo answers them merged); `structure.py` splits and re-merges them.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Optional

import msgspec

IDENTIFIER_ATTRIBUTE = "sku"
# msgspec (a dependency of Airflow) decodes and encodes several times faster than json: benches
# page through 50,000 products with the client in the same process.
_decode = msgspec.json.Decoder().decode


def dump_values(values: dict) -> str:
    return msgspec.json.encode(values).decode()


def format_timestamp(moment: datetime) -> str:
    """Akeneo's date format in API answers: `2026-01-31T10:00:00+00:00`."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(slots=True)
class ProductRecord:
    """One product. Values are kept as a JSON string (memory: 50k products x ~40 values)."""

    uuid: str
    identifier: Optional[str]
    enabled: bool
    family: Optional[str]
    categories: list[str]
    groups: list[str]
    parent: Optional[str]
    values_json: str
    created: datetime
    updated: datetime
    associations: dict = field(default_factory=dict)
    quantified_associations: dict = field(default_factory=dict)

    def values(self) -> dict:
        """Standard-format values, without the identifier attribute."""
        return _decode(self.values_json)


@dataclass(slots=True)
class ProductModelRecord:
    """One product model; `values_json` includes the root model's values for a sub-model."""

    code: str
    family: str
    family_variant: str
    parent: Optional[str]
    categories: list[str]
    values_json: str
    created: datetime
    updated: datetime
    associations: dict = field(default_factory=dict)
    quantified_associations: dict = field(default_factory=dict)

    def values(self) -> dict:
        return _decode(self.values_json)


@dataclass(slots=True)
class MediaFile:
    code: str
    original_filename: str
    mime_type: str
    content: bytes

    @property
    def extension(self) -> str:
        return self.original_filename.rsplit(".", 1)[-1]


@dataclass
class AkeneoState:
    """Everything the sandbox serves. Reference data is fixed once generated; products change."""

    locales: dict[str, dict] = field(default_factory=dict)
    currencies: dict[str, dict] = field(default_factory=dict)
    channels: dict[str, dict] = field(default_factory=dict)
    categories: dict[str, dict] = field(default_factory=dict)
    attribute_groups: dict[str, dict] = field(default_factory=dict)
    attributes: dict[str, dict] = field(default_factory=dict)
    attribute_options: dict[str, dict[str, dict]] = field(default_factory=dict)
    families: dict[str, dict] = field(default_factory=dict)
    family_variants: dict[str, dict[str, dict]] = field(default_factory=dict)
    measurement_families: dict[str, dict] = field(default_factory=dict)
    media_files: dict[str, MediaFile] = field(default_factory=dict)
    products: dict[str, ProductRecord] = field(default_factory=dict)  # by uuid
    identifiers: dict[str, str] = field(default_factory=dict)  # identifier -> uuid
    product_models: dict[str, ProductModelRecord] = field(default_factory=dict)
    association_types: dict[str, dict] = field(default_factory=dict)
    reference_entities: dict[str, dict] = field(default_factory=dict)
    reference_entity_attributes: dict[str, list[dict]] = field(default_factory=dict)
    reference_entity_records: dict[str, dict[str, dict]] = field(default_factory=dict)
    category_values: dict[str, dict] = field(default_factory=dict)  # enriched category values by code
    version: int = 0  # bumped on every write; keys the search cache
    _children: Optional[dict[str, list[str]]] = field(default=None, repr=False)
    _descendants: Optional[tuple[dict, dict]] = field(default=None, repr=False)
    answer_cache: dict = field(default_factory=dict, repr=False)  # pre-encoded constant answer parts
    _search_cache: "OrderedDict[tuple, list]" = field(default_factory=OrderedDict, repr=False)

    # ----- reference data helpers
    def activated_locales(self) -> set[str]:
        """Akeneo activates a locale when a channel uses it."""
        return {code for channel in self.channels.values() for code in channel["locales"]}

    def activated_currencies(self) -> set[str]:
        return {code for channel in self.channels.values() for code in channel["currencies"]}

    def category_children(self) -> dict[str, list[str]]:
        if self._children is None:
            children: dict[str, list[str]] = {code: [] for code in self.categories}
            for code, category in self.categories.items():
                if category["parent"] is not None:
                    children[category["parent"]].append(code)
            self._children = children
        return self._children

    def category_with_descendants(self, code: str) -> set[str]:
        """`IN CHILDREN` in Akeneo includes the category itself and its whole subtree."""
        children = self.category_children()
        found, stack = set(), [code]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(children.get(current, ()))
        return found

    # ----- products
    def product_by_identifier(self, identifier: str) -> Optional[ProductRecord]:
        product_uuid = self.identifiers.get(identifier)
        return self.products.get(product_uuid) if product_uuid else None

    def put_product(self, record: ProductRecord, previous_identifier: Optional[str] = None) -> None:
        if previous_identifier is not None and self.identifiers.get(previous_identifier) == record.uuid:
            del self.identifiers[previous_identifier]
        self.products[record.uuid] = record
        if record.identifier is not None:
            self.identifiers[record.identifier] = record.uuid
        self._descendants = None  # rebuilt on demand by children_of()
        self.touch()

    def put_model(self, record: ProductModelRecord) -> None:
        self.product_models[record.code] = record
        self._descendants = None
        self.touch()

    def touch(self) -> None:
        """Invalidate cached search results after a write."""
        self.version += 1
        self._search_cache.clear()

    # ----- product model tree
    def family_variant(self, code: Optional[str]) -> Optional[dict]:
        for variants in self.family_variants.values():
            if code in variants:
                return variants[code]
        return None

    def family_of_variant(self, code: str) -> Optional[str]:
        return next((family for family, variants in self.family_variants.items() if code in variants), None)

    def children_of(self, model_code: str) -> tuple[list[str], list[str]]:
        """(sub-model codes, variant product uuids) directly under a model."""
        if self._descendants is None:
            models: dict[str, list[str]] = {}
            products: dict[str, list[str]] = {}
            for code, model in self.product_models.items():
                if model.parent is not None:
                    models.setdefault(model.parent, []).append(code)
            for key, product in self.products.items():
                if product.parent is not None:
                    products.setdefault(product.parent, []).append(key)
            self._descendants = (models, products)
        models, products = self._descendants
        return list(models.get(model_code, ())), list(products.get(model_code, ()))

    def forget_tree(self) -> None:
        """A product or model changed parent (or appeared): rebuild the children index on demand."""
        self._descendants = None

    def cached_keys(self, key: tuple, compute: Callable[[], list]) -> list:
        """Sorted keys matching a search, computed once per catalog version (bisected per page)."""
        full_key = (self.version,) + key
        hit = self._search_cache.get(full_key)
        if hit is None:
            hit = compute()
            self._search_cache[full_key] = hit
            while len(self._search_cache) > 64:
                self._search_cache.popitem(last=False)
        else:
            self._search_cache.move_to_end(full_key)
        return hit
