"""Akeneo's validation of entities with a family variant (variant products and product models):
values only for the attributes of the entity's level, axis values present, unique among siblings
and never changed. Messages are those of Akeneo's validators (property `attribute`)."""
from __future__ import annotations

from typing import Iterable, Optional

from sandbox.akeneo.structure import VariantLevels, axis_key, shown_axis_value


def unexpected_attributes(levels: VariantLevels, level: int, codes: Iterable[str]) -> list[dict]:
    """Violations for values sent for attributes another level (or no level) holds."""
    violations = []
    for code in codes:
        if code not in levels.level_of:
            violations.append({"property": "attribute",
                               "message": f'Attribute "{code}" does not belong to the family "{levels.family}"'})
        elif levels.level_of[code] != level:
            violations.append({"property": "attribute", "message": f'Cannot set the property "{code}" to this '
                                                                   f'entity as it is not in the attribute set'})
    return violations


def axis_violations(levels: VariantLevels, level: int, own: dict, *, kind: str, label: str,
                    siblings: Iterable[tuple[str, dict]], previous: Optional[dict]) -> list[dict]:
    """`kind` is "variant product" or "product model"; `siblings` are (label, own values) of the
    other children of the same parent; `previous` the entity's own values before the PATCH (None
    for a new entity or a new parent)."""
    axes = levels.axes.get(level, [])
    violations = []
    for code in axes:
        if axis_key(own, [code]) is None:
            violations.append({"property": "attribute", "message": f'Attribute "{code}" cannot be empty, as it '
                                                                   f'is defined as an axis for this entity'})
    if violations:
        return violations
    if previous is not None and axis_key(previous, axes) is not None and axis_key(previous, axes) != axis_key(own, axes):
        changed = [code for code in axes if axis_key(previous, [code]) != axis_key(own, [code])]
        return [{"property": "attribute", "message": f'Variant axis "{code}" cannot be modified, '
                                                     f'"{shown_axis_value(own, [code])}" given'} for code in changed]
    key = axis_key(own, axes)
    for sibling_label, sibling_own in siblings:
        if axis_key(sibling_own, axes) == key:
            return [{"property": "attribute",
                     "message": f'Cannot set value "{shown_axis_value(own, axes)}" for the attribute axis '
                                f'"{",".join(axes)}" on {kind} "{label}", as the {kind} "{sibling_label}" '
                                f'already has this value'}]
    return []
