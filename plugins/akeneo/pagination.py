"""Following Akeneo's `_links.next.href` (the cursor is opaque: never built by hand).

Two surprises are repaired before a next link is followed:
- a proxy in front of Akeneo may rewrite links to another scheme or host (or links may be
  relative): the link is brought back to the connection's base URL;
- Akeneo drops `search_locale` (and possibly other filter parameters) from next links: any query
  parameter of the first request that the link lost is put back, so page 2 filters like page 1.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import msgspec

from akeneo.errors import AkeneoError

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


def iter_pages(transport: _Requester, base_url: str, path: str,
               params: Mapping[str, object] | None = None) -> Iterator[dict]:
    """Yield each page (parsed JSON) of a paginated listing, following repaired next links."""
    repair = NextLinkRepair(base_url, params)
    url: str | None = base_url + path
    call_params: dict | None = {k: v for k, v in (params or {}).items() if v is not None}
    previous = None
    while url:
        response = transport.request("GET", url, params=call_params)
        try:
            # pages are the bulk of an extraction's CPU: msgspec parses them several times faster
            page = msgspec.json.decode(response.content)
        except (ValueError, msgspec.DecodeError):
            raise AkeneoError("Akeneo answered a page that is not JSON (a proxy's error page?)",
                              endpoint=f"GET {path}", status=response.status_code) from None
        yield page
        href = ((page.get("_links") or {}).get("next") or {}).get("href")
        items = (page.get("_embedded") or {}).get("items") or []
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
