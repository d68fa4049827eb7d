"""Category writes: `PATCH /categories/{code}` and the `PATCH /categories` collection.

As Akeneo does, a category's parent must already exist (a collection is applied line by line, so a
parent earlier in the same request counts), a category cannot be its own parent or ancestor, and
labels are merged per locale (an activated locale each). Enriched values are not written here.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.collection import patch_collection
from sandbox.akeneo.errors import ApiError, payload_error, unprocessable, validation_failed
from sandbox.akeneo.pagination import Links
from sandbox.akeneo.state import AkeneoState
from sandbox.akeneo.web import check_content_type, json_body, require_token, runtime

router = APIRouter(dependencies=[Depends(require_token)])
PATH = "/api/rest/v1/categories"
FIELDS = {"code", "parent", "labels", "updated", "position", "values"}
READ_ONLY = {"updated", "position"}


def apply_category(state: AkeneoState, code: str, payload, anchor: str) -> tuple[dict, bool]:
    """Create or update one category; (category, created)."""
    if not isinstance(payload, dict):
        raise ApiError(400, "Invalid json message received")
    for key in payload:
        if key not in FIELDS:
            raise payload_error(f'Property "{key}" does not exist.', anchor)
    if payload.get("code", code) != code:
        raise unprocessable(f'The code "{payload["code"]}" provided in the request body must match the code '
                            f'"{code}" provided in the url.')
    existing = state.categories.get(code)
    parent = payload["parent"] if "parent" in payload else (existing or {}).get("parent")
    _check_parent(state, code, parent, anchor)
    labels = dict((existing or {}).get("labels") or {})
    given = payload.get("labels") or {}
    if not isinstance(given, dict):
        raise payload_error(f'Property "labels" expects an array as data, "{type(given).__name__}" given.', anchor)
    inactive = [locale for locale in given if locale not in state.activated_locales()]
    if inactive:
        raise validation_failed([{"property": "labels", "message": f'The locale "{inactive[0]}" does not exist.'}])
    for locale, label in given.items():
        if label in (None, ""):
            labels.pop(locale, None)
        else:
            labels[locale] = label
    category = {"code": code, "parent": parent, "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "labels": labels}
    state.categories[code] = category
    state._children = None
    state._descendants = None
    state.touch()
    return category, existing is None


def _check_parent(state: AkeneoState, code: str, parent: Optional[str], anchor: str) -> None:
    if parent is None:
        return
    if not isinstance(parent, str):
        raise payload_error(f'Property "parent" expects a string as data, "{type(parent).__name__}" given.', anchor)
    if parent not in state.categories:
        raise unprocessable(f'Category "{parent}" does not exist.')
    ancestor: Optional[str] = parent
    while ancestor is not None:
        if ancestor == code:
            raise validation_failed([{"property": "parent", "message": "You cannot move a category under itself "
                                                                      "or one of its children."}])
        ancestor = state.categories[ancestor].get("parent")


@router.patch(PATH + "/{code}")
async def patch_category(request: Request, code: str) -> Response:
    check_content_type(request, "application/json")
    state = runtime(request).state
    _, created = apply_category(state, code, await json_body(request), "patch_categories__code_")
    href = Links(request, runtime(request).settings).href(f"{PATH}/{quote(code, safe='')}")["href"]
    return Response(status_code=201 if created else 204, headers={"Location": href})


@router.patch(PATH)
async def patch_categories(request: Request) -> Response:
    state = runtime(request).state
    return await patch_collection(request, "code",
                                  lambda code, payload: apply_category(state, code, payload, "patch_categories"))
