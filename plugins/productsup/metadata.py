"""Catalog metadata the codec needs, built from the raw JSON lists Akeneo's REST API returns."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .errors import MetadataError
from .units import STANDARD_FAMILIES, FamilyUnits

IDENTIFIER_TYPE = "pim_catalog_identifier"

# How each Akeneo attribute type is written in a cell; types not listed are written as JSON.
VALUE_KINDS = {
    IDENTIFIER_TYPE: "text",
    "pim_catalog_text": "text",
    "pim_catalog_textarea": "text",
    "pim_catalog_number": "number",
    "pim_catalog_metric": "metric",
    "pim_catalog_price_collection": "price",
    "pim_catalog_boolean": "boolean",
    "pim_catalog_date": "date",
    "pim_catalog_simpleselect": "code",
    "pim_catalog_reference_data_simple_select": "code",
    "akeneo_reference_entity": "code",
    "pim_catalog_multiselect": "codes",
    "pim_catalog_reference_data_multi_select": "codes",
    "akeneo_reference_entity_collection": "codes",
    "pim_catalog_asset_collection": "codes",
    "pim_catalog_image": "media",
    "pim_catalog_file": "media",
}


def value_kind(attribute_type: str) -> str:
    return VALUE_KINDS.get(attribute_type, "json")


@dataclass(frozen=True, slots=True)
class AttributeMeta:
    """What the flat format needs to know about one attribute."""

    code: str
    type: str
    localizable: bool = False
    scopable: bool = False
    available_locales: frozenset[str] = frozenset()  # empty: every locale
    metric_family: str | None = None
    default_metric_unit: str | None = None
    decimals_allowed: bool = True
    negative_allowed: bool = True
    options: frozenset[str] | None = None  # None: options unknown, not checked
    main_identifier: bool = False


@dataclass(frozen=True, slots=True)
class ChannelMeta:
    code: str
    locales: frozenset[str]
    currencies: frozenset[str]


@dataclass(frozen=True)
class CatalogMeta:
    """Attributes by code, the identifier attribute, active locales, channels, currencies, units."""

    attributes: Mapping[str, AttributeMeta]
    identifier: str = "sku"
    locales: frozenset[str] = frozenset()  # activated locales
    channels: Mapping[str, ChannelMeta] = field(default_factory=dict)
    currencies: frozenset[str] = frozenset()  # enabled currencies
    measurement_families: Mapping[str, frozenset[str]] = field(default_factory=dict)
    known_locales: frozenset[str] = frozenset()  # every locale the instance knows, active or not
    families: frozenset[str] | None = None  # family codes; None: not known, not checked
    categories: frozenset[str] | None = None  # category codes; None: not known, not checked
    # association type code → is it quantified; None: not known (any `TYPE-products` column is one)
    association_types: Mapping[str, bool] | None = None
    _folded: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        folded: dict[str, str | None] = {}
        for code in self.attributes:
            folded[code.lower()] = None if code.lower() in folded else code
        self._folded.update((k, v) for k, v in folded.items() if v is not None)

    def find_attribute(self, code: str) -> AttributeMeta | None:
        """The attribute with this code; Akeneo codes are case-insensitive, so `Price` finds `price`."""
        attribute = self.attributes.get(code)
        if attribute is None:
            real = self._folded.get(code.lower())
            attribute = self.attributes.get(real) if real is not None else None
        return attribute

    def family_units(self, family: str) -> FamilyUnits:
        return FamilyUnits(family, self.measurement_families.get(family))

    @classmethod
    def from_akeneo(
        cls,
        *,
        attributes: Iterable[Mapping[str, Any]],
        attribute_options: Mapping[str, Iterable[Any]] | Iterable[Mapping[str, Any]] | None = None,
        channels: Iterable[Mapping[str, Any]] = (),
        locales: Iterable[Mapping[str, Any]] | None = None,
        currencies: Iterable[Mapping[str, Any]] | None = None,
        measurement_families: Iterable[Mapping[str, Any]] | None = None,
        families: Iterable[Mapping[str, Any]] | None = None,
        categories: Iterable[Mapping[str, Any]] | None = None,
        association_types: Iterable[Mapping[str, Any]] | None = None,
    ) -> "CatalogMeta":
        """Build from API answers (`/attributes`, `/attributes/{code}/options`, `/channels`, `/locales`,
        `/currencies`, `/measurement-families`, and optionally `/families` and `/categories` to check
        those codes too). Locales and currencies default to the channels' ones."""
        options = _options_by_attribute(attribute_options)
        attrs: dict[str, AttributeMeta] = {}
        for raw in attributes:
            meta = _attribute(raw, options.get(raw.get("code", "")))
            attrs[meta.code] = meta
        chans = {}
        for raw in channels:
            code = _required(raw, "code", "channel")
            chans[code] = ChannelMeta(code, frozenset(raw.get("locales") or ()), frozenset(raw.get("currencies") or ()))
        channel_locales = frozenset(loc for ch in chans.values() for loc in ch.locales)
        channel_currencies = frozenset(cur for ch in chans.values() for cur in ch.currencies)
        if locales is None:
            active_locales, known = channel_locales, channel_locales
        else:
            listed = [raw for raw in locales]
            active_locales = frozenset(_required(r, "code", "locale") for r in listed if r.get("enabled"))
            known = frozenset(_required(r, "code", "locale") for r in listed) | channel_locales
        if currencies is None:
            enabled_currencies = channel_currencies
        else:
            enabled_currencies = frozenset(
                _required(r, "code", "currency") for r in currencies if r.get("enabled", True)
            )
        units_by_family = _families(measurement_families)
        return cls(
            attributes=attrs,
            identifier=_identifier_code(attrs),
            locales=active_locales,
            channels=chans,
            currencies=enabled_currencies,
            measurement_families=units_by_family,
            known_locales=known,
            families=None if families is None else frozenset(_required(f, "code", "family") for f in families),
            categories=None if categories is None else frozenset(_required(c, "code", "category") for c in categories),
            association_types=None if association_types is None else {
                _required(a, "code", "association type"): bool(a.get("is_quantified")) for a in association_types},
        )


def _required(raw: Mapping[str, Any], key: str, what: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise MetadataError(f"{what} without a {key!r}: {dict(raw)!r:.200}")
    return value


def _attribute(raw: Mapping[str, Any], options: frozenset[str] | None) -> AttributeMeta:
    code = _required(raw, "code", "attribute")
    kind = _required(raw, "type", f"attribute {code!r}")
    return AttributeMeta(
        code=code,
        type=kind,
        localizable=bool(raw.get("localizable")),
        scopable=bool(raw.get("scopable")),
        available_locales=frozenset(raw.get("available_locales") or ()),
        metric_family=raw.get("metric_family") or None,
        default_metric_unit=raw.get("default_metric_unit") or None,
        # Akeneo sends null for attribute types where the flag does not apply: null means "no limit".
        decimals_allowed=raw.get("decimals_allowed") is not False,
        negative_allowed=raw.get("negative_allowed") is not False,
        options=options,
        main_identifier=kind == IDENTIFIER_TYPE and bool(raw.get("is_main_identifier")),
    )


def _options_by_attribute(raw) -> dict[str, frozenset[str]]:
    if not raw:
        return {}
    if isinstance(raw, Mapping):
        return {attr: frozenset(_option_code(o) for o in opts) for attr, opts in raw.items()}
    grouped: dict[str, set[str]] = {}
    for option in raw:  # a flat list of option objects, each naming its attribute
        grouped.setdefault(_required(option, "attribute", "attribute option"), set()).add(_option_code(option))
    return {attr: frozenset(codes) for attr, codes in grouped.items()}


def _option_code(option: Any) -> str:
    return option if isinstance(option, str) else _required(option, "code", "attribute option")


def _families(raw) -> dict[str, frozenset[str]]:
    if raw is None:
        return {code: frozenset(units) for code, units in STANDARD_FAMILIES.items()}
    families = {}
    for family in raw:
        code = _required(family, "code", "measurement family")
        units = family.get("units") or {}
        # /measurement-families gives units as an object keyed by code; the older /measure-families a list.
        codes = units.keys() if isinstance(units, Mapping) else (_required(u, "code", "unit") for u in units)
        families[code] = frozenset(codes)
    return families


def _identifier_code(attrs: Mapping[str, AttributeMeta]) -> str:
    identifiers = [a for a in attrs.values() if a.type == IDENTIFIER_TYPE]
    main = [a for a in identifiers if a.main_identifier]
    if main:
        return main[0].code
    if identifiers:
        return identifiers[0].code
    return "sku"
