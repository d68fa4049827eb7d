"""Products and product models in the standard format, with Akeneo's value filters (scope, locales, attributes)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote

import msgspec

from sandbox.akeneo.associations import associations_body, quantified_body, with_inherited
from sandbox.akeneo.errors import unprocessable
from sandbox.akeneo.pagination import Links
from sandbox.akeneo.state import (IDENTIFIER_ATTRIBUTE, AkeneoState, ProductModelRecord, ProductRecord,
                                  format_timestamp)
from sandbox.akeneo.structure import shown_categories


@dataclass
class ValueFilter:
    """Which values to return. `scope` also narrows locales to the channel's unless `locales` is given."""

    scope: Optional[str] = None
    locales: Optional[set[str]] = None
    attributes: Optional[set[str]] = None

    @property
    def active(self) -> bool:
        return self.scope is not None or self.locales is not None or self.attributes is not None

    def apply(self, values: dict) -> dict:
        if not self.active:
            return values
        kept = {}
        for code, entries in values.items():
            if self.attributes is not None and code not in self.attributes:
                continue
            chosen = [entry for entry in entries
                      if (self.scope is None or entry["scope"] is None or entry["scope"] == self.scope)
                      and (self.locales is None or entry["locale"] is None or entry["locale"] in self.locales)]
            if chosen:
                kept[code] = chosen
        return kept


def _split(text: Optional[str]) -> Optional[list[str]]:
    return None if text is None else [part.strip() for part in text.split(",")]


def value_filter(state: AkeneoState, scope: Optional[str], locales: Optional[str],
                 attributes: Optional[str]) -> ValueFilter:
    """Check `attributes`, `scope` and `locales` like Akeneo's list validators, in the same order."""
    attribute_codes, locale_codes = _split(attributes), _split(locales)
    if attribute_codes is not None:
        unknown = [code for code in attribute_codes if code not in state.attributes]
        if unknown:
            template = 'Attributes "{}" do not exist.' if len(unknown) > 1 else 'Attribute "{}" does not exist.'
            raise unprocessable(template.format(", ".join(unknown)))
    if scope is not None and scope not in state.channels:
        raise unprocessable(f'Scope "{scope}" does not exist.')
    if locale_codes is not None:
        active = state.activated_locales()
        unknown = [code for code in locale_codes if code not in active]
        if unknown:
            template = ('Locales "{}" do not exist or are not activated.' if len(unknown) > 1
                        else 'Locale "{}" does not exist or is not activated.')
            raise unprocessable(template.format(", ".join(unknown)))
        if scope is not None:
            outside = [code for code in locale_codes if code not in state.channels[scope]["locales"]]
            if outside:
                subject = f'Locales "{", ".join(outside)}" are' if len(outside) > 1 else f'Locale "{outside[0]}" is'
                raise unprocessable(f'{subject} not activated for the scope "{scope}".')
    if locale_codes is None and scope is not None:
        locale_codes = list(state.channels[scope]["locales"])
    return ValueFilter(scope=scope, locales=set(locale_codes) if locale_codes is not None else None,
                       attributes=set(attribute_codes) if attribute_codes is not None else None)


def product_body(state: AkeneoState, record: ProductRecord, *, by_uuid: bool, links: Optional[Links] = None,
                 values_filter: Optional[ValueFilter] = None) -> dict:
    """One product as GET answers it (`links` adds the `_links.self` of list items)."""
    with_identifier = by_uuid and record.identifier is not None
    if not with_identifier and (values_filter is None or not values_filter.active):
        values = msgspec.Raw(record.values_json)  # already JSON: no decode/encode round trip
    else:
        values = record.values()
        if with_identifier:
            # products-uuid answers carry the identifier as the value of the identifier attribute.
            values = {IDENTIFIER_ATTRIBUTE: [{"locale": None, "scope": None, "data": record.identifier}],
                      **values}
        if values_filter is not None:
            values = values_filter.apply(values)
    body: dict = {}
    if links is not None:
        path = (f"/api/rest/v1/products-uuid/{record.uuid}" if by_uuid
                else f"/api/rest/v1/products/{quote(record.identifier or '', safe='')}")
        body["_links"] = {"self": links.href(path)}
    body["uuid"] = record.uuid
    if not by_uuid:
        body["identifier"] = record.identifier
    body.update({
        "enabled": record.enabled, "family": record.family, "categories": shown_categories(state, record),
        "groups": list(record.groups), "parent": record.parent, "values": values,
        "created": format_timestamp(record.created), "updated": format_timestamp(record.updated),
        "associations": associations_body(state, with_inherited(state, record), by_uuid=by_uuid),
        "quantified_associations": quantified_body(state, record.quantified_associations, by_uuid=by_uuid),
    })
    return body


def product_model_body(state: AkeneoState, record: ProductModelRecord, *, links: Optional[Links] = None,
                       values_filter: Optional[ValueFilter] = None) -> dict:
    """One product model as GET answers it (a sub-model's values include its root's)."""
    values = record.values()
    if values_filter is not None:
        values = values_filter.apply(values)
    body: dict = {}
    if links is not None:
        body["_links"] = {"self": links.href(f"/api/rest/v1/product-models/{quote(record.code, safe='')}")}
    body.update({
        "code": record.code, "family": record.family, "family_variant": record.family_variant,
        "parent": record.parent, "categories": shown_categories(state, record), "values": values,
        "created": format_timestamp(record.created), "updated": format_timestamp(record.updated),
        "associations": associations_body(state, with_inherited(state, record), by_uuid=False),
        "quantified_associations": quantified_body(state, record.quantified_associations, by_uuid=False),
    })
    return body
