"""Akeneo's two pagination methods: offset (`page`) and `search_after` (opaque cursor), with HAL links."""
from __future__ import annotations

import base64
import binascii
from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlencode

from starlette.requests import Request

from sandbox.akeneo.errors import DOCUMENTATION, ApiError, unprocessable
from sandbox.akeneo.settings import SandboxSettings

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# Products and product models live in Elasticsearch, whose result window stops at 10,000.
MAX_RESULT_WINDOW = 10_000
WINDOW_MESSAGE = ('You have reached the maximum number of pages you can retrieve with the "page" pagination '
                  'type. Please use the search after pagination type instead')


@dataclass
class PageRequest:
    search_after_mode: bool
    page: int
    limit: int
    with_count: bool
    cursor: Optional[str]


def _is_integer(text: str) -> bool:
    text = text.strip()
    return text.lstrip("-").isdigit() and str(int(text)) == text


def parse_pagination(request: Request, *, search_after_supported: bool) -> PageRequest:
    """Validate pagination parameters with Akeneo's checks and messages (422)."""
    params = request.query_params
    kind = params.get("pagination_type", "page")
    limit_text = params.get("limit", str(DEFAULT_LIMIT))
    if kind not in ("page", "search_after"):
        raise unprocessable("Pagination type does not exist.")
    if kind == "search_after" and not search_after_supported:
        raise unprocessable("Pagination type is not supported.")
    if not _is_integer(limit_text) or int(limit_text) < 1:
        raise unprocessable(f'"{limit_text}" is not a valid limit number.')
    limit = int(limit_text)
    if limit > MAX_LIMIT:
        raise unprocessable(f"You cannot request more than {MAX_LIMIT} items.")
    if kind == "search_after":
        return PageRequest(True, 1, limit, False, params.get("search_after"))
    page_text = params.get("page", "1")
    if not _is_integer(page_text) or int(page_text) < 1:
        raise unprocessable(f'"{page_text}" is not a valid page number.')
    with_count = params.get("with_count", "false")
    if with_count not in ("true", "false"):
        raise unprocessable('Parameter "with_count" has to be a boolean. Only "true" or "false" allowed, '
                            f'"{with_count}" given.')
    return PageRequest(False, int(page_text), limit, with_count == "true", None)


def check_result_window(page: PageRequest) -> None:
    if not page.search_after_mode and page.page * page.limit > MAX_RESULT_WINDOW:
        raise ApiError(422, WINDOW_MESSAGE, documentation=DOCUMENTATION + "pagination.html#the-search-after-method")


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The key after which the page starts; a cursor that is not ours is taken as a raw key."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return cursor


class Links:
    """Absolute links, on the request's own base or on `link_base_url` (a rewriting proxy)."""

    def __init__(self, request: Request, settings: SandboxSettings) -> None:
        self.base = (settings.link_base_url or str(request.base_url)).rstrip("/")
        self.query = list(request.query_params.multi_items())
        self.path = request.url.path
        self.settings = settings

    def href(self, path: str, params: Optional[list[tuple[str, str]]] = None) -> dict:
        return {"href": self.base + path + ("?" + urlencode(params) if params else "")}

    def offset(self, page: int, limit: int) -> dict:
        params = [("page", str(page)), ("limit", str(limit))]
        params += [(k, v) for k, v in self.query if k not in ("page", "limit")]
        return self.href(self.path, params)

    def search_after(self, cursor: Optional[str], *, is_next: bool = False) -> dict:
        params = [(k, v) for k, v in self.query if k != "search_after"]
        if is_next and self.settings.drop_search_locale_in_next:
            # Akeneo has shipped versions that lose search_locale in next links; clients must cope.
            params = [(k, v) for k, v in params if k != "search_locale"]
        if cursor is not None:
            position = next((i + 1 for i, (k, _) in enumerate(params) if k == "pagination_type"), len(params))
            params.insert(position, ("search_after", cursor))
        return self.href(self.path, params)


def offset_page(items: list[dict], total: Optional[int], page: PageRequest, links: Links) -> dict:
    """HAL page: `next` whenever the page is full (so a last full page is followed by an empty one)."""
    hal_links = {"self": links.offset(page.page, page.limit), "first": links.offset(1, page.limit)}
    if page.page > 1:
        hal_links["previous"] = links.offset(page.page - 1, page.limit)
    if len(items) >= page.limit:
        hal_links["next"] = links.offset(page.page + 1, page.limit)
    body: dict = {"_links": hal_links, "current_page": page.page}
    if page.with_count and total is not None:
        body["items_count"] = total
    body["_embedded"] = {"items": items}
    return body


def search_after_page(items: list[dict], next_key: Optional[str], page: PageRequest, links: Links) -> dict:
    """Like Akeneo: `next` is given when the page is full, even if nothing follows."""
    hal_links = {"self": links.search_after(page.cursor), "first": links.search_after(None)}
    if len(items) >= page.limit and next_key is not None:
        hal_links["next"] = links.search_after(encode_cursor(next_key), is_next=True)
    return {"_links": hal_links, "_embedded": {"items": items}}


def slice_keys(keys: list[str], page: PageRequest) -> list[str]:
    """The keys of the requested page from a sorted key list (bisect for the cursor)."""
    if page.search_after_mode:
        start = bisect_right(keys, decode_cursor(page.cursor)) if page.cursor else 0
        return keys[start:start + page.limit]
    start = (page.page - 1) * page.limit
    return keys[start:start + page.limit]
