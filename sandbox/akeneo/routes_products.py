"""Products by identifier (`/products`) and by uuid (`/products-uuid`): list, get, PATCH, PATCH collection."""
from __future__ import annotations

import uuid as uuid_module
from typing import Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.collection import patch_collection
from sandbox.akeneo.errors import ApiError, not_found, unprocessable
from sandbox.akeneo.event_hooks import product_delete, product_write
from sandbox.akeneo.pagination import (Links, check_result_window, offset_page, parse_pagination,
                                       search_after_page, slice_keys)
from sandbox.akeneo.patch import ProductPatch
from sandbox.akeneo.search import SearchPlan, parse_search
from sandbox.akeneo.serialize import product_body, value_filter
from sandbox.akeneo.state import ProductRecord
from sandbox.akeneo.web import check_content_type, json_body, json_response, require_token, runtime

router = APIRouter(dependencies=[Depends(require_token)])


def _missing(key: str) -> ApiError:
    return not_found(f'Product "{key}" does not exist or you do not have permission to access it.')


def _canonical_uuid(text: str) -> Optional[str]:
    try:
        return str(uuid_module.UUID(text))
    except ValueError:
        return None


def _item_path(by_uuid: bool, record: ProductRecord) -> str:
    if by_uuid:
        return f"/api/rest/v1/products-uuid/{record.uuid}"
    return f"/api/rest/v1/products/{quote(record.identifier or '', safe='')}"


async def _list(request: Request, by_uuid: bool) -> Response:
    state, settings = runtime(request).state, runtime(request).settings
    query = request.query_params
    page = parse_pagination(request, search_after_supported=True)
    values_filter = value_filter(state, query.get("scope"), query.get("locales"), query.get("attributes"))
    plan = SearchPlan(state, parse_search(query.get("search")), models=False, scope=query.get("scope"),
                      search_locale=query.get("search_locale"), search_scope=query.get("search_scope"))
    check_result_window(page)

    def matching_keys() -> list[str]:
        if by_uuid:
            return sorted(key for key, record in state.products.items() if plan.matches(record))
        return sorted(record.identifier for record in state.products.values()
                      if record.identifier is not None and plan.matches(record))

    keys = state.cached_keys(("products", by_uuid, query.get("scope")) + plan.cache_key, matching_keys)
    page_keys = slice_keys(keys, page)
    records = [state.products[key] if by_uuid else state.product_by_identifier(key) for key in page_keys]
    links = Links(request, settings)
    items = [product_body(state, record, by_uuid=by_uuid, links=links, values_filter=values_filter)
             for record in records if record is not None]
    if page.search_after_mode:
        return json_response(search_after_page(items, page_keys[-1] if page_keys else None, page, links))
    return json_response(offset_page(items, len(keys), page, links))


def _find(request: Request, key: str, by_uuid: bool) -> ProductRecord:
    state = runtime(request).state
    if by_uuid:
        canonical = _canonical_uuid(key)
        record = state.products.get(canonical) if canonical else None
    else:
        record = state.product_by_identifier(key)
    if record is None:
        raise _missing(key)
    return record


def _apply(request: Request, key: str, payload, by_uuid: bool) -> tuple[ProductRecord, bool]:
    if by_uuid:
        canonical = _canonical_uuid(key)
        if canonical is None:
            raise unprocessable(f'The uuid "{key}" is not a valid uuid.')
        key = canonical
    sandbox = runtime(request)
    return product_write(sandbox, lambda: ProductPatch(sandbox.state, by_uuid=by_uuid).apply(key, payload))


async def _patch_one(request: Request, key: str, by_uuid: bool) -> Response:
    check_content_type(request, "application/json")
    record, created = _apply(request, key, await json_body(request), by_uuid)
    location = Links(request, runtime(request).settings).href(_item_path(by_uuid, record))["href"]
    return Response(status_code=201 if created else 204, headers={"Location": location})


async def _patch_many(request: Request, by_uuid: bool) -> Response:
    key_name = "uuid" if by_uuid else "identifier"
    return await patch_collection(request, key_name, lambda key, payload: _apply(request, key, payload, by_uuid))


@router.get("/api/rest/v1/products")
async def list_products(request: Request) -> Response:
    return await _list(request, by_uuid=False)


@router.get("/api/rest/v1/products-uuid")
async def list_products_uuid(request: Request) -> Response:
    return await _list(request, by_uuid=True)


@router.get("/api/rest/v1/products/{code}")
async def get_product(request: Request, code: str) -> Response:
    return json_response(product_body(runtime(request).state, _find(request, code, False), by_uuid=False))


@router.get("/api/rest/v1/products-uuid/{uuid}")
async def get_product_uuid(request: Request, uuid: str) -> Response:
    return json_response(product_body(runtime(request).state, _find(request, uuid, True), by_uuid=True))


@router.patch("/api/rest/v1/products/{code}")
async def patch_product(request: Request, code: str) -> Response:
    return await _patch_one(request, code, by_uuid=False)


@router.patch("/api/rest/v1/products-uuid/{uuid}")
async def patch_product_uuid(request: Request, uuid: str) -> Response:
    return await _patch_one(request, uuid, by_uuid=True)


@router.patch("/api/rest/v1/products")
async def patch_products(request: Request) -> Response:
    return await _patch_many(request, by_uuid=False)


@router.patch("/api/rest/v1/products-uuid")
async def patch_products_uuid(request: Request) -> Response:
    return await _patch_many(request, by_uuid=True)


@router.delete("/api/rest/v1/products/{code}")
async def delete_product(request: Request, code: str) -> Response:
    product_delete(runtime(request), _find(request, code, False))
    return Response(status_code=204)


@router.delete("/api/rest/v1/products-uuid/{uuid}")
async def delete_product_uuid(request: Request, uuid: str) -> Response:
    product_delete(runtime(request), _find(request, uuid, True))
    return Response(status_code=204)
