"""Unit conversion from Akeneo's measurement families, in decimals (never floats).

Akeneo gives each unit the operations that turn a value in that unit into the family's standard
unit (`convert_from_standard`, despite its name): MILLIMETER is `mul 0.001` to METER. Converting
to another unit applies the target's operations backwards, each inverted.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation, getcontext
from typing import Any, Iterable, Mapping

from .units import FamilyUnits

_FORWARD = {"mul": Decimal.__mul__, "div": Decimal.__truediv__, "add": Decimal.__add__, "sub": Decimal.__sub__}
_INVERSE = {"mul": "div", "div": "mul", "add": "sub", "sub": "add"}


class ConversionError(ValueError):
    """A unit that is unknown, or from another family than the one asked for."""


class UnitConverter:
    def __init__(self, operations: Mapping[str, tuple[str, tuple[tuple[str, Decimal], ...]]]):
        # unit code → (family, operations to the standard unit)
        self._units = dict(operations)
        self._families: dict[str, set[str]] = {}
        for unit, (family, _) in self._units.items():
            self._families.setdefault(family, set()).add(unit)
        self._family_units = {name: FamilyUnits(name, units) for name, units in self._families.items()}
        self._resolved: dict[tuple[str, str | None], str] = {}  # a chunk names the same few units again and again

    @classmethod
    def from_akeneo(cls, measurement_families: Iterable[Mapping[str, Any]]) -> "UnitConverter":
        """From `/api/rest/v1/measurement-families` answers."""
        operations = {}
        for family in measurement_families:
            units = family.get("units") or {}
            for code, unit in (units.items() if isinstance(units, Mapping) else ((u["code"], u) for u in units)):
                steps = tuple((op["operator"], Decimal(str(op["value"]))) for op in unit.get("convert_from_standard") or ())
                operations[code] = (family["code"], steps)
        return cls(operations)

    def resolve(self, token: str, family: str | None = None) -> str:
        """The Akeneo unit code for an Akeneo or UN/CEFACT code (e.g. KGM → KILOGRAM)."""
        known = self._resolved.get((token, family))
        if known is not None:
            return known
        candidates = [family] if family else sorted(self._families)
        for name in candidates:
            units = self._family_units.get(name) or FamilyUnits(name, ())
            unit = units.resolve(token)
            if unit in self._units and self._units[unit][0] == name:
                self._resolved[(token, family)] = unit
                return unit
        where = f" in family {family}" if family else ""
        raise ConversionError(f"unknown unit {token!r}{where}")

    def family_of(self, unit: str) -> str:
        return self._units[self.resolve(unit)][0]

    def convert(self, amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
        source, target = self.resolve(from_unit), self.resolve(to_unit)
        if self._units[source][0] != self._units[target][0]:
            raise ConversionError(f"cannot convert {from_unit} ({self._units[source][0]}) "
                                  f"to {to_unit} ({self._units[target][0]})")
        if source == target:
            return amount
        with _precise():
            value = amount
            for operator, operand in self._units[source][1]:
                value = _FORWARD[operator](value, operand)
            for operator, operand in reversed(self._units[target][1]):
                value = _FORWARD[_INVERSE[operator]](value, operand)
        return value


class _precise:
    def __enter__(self):
        self._saved = getcontext().prec
        getcontext().prec = 34

    def __exit__(self, *exc):
        getcontext().prec = self._saved


def parse_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None
