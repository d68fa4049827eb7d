"""Which products of the demo catalog are variants, and their product models.

Two layouts, both deterministic per product index (product N never depends on the catalog size):
- the default one, where runs of three clothing products share a one-level model and differ by
  size (about an eighth of the catalog);
- `variant_share`, where the catalog is cut into blocks of six products and a `variant_share` of
  the blocks, evenly spread, are clothing variants: three under a one-level model (by size), three
  under a two-level model (two colour sub-models, then sizes).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Optional

from sandbox.akeneo.state import AkeneoState, ProductModelRecord, dump_values

BLOCK = 6
SIZES = ("s", "m", "l")
# position in a block of the share layout -> (two-level?, colour index, size)
_SHARE_POSITIONS = [(False, None, "s"), (False, None, "m"), (False, None, "l"),
                    (True, 0, "s"), (True, 0, "m"), (True, 1, "s")]


@dataclass(frozen=True)
class Slot:
    """Where one product sits: its family, and for a variant its parent model and size."""

    family: Optional[str]
    parent: Optional[str] = None
    size: Optional[str] = None


def is_variant_block(block: int, share: float) -> bool:
    """Evenly spread: every prefix of blocks holds `share` of variant blocks, within one."""
    return math.floor((block + 1) * share) > math.floor(block * share)


class ModelFactory:
    """Builds product models on first use. `shared_values(rng, base, family)` draws a model's values
    (all common ones, plus `name` which the variants hold) and `extras(rng)` any share-layout additions."""

    def __init__(self, seed: int, draw: Callable, extras: Optional[Callable[[random.Random], dict]] = None) -> None:
        self.seed = seed
        self.draw = draw  # (rng, family) -> (shared values, created, updated, categories)
        self.extras = extras
        self.models: dict[str, ProductModelRecord] = {}
        self.shared: dict[str, dict] = {}  # model code -> values its variants show
        self.sub_models: dict[str, list[str]] = {}  # root code -> its sub-model codes

    def one_level(self, code: str, rng_key: str) -> str:
        if code not in self.models:
            rng = random.Random(f"{self.seed}:{rng_key}")
            shared, created, updated, categories = self.draw(rng, "clothing")
            if self.extras is not None:
                shared.update(self.extras(random.Random(f"{self.seed}:extras:{code}")))
            model_values = {k: v for k, v in shared.items() if k != "name"}
            self.models[code] = ProductModelRecord(
                code=code, family="clothing", family_variant="clothing_by_size", parent=None,
                categories=categories, values_json=dump_values(model_values), created=created, updated=updated)
            self.shared[code] = shared
        return code

    def two_level(self, root: str, colour_index: int) -> str:
        if root not in self.models:
            rng = random.Random(f"{self.seed}:model2:{root}")
            shared, created, updated, categories = self.draw(rng, "clothing")
            colours = rng.sample(sorted({"black", "white", "red", "blue", "green", "grey"}), 2)
            if self.extras is not None:
                shared.update(self.extras(random.Random(f"{self.seed}:extras:{root}")))
            root_values = {k: v for k, v in shared.items() if k not in ("name", "color")}
            self.models[root] = ProductModelRecord(
                code=root, family="clothing", family_variant="clothing_by_color_size", parent=None,
                categories=categories, values_json=dump_values(root_values), created=created, updated=updated)
            self.shared[root] = shared
            for colour in colours:
                sub_rng = random.Random(f"{self.seed}:submodel:{root}:{colour}")
                sub_updated = max(created, updated - _seconds(sub_rng))
                code = f"{root}_{colour}"
                colour_value = {"color": [{"locale": None, "scope": None, "data": colour}]}
                self.models[code] = ProductModelRecord(
                    code=code, family="clothing", family_variant="clothing_by_color_size", parent=root,
                    categories=list(categories), values_json=dump_values({**root_values, **colour_value}),
                    created=created, updated=sub_updated)
                self.shared[code] = {**shared, **colour_value}
                self.sub_models.setdefault(root, []).append(code)
        return self.sub_models[root][colour_index]

    def store(self, state: AkeneoState) -> None:
        state.product_models = {code: self.models[code] for code in sorted(self.models)}


def _seconds(rng: random.Random) -> timedelta:
    return timedelta(seconds=rng.randint(0, 5 * 86400))


def legacy_slot(index: int, families: tuple, factory: ModelFactory) -> Slot:
    """The default layout (kept as it always was: existing tests and profiles rely on it)."""
    family = None if index % 97 == 13 else families[index % len(families)]
    ordinal = index // len(families)
    if family == "clothing" and ordinal % 6 < 3:
        block = ordinal // 6
        parent = factory.one_level(f"model_{block + 1:05d}", f"model:{block}")
        return Slot(family, parent, SIZES[ordinal % 6])
    return Slot(family)


def share_slot(index: int, families: tuple, factory: ModelFactory, share: float) -> Slot:
    block, position = divmod(index, BLOCK)
    if not is_variant_block(block, share):
        return Slot(None if index % 97 == 13 else families[index % len(families)])
    two_levels, colour, size = _SHARE_POSITIONS[position]
    if two_levels:
        return Slot("clothing", factory.two_level(f"model2_{block + 1:05d}", colour), size)
    return Slot("clothing", factory.one_level(f"model_{block + 1:05d}", f"model:{block}"), size)


def model_of_block(block: int, share: Optional[float]) -> Optional[str]:
    """A one-level root model that exists in the share layout for `block`, if any."""
    if share is None or block < 0 or not is_variant_block(block, share):
        return None
    return f"model_{block + 1:05d}"
