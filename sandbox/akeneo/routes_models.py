"""Product models: list (offset or search_after, the product filters Akeneo allows on models), get,
create (POST), PATCH one and PATCH collection."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.collection import patch_collection
from sandbox.akeneo.errors import not_found, validation_failed
from sandbox.akeneo.event_hooks import model_delete, model_write
from sandbox.akeneo.model_patch import ProductModelPatch
from sandbox.akeneo.pagination import (Links, check_result_window, offset_page, parse_pagination,
                                       search_after_page, slice_keys)
from sandbox.akeneo.search import SearchPlan, parse_search
from sandbox.akeneo.serialize import product_model_body, value_filter
from sandbox.akeneo.web import check_content_type, json_body, json_response, require_token, runtime

router = APIRouter(dependencies=[Depends(require_token)])
PATH = "/api/rest/v1/product-models"


@router.get(PATH)
async def list_product_models(request: Request) -> Response:
    state, query = runtime(request).state, request.query_params
    page = parse_pagination(request, search_after_supported=True)
    values_filter = value_filter(state, query.get("scope"), query.get("locales"), query.get("attributes"))
    plan = SearchPlan(state, parse_search(query.get("search")), models=True, scope=query.get("scope"),
                      search_locale=query.get("search_locale"), search_scope=query.get("search_scope"))
    check_result_window(page)
    keys = state.cached_keys(("product_models", query.get("scope")) + plan.cache_key,
                             lambda: sorted(code for code, model in state.product_models.items()
                                            if plan.matches(model)))
    page_keys = slice_keys(keys, page)
    links = Links(request, runtime(request).settings)
    items = [product_model_body(state, state.product_models[code], links=links, values_filter=values_filter)
             for code in page_keys]
    if page.search_after_mode:
        return json_response(search_after_page(items, page_keys[-1] if page_keys else None, page, links))
    return json_response(offset_page(items, len(keys), page, links))


@router.get(PATH + "/{code}")
async def get_product_model(request: Request, code: str) -> Response:
    state = runtime(request).state
    model = state.product_models.get(code)
    if model is None:
        raise not_found(f'Product model "{code}" does not exist or you do not have permission to access it.')
    return json_response(product_model_body(state, model))


def _location(request: Request, code: str) -> dict:
    href = Links(request, runtime(request).settings).href(f"{PATH}/{quote(code, safe='')}")["href"]
    return {"Location": href}


@router.post(PATH)
async def create_product_model(request: Request) -> Response:
    check_content_type(request, "application/json")
    payload = await json_body(request)
    state = runtime(request).state
    code = payload.get("code") if isinstance(payload, dict) else None
    if isinstance(code, str) and code in state.product_models:
        raise validation_failed([{"property": "code", "message": "The same code is already set on another product model."}])
    record, _ = model_write(runtime(request),
                            lambda: ProductModelPatch(state, anchor="post_product_model").apply(None, payload))
    return Response(status_code=201, headers=_location(request, record.code))


@router.patch(PATH + "/{code}")
async def patch_product_model(request: Request, code: str) -> Response:
    check_content_type(request, "application/json")
    payload, sandbox = await json_body(request), runtime(request)
    record, created = model_write(sandbox, lambda: ProductModelPatch(sandbox.state).apply(code, payload))
    return Response(status_code=201 if created else 204, headers=_location(request, record.code))


@router.patch(PATH)
async def patch_product_models(request: Request) -> Response:
    sandbox = runtime(request)
    patch = ProductModelPatch(sandbox.state, anchor="patch_product_models")
    return await patch_collection(request, "code",
                                  lambda code, payload: model_write(sandbox, lambda: patch.apply(code, payload)))


@router.delete(PATH + "/{code}")
async def delete_product_model(request: Request, code: str) -> Response:
    sandbox = runtime(request)
    if code not in sandbox.state.product_models:
        raise not_found(f'Product model "{code}" does not exist or you do not have permission to access it.')
    model_delete(sandbox, code)
    return Response(status_code=204)
