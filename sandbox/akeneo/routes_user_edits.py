"""Edits a person would make in the PIM's UI, as control endpoints (no auth, not Akeneo's API): they
change the catalog like the REST API does and publish their events with a `user` author (`admin`),
so a demo or a test can play someone editing a product while pimflow's own writes come as `api`.

| Call | Effect |
| --- | --- |
| `PATCH /_sandbox/products/{identifier}` | a product PATCH (Akeneo's format); creates it when missing |
| `DELETE /_sandbox/products/{identifier}` | deletes the product |
| `PATCH /_sandbox/product-models/{code}` | a product model PATCH; creates it when missing |
| `DELETE /_sandbox/product-models/{code}` | deletes the model and everything below it |
"""
from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.errors import not_found
from sandbox.akeneo.event_hooks import model_delete, model_write, product_delete, product_write
from sandbox.akeneo.model_patch import ProductModelPatch
from sandbox.akeneo.patch import ProductPatch
from sandbox.akeneo.web import json_body, json_response, runtime

router = APIRouter(prefix="/_sandbox")


@router.patch("/products/{identifier}")
async def edit_product(request: Request, identifier: str) -> Response:
    payload, sandbox = await json_body(request), runtime(request)
    record, created = product_write(sandbox, lambda: ProductPatch(sandbox.state, by_uuid=False).apply(identifier, payload),
                                    author=sandbox.events.user_author())
    return json_response({"uuid": record.uuid, "identifier": record.identifier, "created": created},
                         status=201 if created else 200)


@router.delete("/products/{identifier}")
async def remove_product(request: Request, identifier: str) -> Response:
    sandbox = runtime(request)
    record = sandbox.state.product_by_identifier(identifier)
    if record is None:
        raise not_found(f'Product "{identifier}" does not exist.')
    product_delete(sandbox, record, author=sandbox.events.user_author())
    return json_response({"uuid": record.uuid, "identifier": record.identifier})


@router.patch("/product-models/{code}")
async def edit_product_model(request: Request, code: str) -> Response:
    payload, sandbox = await json_body(request), runtime(request)
    record, created = model_write(sandbox, lambda: ProductModelPatch(sandbox.state).apply(code, payload),
                                  author=sandbox.events.user_author())
    return json_response({"code": record.code, "created": created}, status=201 if created else 200)


@router.delete("/product-models/{code}")
async def remove_product_model(request: Request, code: str) -> Response:
    sandbox = runtime(request)
    if code not in sandbox.state.product_models:
        raise not_found(f'Product model "{code}" does not exist.')
    models, products = model_delete(sandbox, code, author=sandbox.events.user_author())
    return json_response({"product_models": models, "products": products})
