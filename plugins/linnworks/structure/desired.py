"""What a profile wants the structure of one parent to be: a variation group
(`DesiredVariationGroup`) or a kit (`DesiredComposition`), and how to write them (`StructureOptions`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class DesiredVariationGroup:
    """A parent item and its variation items, under a group name."""

    parent_sku: str
    name: str
    variation_skus: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_sku(self.parent_sku, "a variation group needs a parent SKU")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"{self.parent_sku}: a variation group needs a name")
        skus = (self.variation_skus,) if isinstance(self.variation_skus, str) else tuple(self.variation_skus)
        unique: dict[str, str] = {}
        for sku in skus:
            _check_sku(sku, f"{self.parent_sku}: variation SKUs must be non-empty strings")
            if sku.casefold() == self.parent_sku.casefold():
                raise ValueError(f"{self.parent_sku}: the parent can not be one of its own variations")
            unique.setdefault(sku.casefold(), sku)
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "variation_skus", tuple(unique.values()))


@dataclass(frozen=True)
class DesiredComposition:
    """A kit: component SKU -> how many of it (a positive whole number)."""

    parent_sku: str
    components: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_sku(self.parent_sku, "a composition needs a parent SKU")
        components: dict[str, int] = {}
        for sku, quantity in self.components.items():
            _check_sku(sku, f"{self.parent_sku}: component SKUs must be non-empty strings")
            if sku.casefold() == self.parent_sku.casefold():
                raise ValueError(f"{self.parent_sku}: a kit can not contain itself")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                raise ValueError(f"{self.parent_sku}: quantity of {sku} must be a whole number above 0, not {quantity!r}")
            if any(known.casefold() == sku.casefold() for known in components):
                raise ValueError(f"{self.parent_sku}: component {sku} is listed twice")
            components[sku] = quantity
        object.__setattr__(self, "components", MappingProxyType(components))


@dataclass(frozen=True)
class StructureOptions:
    create_missing_components: bool = False  # create bare items for missing components instead of refusing
    dry_run: bool = False  # read and diff only; nothing is written
    remove_unlisted: bool = True  # take out variations and components the input does not list
    split_refused_batches: bool = True  # a refused batch of composition rows is resent in halves


def _check_sku(sku, message: str) -> None:
    if not isinstance(sku, str) or not sku.strip():
        raise ValueError(message)
