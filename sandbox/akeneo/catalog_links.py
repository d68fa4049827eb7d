"""What the `variant_share` layout adds around products: reference entity values, related products
(associations) and bundles (quantified associations). Every link points at a product of a lower
index or at a model of an earlier block, so it exists whatever the catalog size."""
from __future__ import annotations

import random
from typing import Callable, Optional

from sandbox.akeneo.catalog_models import BLOCK, model_of_block
from sandbox.akeneo.structure_data import BRANDS, MATERIALS


def _value(data) -> list[dict]:
    return [{"locale": None, "scope": None, "data": data}]


def reference_values(rng: random.Random, always: bool = True) -> dict:
    """A brand record and one to three material records."""
    values = {}
    if always or rng.random() < 0.6:
        values["manufacturer"] = _value(rng.choice(sorted(BRANDS)))
    if always or rng.random() < 0.4:
        values["materials"] = _value(rng.sample(sorted(MATERIALS), rng.randint(1, 3)))
    return values


def product_links(seed: int, index: int, share: float, uuid_of: Callable[[int], str],
                  bundle: bool) -> tuple[dict, dict]:
    """(associations, quantified_associations) of product `index`, in the sandbox's stored form:
    products by uuid, models by code."""
    rng = random.Random(f"{seed}:links:{index}")
    associations: dict = {}
    earlier = [j for j in range(index - 1, max(-1, index - 12), -1)]
    if earlier and rng.random() < 0.3:
        associations["X_SELL"] = {"products": [uuid_of(j) for j in earlier[:rng.randint(1, 2)]],
                                  "product_models": [], "groups": []}
    model = _earlier_model(index, share)
    if model is not None and rng.random() < 0.25:
        associations["UPSELL"] = {"products": [], "product_models": [model], "groups": []}
    if index >= BLOCK and rng.random() < 0.15:
        associations["SUBSTITUTION"] = {"products": [uuid_of(index - BLOCK)], "product_models": [], "groups": []}
    quantified: dict = {}
    if bundle and len(earlier) >= 2:
        parts = earlier[:rng.randint(2, 3)]
        quantified["PACK"] = {"products": [{"uuid": uuid_of(j), "quantity": rng.randint(1, 4)} for j in parts],
                              "product_models": []}
        if model is not None and rng.random() < 0.5:
            quantified["PACK"]["product_models"] = [{"identifier": model, "quantity": 1}]
    return associations, quantified


def is_bundle(index: int) -> bool:
    return index % 10 == 7


def _earlier_model(index: int, share: float) -> Optional[str]:
    for block in range(index // BLOCK - 1, max(-1, index // BLOCK - 8), -1):
        model = model_of_block(block, share)
        if model is not None:
            return model
    return None
