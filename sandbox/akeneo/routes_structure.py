"""Catalog structure: association types, one family variant, reference entities with their
attributes and records (search_after only, 100 per page, like Akeneo)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.attribute_filters import unsupported
from sandbox.akeneo.errors import not_found, unprocessable
from sandbox.akeneo.pagination import Links, decode_cursor, encode_cursor, offset_page, parse_pagination
from sandbox.akeneo.web import json_response, require_token, runtime

router = APIRouter(dependencies=[Depends(require_token)])
API = "/api/rest/v1"
RECORDS_PER_PAGE = 100  # reference entities and records: fixed page size, no `limit` parameter


@router.get(API + "/association-types")
async def list_association_types(request: Request) -> Response:
    page = parse_pagination(request, search_after_supported=False)
    types = [t for _, t in sorted(runtime(request).state.association_types.items())]
    links = Links(request, runtime(request).settings)
    start = (page.page - 1) * page.limit
    items = [{"_links": {"self": links.href(f"{API}/association-types/{t['code']}")}, **t}
             for t in types[start:start + page.limit]]
    return json_response(offset_page(items, len(types), page, links))


@router.get(API + "/association-types/{code}")
async def get_association_type(request: Request, code: str) -> Response:
    association_type = runtime(request).state.association_types.get(code)
    if association_type is None:
        raise not_found(f'Association type "{code}" does not exist.')
    return json_response(association_type)


@router.get(API + "/families/{family_code}/variants/{code}")
async def get_family_variant(request: Request, family_code: str, code: str) -> Response:
    state = runtime(request).state
    if family_code not in state.families:
        raise not_found(f'Family "{family_code}" does not exist.')
    variant = state.family_variants.get(family_code, {}).get(code)
    if variant is None:
        raise not_found(f'Family variant "{code}" does not exist or is not a variant of the family "{family_code}".')
    return json_response(variant)


def _cursor_page(request: Request, path: str, items: list[dict], item_path) -> dict:
    """One search_after page of items sorted by code; `next` when the page is full."""
    links = Links(request, runtime(request).settings)
    cursor = request.query_params.get("search_after")
    after = decode_cursor(cursor) if cursor else None
    chosen = [item for item in items if after is None or item["code"] > after][:RECORDS_PER_PAGE]
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "search_after"]
    hal = {"self": links.href(path, params + ([("search_after", cursor)] if cursor else [])),
           "first": links.href(path, params)}
    if len(chosen) == RECORDS_PER_PAGE:
        hal["next"] = links.href(path, params + [("search_after", encode_cursor(chosen[-1]["code"]))])
    body = [{"_links": {"self": links.href(item_path(item))}, **item} for item in chosen]
    return {"_links": hal, "_embedded": {"items": body}}


def _entity(request: Request, code: str) -> dict:
    entity = runtime(request).state.reference_entities.get(code)
    if entity is None:
        raise not_found(f'Reference entity "{code}" does not exist.')
    return entity


@router.get(API + "/reference-entities")
async def list_reference_entities(request: Request) -> Response:
    entities = [e for _, e in sorted(runtime(request).state.reference_entities.items())]
    return json_response(_cursor_page(request, f"{API}/reference-entities", entities,
                                      lambda e: f"{API}/reference-entities/{e['code']}"))


@router.get(API + "/reference-entities/{code}")
async def get_reference_entity(request: Request, code: str) -> Response:
    return json_response(_entity(request, code))


@router.get(API + "/reference-entities/{entity}/attributes")
async def list_reference_entity_attributes(request: Request, entity: str) -> Response:
    _entity(request, entity)
    # Not paginated: a plain JSON array.
    return json_response(runtime(request).state.reference_entity_attributes.get(entity, []))


@router.get(API + "/reference-entities/{entity}/attributes/{code}")
async def get_reference_entity_attribute(request: Request, entity: str, code: str) -> Response:
    _entity(request, entity)
    for attribute in runtime(request).state.reference_entity_attributes.get(entity, []):
        if attribute["code"] == code:
            return json_response(attribute)
    raise not_found(f'Attribute "{code}" does not exist for the reference entity "{entity}".')


def _record_filter(raw: Optional[str]):
    """`updated` `>` (ISO 8601) and `code` `IN`; other fields are refused."""
    if raw is None:
        return lambda record: True
    try:
        search = json.loads(raw)
    except ValueError:
        raise unprocessable("Search query parameter should be valid JSON.")
    if not isinstance(search, dict):
        raise unprocessable("Search query parameter should be valid JSON.")
    tests = []
    for field, conditions in search.items():
        for condition in conditions if isinstance(conditions, list) else [conditions]:
            operator = condition.get("operator") if isinstance(condition, dict) else None
            value = condition.get("value") if isinstance(condition, dict) else None
            if field == "updated" and operator == ">":
                try:
                    since = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
                except ValueError:
                    raise unprocessable(f'Property "updated" expects an ISO 8601 date as data, "{value}" given.')
                tests.append(lambda r, since=since: datetime.fromisoformat(r["updated"]) > since)
            elif field == "code" and operator == "IN" and isinstance(value, list):
                tests.append(lambda r, codes=set(value): r["code"] in codes)
            else:
                raise unsupported(field, operator)
    return lambda record: all(test(record) for test in tests)


def _record_values(record: dict, channel: Optional[str], locales: Optional[str]) -> dict:
    if channel is None and locales is None:
        return record
    wanted = set(locales.split(",")) if locales else None
    values = {}
    for code, entries in record["values"].items():
        kept = [e for e in entries if (channel is None or e["channel"] in (None, channel))
                and (wanted is None or e["locale"] is None or e["locale"] in wanted)]
        if kept:
            values[code] = kept
    return dict(record, values=values)


@router.get(API + "/reference-entities/{entity}/records")
async def list_records(request: Request, entity: str) -> Response:
    _entity(request, entity)
    query = request.query_params
    keep = _record_filter(query.get("search"))
    records = [_record_values(r, query.get("channel"), query.get("locales"))
               for _, r in sorted(runtime(request).state.reference_entity_records.get(entity, {}).items()) if keep(r)]
    return json_response(_cursor_page(request, f"{API}/reference-entities/{entity}/records", records,
                                      lambda r: f"{API}/reference-entities/{entity}/records/{quote(r['code'], safe='')}"))


@router.get(API + "/reference-entities/{entity}/records/{code}")
async def get_record(request: Request, entity: str, code: str) -> Response:
    _entity(request, entity)
    record = runtime(request).state.reference_entity_records.get(entity, {}).get(code)
    if record is None:
        raise not_found(f'Record "{code}" does not exist for the reference entity "{entity}".')
    return json_response(record)
