"""`ProductQuery`: which products to read and which of their values, as Akeneo query params.

Filters (https://api.akeneo.com/documentation/filter.html) are AND-ed: categories with their
children (`IN CHILDREN`), enabled, families, an `updated` window, the product models a variant
descends from (`parent IN`, any depth) and, for a manual sync, a list of identifiers or UUIDs. Long
lists are split over several requests to keep URLs short. `scope` and `locales` are query
parameters that keep only the values a run needs. `for_models()` turns a query into the same
selection of product models (their codes are `identifier`s, `parent` is their direct parent).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from akeneo.pagination import PAGE_SIZE

AKENEO_DATETIME = "%Y-%m-%d %H:%M:%S"
# A manual sync's ids go in the `search` parameter of a GET: keep each request's list short.
IDS_PER_REQUEST = 100
MAX_IDS_SEARCH_CHARS = 4000


@dataclass(frozen=True)
class ProductQuery:
    """Profile-level options of one extraction. Datetimes without a zone are taken as UTC."""

    categories: tuple[str, ...] = ()
    include_category_children: bool = True
    enabled: bool | None = None
    families: tuple[str, ...] = ()
    excluded_families: tuple[str, ...] = ()
    updated_since: datetime | None = None
    updated_until: datetime | None = None
    identifiers: tuple[str, ...] = ()
    uuids: tuple[str, ...] = ()
    scope: str | None = None
    locales: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    models: bool = False

    def __post_init__(self) -> None:
        for name in ("categories", "families", "excluded_families", "identifiers", "uuids",
                     "locales", "attributes", "parents"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(dict.fromkeys(value)))
        if self.identifiers and self.uuids:
            raise ValueError("choose identifiers or uuids for a manual sync, not both")
        if self.models and self.uuids:
            raise ValueError("product models have codes, not uuids")
        if self.updated_since and self.updated_until and \
                _utc(self.updated_since) > _utc(self.updated_until):
            raise ValueError("the updated window starts after it ends")

    @property
    def is_manual(self) -> bool:
        return bool(self.identifiers or self.uuids)

    def for_models(self) -> "ProductQuery":
        """The same selection for /product-models: `enabled` does not apply to models (Akeneo
        refuses the filter); identifiers are taken as model codes."""
        return replace(self, models=True, enabled=None)

    def search_filters(self, server_timezone: str = "UTC") -> dict[str, list[dict]]:
        """The `search` JSON without the id list (see `id_chunks`)."""
        search: dict[str, list[dict]] = {}
        if self.categories:
            operator = "IN CHILDREN" if self.include_category_children else "IN"
            search["categories"] = [{"operator": operator, "value": list(self.categories)}]
        if self.enabled is not None and not self.models:
            search["enabled"] = [{"operator": "=", "value": self.enabled}]
        family = []
        if self.families:
            family.append({"operator": "IN", "value": list(self.families)})
        if self.excluded_families:
            family.append({"operator": "NOT IN", "value": list(self.excluded_families)})
        if family:
            search["family"] = family
        updated = updated_window_filter(self.updated_since, self.updated_until, server_timezone)
        if updated:
            search["updated"] = updated
        return search

    def id_chunks(self) -> list[tuple[str, list[str]]]:
        """(`identifier`|`uuid`, ids) per request; a single empty chunk when not a manual sync."""
        field = "uuid" if self.uuids else "identifier"
        return [(field if ids else "", ids) for ids in split_codes(list(self.uuids or self.identifiers))]

    def request_params(self, server_timezone: str = "UTC") -> list[dict[str, str]]:
        """Query params of each listing request (several when a long id or parent list is split)."""
        filters = self.search_filters(server_timezone)
        requests = []
        for (field, ids), parents in ((chunk, parents) for chunk in self.id_chunks()
                                      for parents in split_codes(list(self.parents))):
            search = dict(filters)
            if ids:
                search[field] = [{"operator": "IN", "value": ids}]
            if parents:
                search["parent"] = [{"operator": "IN", "value": parents}]
            params = {"pagination_type": "search_after", "limit": str(PAGE_SIZE)}
            if search:
                params["search"] = json.dumps(search, separators=(",", ":"))
            params.update(self.value_params())
            requests.append(params)
        return requests

    def value_params(self) -> dict[str, str]:
        """`scope`, `locales` and `attributes`: only the values the run needs travel."""
        params = {}
        if self.scope:
            params["scope"] = self.scope
        if self.locales:
            params["locales"] = ",".join(self.locales)
        if self.attributes:
            params["attributes"] = ",".join(self.attributes)
        return params

    def partitions(self, family_codes: list[str] | tuple[str, ...], parts: int) -> list["ProductQuery"]:
        """Disjoint queries whose union is this one, for reading `parts` at once.

        A manual sync splits its id list. Otherwise families are dealt round-robin into groups
        (`family IN group`); the last partition is `family NOT IN <every other group>`, which
        also catches products without a family and families created since the list was read.
        """
        parts = max(1, parts)
        if self.parents and not self.is_manual:
            chunks = split_codes(list(self.parents))
            groups = [sum(chunks[i::parts], []) for i in range(min(parts, len(chunks)))]
            return [replace(self, parents=tuple(group)) for group in groups]
        if self.is_manual:
            field = "uuids" if self.uuids else "identifiers"
            chunks = [ids for _, ids in self.id_chunks()]
            groups = [sum(chunks[i::parts], []) for i in range(min(parts, len(chunks)))]
            return [replace(self, **{field: tuple(group)}) for group in groups]
        if self.families:
            codes = list(self.families)
            groups = [codes[i::parts] for i in range(min(parts, len(codes)))]
            return [replace(self, families=tuple(group)) for group in groups]
        codes = sorted(set(family_codes) - set(self.excluded_families))
        if parts == 1 or not codes:
            return [self]
        groups = [codes[i::parts] for i in range(min(parts - 1, len(codes)))]
        named = [replace(self, families=tuple(group)) for group in groups]
        taken = tuple(self.excluded_families) + tuple(code for group in groups for code in group)
        return named + [replace(self, excluded_families=taken)]


def split_codes(codes: list[str]) -> list[list[str]]:
    """`codes` in lists short enough for one `search` parameter; [[]] for no codes."""
    if not codes:
        return [[]]
    chunks, current, size = [], [], 0
    for value in codes:
        cost = len(json.dumps(value)) + 1
        if current and (len(current) >= IDS_PER_REQUEST or size + cost > MAX_IDS_SEARCH_CHARS):
            chunks.append(current)
            current, size = [], 0
        current.append(value)
        size += cost
    chunks.append(current)
    return chunks


def updated_window_filter(since: datetime | None, until: datetime | None,
                          server_timezone: str = "UTC") -> list[dict]:
    """The `updated` conditions for [since, until], in Akeneo's `YYYY-MM-DD hh:mm:ss` in the
    server's time zone. Seconds are widened outwards (start floored, end rounded up) so two
    adjacent windows share at most one second and never leave a gap."""
    zone = ZoneInfo(server_timezone)
    if since is not None and until is not None:
        return [{"operator": "BETWEEN", "value": [_format(_floor(since), zone),
                                                   _format(_ceil(until), zone)]}]
    if since is not None:
        # `>` is strict: one second earlier keeps products updated during the first second.
        return [{"operator": ">", "value": _format(_floor(since) - timedelta(seconds=1), zone)}]
    if until is not None:
        return [{"operator": "<", "value": _format(_ceil(until) + timedelta(seconds=1), zone)}]
    return []


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _floor(value: datetime) -> datetime:
    return _utc(value).replace(microsecond=0)


def _ceil(value: datetime) -> datetime:
    value = _utc(value)
    if value.microsecond:
        value = value.replace(microsecond=0) + timedelta(seconds=1)
    return value


def _format(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime(AKENEO_DATETIME)

