"""Product model levels: which attributes a family variant puts on which level, and how values
are inherited (a sub-model shows its root's values, a variant product those of every model above).

Levels are numbered like Akeneo's variant attribute sets: 0 is the root model (the family's
common attributes), 1 and 2 the sets; variant products sit at the last level.
"""
from __future__ import annotations

from typing import Optional

from sandbox.akeneo.state import AkeneoState, ProductModelRecord, ProductRecord, dump_values


class VariantLevels:
    """The attribute levels of one family variant."""

    def __init__(self, family: dict, variant: dict) -> None:
        self.code = variant["code"]
        self.family = family["code"]
        self.family_attributes = set(family["attributes"])
        self.depth = len(variant["variant_attribute_sets"])
        self.level_of = {code: 0 for code in family["attributes"]}
        self.axes: dict[int, list[str]] = {}
        for attribute_set in variant["variant_attribute_sets"]:
            for code in attribute_set["attributes"]:
                self.level_of[code] = attribute_set["level"]
            self.axes[attribute_set["level"]] = list(attribute_set["axes"])

    def own(self, values: dict, level: int) -> dict:
        """The values an entity of `level` holds itself."""
        return {code: entries for code, entries in values.items() if self.level_of.get(code) == level}

    def above(self, values: dict, level: int) -> dict:
        """The values an entity of `level` inherits (those of the levels above it)."""
        return {code: entries for code, entries in values.items() if self.level_of.get(code, level) < level}


def levels_of(state: AkeneoState, family_variant: str) -> Optional[VariantLevels]:
    family = state.family_of_variant(family_variant)
    if family is None:
        return None
    return VariantLevels(state.families[family], state.family_variants[family][family_variant])


def model_level(model: ProductModelRecord) -> int:
    return 0 if model.parent is None else 1


def inherited_values(state: AkeneoState, parent_code: Optional[str]) -> dict:
    """The values a child of `parent_code` shows from its model levels."""
    parent = state.product_models.get(parent_code) if parent_code else None
    return parent.values() if parent is not None else {}


def shown_categories(state: AkeneoState, record) -> list[str]:
    """An entity's categories as Akeneo answers them: its own, then those of every model above it.
    A variant or a sub-model is classified wherever its models are, and cannot drop those."""
    parent = state.product_models.get(record.parent) if record.parent else None
    own = list(record.categories)
    if parent is None:
        return own
    inherited = [code for code in shown_categories(state, parent) if code not in own]
    return own + inherited if inherited else own


def axis_key(values: dict, axes: list[str]) -> Optional[tuple]:
    """The axis combination of an entity, None when an axis has no value."""
    key = []
    for code in axes:
        data = next((entry["data"] for entry in values.get(code, ()) if entry["data"] is not None), None)
        if data is None:
            return None
        key.append(str(data).lower())
    return tuple(key)


def shown_axis_value(values: dict, axes: list[str]) -> str:
    """Akeneo quotes an axis combination as `[m]` (select options in brackets, joined by commas)."""
    return ",".join(f"[{entry['data']}]" for code in axes for entry in values.get(code, ())[:1])


def refresh_descendants(state: AkeneoState, model_code: str) -> None:
    """Re-merge the values of every entity below a model after the model's values changed.

    Their own values and `updated` stay: Akeneo finds them through their ancestors' dates."""
    model = state.product_models[model_code]
    levels = levels_of(state, model.family_variant)
    parent_values = model.values()
    sub_models, products = state.children_of(model_code)
    for code in sub_models:
        child = state.product_models[code]
        child.values_json = dump_values({**parent_values, **levels.own(child.values(), 1)})
        refresh_descendants(state, code)
    for key in products:
        product: ProductRecord = state.products[key]
        own = levels.own(product.values(), levels.depth) if levels else product.values()
        product.values_json = dump_values({**parent_values, **own})
    state.touch()
