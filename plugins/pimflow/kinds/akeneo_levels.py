"""Values a variant or sub-model line carries for its models' levels.

A flat row of a variant carries every value it shows, its models' included (pimflow's own export
writes them so, as Akeneo answers a variant with them, and so do most feeds). Akeneo refuses a value
for another level's attribute on a variant or a sub-model ("Cannot set the property ... as it is not
in the attribute set"), so before such a line goes out each value of an attribute its parent's
levels hold is compared with what the parent shows in Akeneo: the same value (or an empty one where
the parent has none) is the parent's own, inherited, and is left out; a different one is sent as
given, for Akeneo to refuse with its reason (a line never changes a model silently).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from akeneo.metadata import CatalogMetadata

AMOUNT_TYPES = frozenset({"pim_catalog_number"})
SET_TYPES = frozenset({"pim_catalog_multiselect", "pim_catalog_reference_data_multi_select",
                       "akeneo_reference_entity_collection", "pim_catalog_asset_collection"})


class Levels:
    """The attribute levels of the catalog's family variants (from the run's staged metadata)."""

    def __init__(self, raw: Mapping) -> None:
        self.metadata = CatalogMetadata(**{key: raw[key] for key in CatalogMetadata.__dataclass_fields__ if key in raw})
        self.types = {a["code"]: a.get("type") for a in raw.get("attributes") or () if "code" in a}
        self._levels: dict[str, tuple[dict[str, int], int]] = {}
        # attributes some family variant holds on a model level: a line with none of them has
        # nothing its parent could hold, and its parent need not be read
        held: set[str] = set()
        for variants in self.metadata.family_variants.values():
            for variant in variants:
                if (found := self.of(variant.get("code"))) is not None:
                    level_of, depth = found
                    held.update(code for code, level in level_of.items() if level < depth)
        self.model_held = frozenset(held)

    def may_inherit(self, record: Mapping) -> bool:
        """Whether a variant or sub-model line carries a value some model level could hold."""
        return bool(record.get("parent")) and not self.model_held.isdisjoint(record.get("values") or ())

    def of(self, family_variant: str | None) -> tuple[dict[str, int], int] | None:
        """(attribute → level, the variant products' level), None for an unknown family variant."""
        if not family_variant:
            return None
        if family_variant not in self._levels:
            try:
                levels = self.metadata.variant_levels(family_variant)
            except KeyError:
                return None
            depth = len((self.metadata.family_variant(family_variant) or {}).get("variant_attribute_sets") or ())
            self._levels[family_variant] = (levels, depth)
        return self._levels[family_variant]


def drop_inherited(record: dict, parent: Mapping | None, levels: Levels, model: bool) -> int:
    """Leave out, in place, the values of `record` (a variant, or a sub-model when `model`) that belong
    to its parent's levels and equal what `parent` (the parent model as Akeneo answers it) shows.
    Returns how many values were left out."""
    if not parent:
        return 0
    found = levels.of(parent.get("family_variant"))
    if found is None:
        return 0
    level_of, depth = found
    own_level = 1 if model else depth
    values, shown = record.get("values") or {}, parent.get("values") or {}
    dropped = 0
    for code in list(values):
        level = level_of.get(code)
        if level is None or level >= own_level:
            continue  # its own level's, or not the family's (Akeneo says so)
        held = {(e.get("locale"), e.get("scope")): e.get("data") for e in shown.get(code) or ()}
        kept = []
        for entry in values[code]:
            if same_value(entry.get("data"), held.get((entry.get("locale"), entry.get("scope"))),
                          levels.types.get(code)):
                dropped += 1
            else:
                kept.append(entry)
        if kept:
            values[code] = kept
        else:
            del values[code]
    return dropped


def same_value(given, held, attribute_type: str | None) -> bool:
    """Whether two data of one attribute are the same value to Akeneo (amounts as numbers, option
    lists in any order, an empty value as no value)."""
    return _normal(given, attribute_type) == _normal(held, attribute_type)


def _normal(data, attribute_type: str | None):
    if data is None or data == "" or data == []:
        return None
    if attribute_type in AMOUNT_TYPES:
        return _amount(data)
    if attribute_type in SET_TYPES and isinstance(data, list):
        return sorted(str(item).lower() for item in data)
    if isinstance(data, dict) and "amount" in data:  # a metric
        return _amount(data.get("amount")), data.get("unit")
    if isinstance(data, list) and all(isinstance(p, dict) and "currency" in p for p in data):  # prices
        return sorted((p.get("currency"), _amount(p.get("amount"))) for p in data)
    if isinstance(data, str) and attribute_type in ("pim_catalog_simpleselect", "akeneo_reference_entity"):
        return data.lower()
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _amount(value):
    try:
        return Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
