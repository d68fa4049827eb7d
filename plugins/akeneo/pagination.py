"""Following Akeneo's `_links.next.href` (the cursor is opaque: never built by hand).

Two surprises are repaired before a next link is followed:
- a proxy in front of Akeneo may rewrite links to another scheme or host (or links may be
  relative): the link is brought back to the connection's base URL;
- Akeneo drops `search_locale` (and possibly other filter parameters) from next links: any query
  parameter of the first request that the link lost is put back, so page 2 filters like page 1.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import msgspec

from akeneo.answers import describe, objects
from akeneo.errors import AkeneoAnswerError, AkeneoError

PAGE_SIZE = 100
# The server owns these: a next link carries the new cursor, never the first request's.
CURSOR_PARAMS = frozenset({"search_after", "page"})


class _Requester(Protocol):
    def request(self, method: str, path_or_url: str, *, params: dict | None = None): ...


class NextLinkRepair:
    """Repairs next links of one listing, given its base URL and its first request's params."""

    def __init__(self, base_url: str, first_params: Mapping[str, object] | None = None) -> None:
        self.base = urlsplit(base_url)
        self.first_params = {k: str(v) for k, v in (first_params or {}).items()
                             if v is not None and k not in CURSOR_PARAMS}

    def repair(self, href: str) -> str:
        absolute = urljoin(urlunsplit((self.base.scheme, self.base.netloc, self.base.path + "/", "", "")),
                           href)
        link = urlsplit(absolute)
        query = parse_qsl(link.query, keep_blank_values=True)
        present = {key for key, _ in query}
        query += [(k, v) for k, v in self.first_params.items() if k not in present]
        return urlunsplit((self.base.scheme, self.base.netloc, link.path, urlencode(query), ""))


class _Embedded(msgspec.Struct):
    items: list[dict[str, msgspec.Raw]] = []


class _RawPage(msgspec.Struct):
    links: Any = msgspec.field(name="_links", default=None)
    embedded: _Embedded | None = msgspec.field(name="_embedded", default=None)


_decode_page = msgspec.json.Decoder().decode
_decode_raw_page = msgspec.json.Decoder(_RawPage).decode
_encode = msgspec.json.Encoder().encode

#: An item of a page read with `raw=True`: its fields, each value left as the JSON Akeneo sent.
RawItem = dict[str, msgspec.Raw]


def field_value(item: Mapping, name: str, default=None):
    """A field of an item, whether read whole (a dict) or raw (values still JSON: decoded here)."""
    value = item.get(name, default)
    return msgspec.json.decode(value) if isinstance(value, msgspec.Raw) else value


def _page(content: bytes, endpoint: str = "") -> tuple[dict, str | None, list]:
    page = _decode_page(content)
    if not isinstance(page, dict):
        raise AkeneoAnswerError(f"Akeneo answered {describe(page)} where a page (a JSON object) was expected",
                                endpoint=endpoint)
    href = _next_href(page.get("_links"))
    embedded = page.get("_embedded") or {}
    if not isinstance(embedded, dict):
        raise AkeneoAnswerError(f"the page's _embedded is {describe(embedded)}, not an object", endpoint=endpoint)
    items = objects(embedded.get("items") or [], endpoint, "page's _embedded.items")
    return page, href, items


def _raw_page(content: bytes, endpoint: str = "") -> tuple[list[RawItem], str | None, list[RawItem]]:
    """A page whose items are decoded one level deep (their fields, not their values): several times
    cheaper than building every value, and the values pass to staging as the bytes Akeneo sent."""
    try:
        page = _decode_raw_page(content)
    except msgspec.ValidationError:  # valid JSON of another shape (e.g. `[]` for an empty object)
        _, href, items = _page(content, endpoint)
        items = [{k: msgspec.Raw(_encode(v)) for k, v in item.items()} for item in items]
        return items, href, items
    items = page.embedded.items if page.embedded is not None else []
    return items, _next_href(page.links), items


def _next_href(links) -> str | None:
    if not isinstance(links, dict):
        return None
    following = links.get("next")
    href = following.get("href") if isinstance(following, dict) else None
    return href if isinstance(href, str) and href else None


def iter_pages(transport: _Requester, base_url: str, path: str,
               params: Mapping[str, object] | None = None, *, raw: bool = False) -> Iterator[Any]:
    """Yield each page of a paginated listing, following repaired next links: the parsed JSON, or
    with `raw` only its items (each a `RawItem`: fields decoded, values left as JSON)."""
    decode: Callable[[bytes, str], tuple[Any, str | None, list]] = _raw_page if raw else _page
    endpoint = f"GET {path}"
    repair = NextLinkRepair(base_url, params)
    url: str | None = base_url + path
    call_params: dict | None = {k: v for k, v in (params or {}).items() if v is not None}
    previous = None
    while url:
        response = transport.request("GET", url, params=call_params)
        try:
            # pages are the bulk of an extraction's CPU: msgspec parses them several times faster
            page, href, items = decode(response.content, endpoint)
        except AkeneoAnswerError as exc:
            raise AkeneoAnswerError(exc.message, endpoint=endpoint, status=response.status_code) from None
        except (ValueError, msgspec.DecodeError):
            raise AkeneoAnswerError("Akeneo answered a page that is not JSON (a proxy's error page?)",
                                    endpoint=endpoint, status=response.status_code) from None
        yield page
        if not href or not items:
            return
        previous, url, call_params = url, repair.repair(href), None
        if url == previous:
            raise AkeneoError("Akeneo's next link points at the page just read; stopping to "
                              "avoid a loop", endpoint=f"GET {path}")


def iter_items(transport: _Requester, base_url: str, path: str,
               params: Mapping[str, object] | None = None) -> Iterator[dict]:
    """Yield the items of every page, without their `_links`."""
    for page in iter_pages(transport, base_url, path, params):
        for item in (page.get("_embedded") or {}).get("items") or []:
            item.pop("_links", None)
            yield item
