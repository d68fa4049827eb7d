"""Reference data: attributes, options, families (+ variants), channels, locales, currencies,
categories, measurement families, media files."""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from sandbox.akeneo.attribute_filters import unsupported
from sandbox.akeneo.errors import not_found
from sandbox.akeneo.pagination import Links, offset_page, parse_pagination
from sandbox.akeneo.search import parse_search
from sandbox.akeneo.state import MediaFile
from sandbox.akeneo.web import json_response, require_token, runtime

router = APIRouter(dependencies=[Depends(require_token)])
API = "/api/rest/v1"
OPTION_TYPES = ("pim_catalog_simpleselect", "pim_catalog_multiselect")


def _search_filter(request: Request, allowed: dict[str, dict[str, Callable]]) -> Callable[[dict], bool]:
    """Reference lists accept a few filters: allowed = {field: {operator: test(item, value)}}."""
    conditions = [(field, condition) for field, conds in parse_search(request.query_params.get("search")).items()
                  for condition in conds]
    tests = []
    for field, condition in conditions:
        test = allowed.get(field, {}).get(condition["operator"])
        if test is None:
            raise unsupported(field, condition["operator"])
        tests.append((test, condition.get("value")))
    return lambda item: all(test(item, value) for test, value in tests)


def _offset_list(request: Request, items: Iterable[dict], item_path: Callable[[dict], str],
                 extra_links: Optional[Callable[[dict, Links], dict]] = None) -> Response:
    page = parse_pagination(request, search_after_supported=False)
    everything = list(items)
    links = Links(request, runtime(request).settings)
    start = (page.page - 1) * page.limit
    chosen = []
    for item in everything[start:start + page.limit]:
        item_links = {"self": links.href(item_path(item))}
        if extra_links is not None:
            item_links.update(extra_links(item, links))
        chosen.append({"_links": item_links, **item})
    return json_response(offset_page(chosen, len(everything), page, links))


def _get(table: dict, code: str, label: str) -> Response:
    if code not in table:
        raise not_found(f'{label} "{code}" does not exist.')
    return json_response(table[code])


def _in(item_key: str):
    return lambda item, value: item[item_key] in (value if isinstance(value, list) else [value])


@router.get(API + "/attributes")
async def list_attributes(request: Request) -> Response:
    keep = _search_filter(request, {"code": {"IN": _in("code")}, "type": {"IN": _in("type")}})
    attributes = [a for a in runtime(request).state.attributes.values() if keep(a)]
    return _offset_list(request, attributes, lambda a: f"{API}/attributes/{a['code']}")


@router.get(API + "/attributes/{code}")
async def get_attribute(request: Request, code: str) -> Response:
    return _get(runtime(request).state.attributes, code, "Attribute")


def _options_of(request: Request, attribute_code: str) -> dict[str, dict]:
    state = runtime(request).state
    attribute = state.attributes.get(attribute_code)
    if attribute is None:
        raise not_found(f'Attribute "{attribute_code}" does not exist.')
    if attribute["type"] not in OPTION_TYPES:
        raise not_found(f'Attribute "{attribute_code}" does not support options. Only attributes of type '
                        f'"pim_catalog_simpleselect", "pim_catalog_multiselect" support options.')
    return state.attribute_options.get(attribute_code, {})


@router.get(API + "/attributes/{attribute_code}/options")
async def list_attribute_options(request: Request, attribute_code: str) -> Response:
    options = _options_of(request, attribute_code).values()
    return _offset_list(request, options, lambda o: f"{API}/attributes/{attribute_code}/options/{o['code']}")


@router.get(API + "/attributes/{attribute_code}/options/{code}")
async def get_attribute_option(request: Request, attribute_code: str, code: str) -> Response:
    options = _options_of(request, attribute_code)
    if code not in options:
        raise not_found(f'Attribute option "{code}" does not exist or is not an option of the attribute '
                        f'"{attribute_code}".')
    return json_response(options[code])


@router.get(API + "/families")
async def list_families(request: Request) -> Response:
    keep = _search_filter(request, {"code": {"IN": _in("code")}})
    families = [f for f in runtime(request).state.families.values() if keep(f)]
    return _offset_list(request, families, lambda f: f"{API}/families/{f['code']}")


@router.get(API + "/families/{code}")
async def get_family(request: Request, code: str) -> Response:
    return _get(runtime(request).state.families, code, "Family")


@router.get(API + "/families/{family_code}/variants")
async def list_family_variants(request: Request, family_code: str) -> Response:
    state = runtime(request).state
    if family_code not in state.families:
        raise not_found(f'Family "{family_code}" does not exist.')
    variants = state.family_variants.get(family_code, {}).values()
    return _offset_list(request, variants, lambda v: f"{API}/families/{family_code}/variants/{v['code']}")


@router.get(API + "/channels")
async def list_channels(request: Request) -> Response:
    return _offset_list(request, runtime(request).state.channels.values(), lambda c: f"{API}/channels/{c['code']}")


@router.get(API + "/channels/{code}")
async def get_channel(request: Request, code: str) -> Response:
    return _get(runtime(request).state.channels, code, "Channel")


def _equals(key: str):
    return lambda item, value: item[key] == value


@router.get(API + "/locales")
async def list_locales(request: Request) -> Response:
    keep = _search_filter(request, {"enabled": {"=": _equals("enabled")}})
    locales = [locale for locale in runtime(request).state.locales.values() if keep(locale)]
    return _offset_list(request, locales, lambda locale: f"{API}/locales/{locale['code']}")


@router.get(API + "/locales/{code}")
async def get_locale(request: Request, code: str) -> Response:
    return _get(runtime(request).state.locales, code, "Locale")


@router.get(API + "/currencies")
async def list_currencies(request: Request) -> Response:
    keep = _search_filter(request, {"enabled": {"=": _equals("enabled")}})
    currencies = [c for c in runtime(request).state.currencies.values() if keep(c)]
    return _offset_list(request, currencies, lambda c: f"{API}/currencies/{c['code']}")


@router.get(API + "/currencies/{code}")
async def get_currency(request: Request, code: str) -> Response:
    return _get(runtime(request).state.currencies, code, "Currency")


def _with_position(request: Request, categories: list[dict]) -> list[dict]:
    """`with_position` adds the rank among siblings; `with_enriched_attributes` the category's
    attribute values (keyed `attribute|template uuid[|channel][|locale]`, empty when it has none)."""
    state, params = runtime(request).state, request.query_params
    if params.get("with_position") == "true":
        positions = {code: index for children in state.category_children().values()
                     for index, code in enumerate(children, start=1)}
        categories = [dict(category, position=positions.get(category["code"], 1)) for category in categories]
    if params.get("with_enriched_attributes") == "true":
        categories = [dict(category, values=state.category_values.get(category["code"], {}))
                      for category in categories]
    return categories


@router.get(API + "/categories")
async def list_categories(request: Request) -> Response:
    keep = _search_filter(request, {"code": {"IN": _in("code")}, "parent": {"=": _equals("parent")},
                                    "is_root": {"=": lambda item, value: (item["parent"] is None) == value}})
    categories = [c for c in runtime(request).state.categories.values() if keep(c)]
    return _offset_list(request, _with_position(request, categories), lambda c: f"{API}/categories/{c['code']}")


@router.get(API + "/categories/{code}")
async def get_category(request: Request, code: str) -> Response:
    categories = runtime(request).state.categories
    if code not in categories:
        raise not_found(f'Category "{code}" does not exist.')
    return json_response(_with_position(request, [categories[code]])[0])


@router.get(API + "/measurement-families")
async def list_measurement_families(request: Request) -> Response:
    # Not paginated: Akeneo answers a plain JSON array.
    return json_response(list(runtime(request).state.measurement_families.values()))


def _media_body(media: MediaFile) -> dict:
    return {"code": media.code, "original_filename": media.original_filename, "mime_type": media.mime_type,
            "size": len(media.content), "extension": media.extension}


def _download_link(code: str, links: Links) -> dict:
    return {"download": links.href(f"{API}/media-files/{code}/download")}


@router.get(API + "/media-files")
async def list_media_files(request: Request) -> Response:
    media = [_media_body(m) for m in runtime(request).state.media_files.values()]
    return _offset_list(request, media, lambda m: f"{API}/media-files/{m['code']}",
                        extra_links=lambda m, links: _download_link(m["code"], links))


def _media(request: Request, code: str) -> MediaFile:
    media = runtime(request).state.media_files.get(code)
    if media is None:
        raise not_found(f'Media file "{code}" does not exist.')
    return media


# Media file codes contain slashes (`7/5/8/e/758e..._name.jpg`): the download route must come first.
@router.get(API + "/media-files/{code:path}/download")
async def download_media_file(request: Request, code: str) -> Response:
    media = _media(request, code)
    return Response(media.content, media_type=media.mime_type,
                    headers={"Content-Disposition": f'attachment; filename="{media.original_filename}"'})


@router.get(API + "/media-files/{code:path}")
async def get_media_file(request: Request, code: str) -> Response:
    media = _media(request, code)
    links = Links(request, runtime(request).settings)
    return json_response({"_links": _download_link(code, links), **_media_body(media)})
