"""The sandbox's own control API under /_sandbox/ (no auth; not part of Akeneo's API)."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.catalog import generate_catalog
from sandbox.akeneo.errors import ApiError, not_found, settings_error
from sandbox.akeneo.serialize import product_body, product_model_body
from sandbox.akeneo.settings import SWITCHES, SandboxSettings
from sandbox.akeneo.web import json_object, json_response, runtime

router = APIRouter(prefix="/_sandbox")


@router.get("/stats")
async def get_stats(request: Request) -> Response:
    return json_response(runtime(request).faults.stats.as_dict())


@router.post("/stats/reset")
async def reset_stats(request: Request) -> Response:
    runtime(request).faults.stats.reset()
    return json_response(runtime(request).faults.stats.as_dict())


@router.get("/settings")
async def get_settings(request: Request) -> Response:
    return json_response(runtime(request).settings.switches())


@router.patch("/settings")
async def patch_settings(request: Request) -> Response:
    changes = await json_object(request)
    unknown = sorted(set(changes) - set(SWITCHES))
    if unknown:
        raise ApiError(422, f"Unknown settings: {', '.join(unknown)}.")
    current = runtime(request).settings
    try:
        updated = SandboxSettings.model_validate({**current.model_dump(), **changes})
    except ValidationError as error:
        raise settings_error(error)
    for name in changes:
        setattr(current, name, getattr(updated, name))  # same object: the fault injector sees the change
    if "fault_seed" in changes:
        runtime(request).faults.reseed()
    return json_response(current.switches())


@router.post("/catalog")
async def replace_catalog(request: Request) -> Response:
    body = await json_object(request)
    products, seed, share = body.get("products", 100), body.get("seed", 42), body.get("variant_share")
    if not isinstance(products, int) or isinstance(products, bool) or products < 0 \
            or not isinstance(seed, int) or isinstance(seed, bool):
        raise ApiError(422, '"products" must be a non-negative integer and "seed" an integer.')
    if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1):
        raise ApiError(422, '"variant_share" must be a number from 0 to 1 (or null for the default layout).')
    keep_categories = body.get("categories", True)
    if not isinstance(keep_categories, bool) or (not keep_categories and products):
        raise ApiError(422, '"categories": false (an instance without categories) needs "products": 0.')
    state = await asyncio.to_thread(generate_catalog, products, seed, variant_share=share)
    if not keep_categories:  # an empty instance, e.g. the target of a category initialisation
        state.categories, state.category_values = {}, {}
        state._children = state._descendants = None
    runtime(request).state = state
    return json_response({"products": len(state.products), "product_models": len(state.product_models),
                          "variants": sum(1 for p in state.products.values() if p.parent is not None),
                          "seed": seed, "variant_share": share, "categories": len(state.categories)})


@router.get("/products/{identifier}")
async def stored_product(request: Request, identifier: str) -> Response:
    record = runtime(request).state.product_by_identifier(identifier)
    if record is None:
        raise not_found(f'Product "{identifier}" does not exist.')
    return json_response(product_body(runtime(request).state, record, by_uuid=False))


@router.get("/product-models/{code}")
async def stored_product_model(request: Request, code: str) -> Response:
    state = runtime(request).state
    model = state.product_models.get(code)
    if model is None:
        raise not_found(f'Product model "{code}" does not exist.')
    return json_response(product_model_body(state, model))
