"""Column names of the flat format: `code`, `code~locale`, `code~scope`, `code~locale~scope`, and for
prices and metrics an `@` suffix in one of two forms:

- pimflow's: the code itself, `price@EUR` (one column per currency) or `weight@KGM`;
- Productsup's: the literal word, `Price~de_DE@currency` (all the value's prices in one cell:
  `740.00 EUR`, or `740.00 EUR<###>800.00 USD`) and `Length~de_DE@unit` (`3000.00 MMT`), the codes
  inside the cells.

A two-part `code~x` is a channel when the catalog has a channel `x`, else a locale."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ColumnError
from .metadata import AttributeMeta, CatalogMeta

SEPARATOR = "~"
SUFFIX = "@"
CURRENCY_WORD = "currency"  # Productsup's `Price~de_DE@currency`: the currencies are in the cell
UNIT_WORD = "unit"  # Productsup's `Length~de_DE@unit`: the unit is in the cell
SUFFIX_WORDS = (CURRENCY_WORD, UNIT_WORD)
PRICE_TYPE = "pim_catalog_price_collection"
METRIC_TYPE = "pim_catalog_metric"
_LOCALE_SHAPE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,4})+")
_FORBIDDEN_IN_CODE = ("-", SEPARATOR, SUFFIX)


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """One addressed value: attribute code, locale, scope, and a currency or unit as written, or
    `word` (`currency` or `unit`) for Productsup's form, where the cell carries the codes."""

    code: str
    locale: str | None = None
    scope: str | None = None
    currency: str | None = None
    unit: str | None = None
    word: str | None = None


def format_column(ref: ColumnRef) -> str:
    """The column name of a reference; refuses codes the format cannot carry."""
    for part, what in ((ref.code, "attribute code"), (ref.locale, "locale"), (ref.scope, "channel")):
        if part is not None:
            bad = [ch for ch in _FORBIDDEN_IN_CODE if ch in part and (ch != "-" or what == "attribute code")]
            if bad or not part:
                raise ColumnError(str(part), f"{what} {part!r} cannot be written as a column: "
                                             f"the flat format forbids {' and '.join(map(repr, bad)) or 'empty codes'}")
    name = ref.code
    if ref.locale is not None:
        name += SEPARATOR + ref.locale
    if ref.scope is not None:
        name += SEPARATOR + ref.scope
    suffix = next((part for part in (ref.currency, ref.unit, ref.word) if part is not None), None)
    if suffix is not None:
        name += SUFFIX + suffix
    return name


def join_column(code: str, *qualifiers: str | None) -> str:
    """`code~locale~scope` from the parts present (no catalog check: labels, record columns)."""
    return SEPARATOR.join(part for part in (code, *qualifiers) if part)


def split_suffix(name: str) -> tuple[str, str | None]:
    """`price~de_DE@EUR` → (`price~de_DE`, `EUR`); a column without a suffix → (name, None)."""
    base, at, suffix = name.partition(SUFFIX)
    return base, (suffix if at else None)


def attribute_code(name: str) -> str:
    """The attribute code a column addresses, without qualifiers and suffix (`price~de_DE@EUR` → `price`)."""
    return split_suffix(name)[0].split(SEPARATOR, 1)[0]


def qualifiers(name: str) -> list[str]:
    """What follows the code in a column name (`label~en_US` → [`en_US`])."""
    return split_suffix(name)[0].split(SEPARATOR)[1:]


def has_suffix_of(name: str, column: str) -> bool:
    """Whether `name` is `column` with a currency or unit suffix (`price@EUR` of `price`)."""
    return name.startswith(column + SUFFIX)


def suffix_word(suffix: str | None) -> str | None:
    """`currency` or `unit` when a suffix is Productsup's literal word (any case), else None."""
    if suffix is None:
        return None
    word = suffix.lower()
    return word if word in SUFFIX_WORDS else None


def code_suffix(name: str) -> str | None:
    """The currency or unit code a column name carries (`price@EUR` → EUR); None without a suffix
    and for Productsup's words (`price@currency`: the code is in each cell)."""
    suffix = split_suffix(name)[1]
    return None if suffix_word(suffix) else suffix


def parse_column(name: str, meta: CatalogMeta) -> ColumnRef:
    """Parse and check a column name against the catalog; raises ColumnError with a plain reason."""
    text = name.strip()
    if not text:
        raise ColumnError(name, "empty column name")
    head, at, suffix = text.partition(SUFFIX)
    if at and (not suffix or SUFFIX in suffix):
        raise ColumnError(name, "write one '@' followed by a currency or unit code, like 'price@EUR'")
    parts = head.split(SEPARATOR)
    code = parts[0]
    if "-" in code:
        raise ColumnError(name, f"attribute code {code!r} contains '-', which the flat format does not allow")
    if len(parts) > 3:
        raise ColumnError(name, f"{len(parts)} '~'-separated parts: the forms are code, code~locale, code~channel "
                                "and code~locale~channel (attribute codes cannot contain '~')")
    if any(not p for p in parts):
        raise ColumnError(name, "empty part between '~' separators")
    attribute = meta.find_attribute(code)
    if attribute is None:
        raise ColumnError(name, f"unknown attribute {code!r}")
    code = attribute.code
    if len(parts) == 3:
        locale, scope = parts[1], parts[2]
    elif len(parts) == 2:
        locale, scope = _locale_or_scope(name, parts[1], attribute, meta)
    else:
        locale = scope = None
    _check_scope(name, attribute, scope, meta)
    _check_locale(name, attribute, locale, scope, meta)
    _check_missing(name, attribute, locale, scope, meta)
    if not at:
        return ColumnRef(code, locale, scope)
    word = suffix_word(suffix)
    if word is not None:
        expected = {PRICE_TYPE: CURRENCY_WORD, METRIC_TYPE: UNIT_WORD}.get(attribute.type)
        if word == expected:
            return ColumnRef(code, locale, scope, word=word)
        if expected is None:
            raise ColumnError(name, f"'@{word}' only applies to prices and metrics; {code!r} is {attribute.type}")
        raise ColumnError(name, f"{code!r} is a {'price' if expected == CURRENCY_WORD else 'metric'}: write "
                                f"'@{expected}', like {format_column(ColumnRef(code, locale, scope, word=expected))!r}")
    if attribute.type == PRICE_TYPE:
        currency = suffix if suffix in meta.currencies else suffix.upper()
        if meta.currencies and currency not in meta.currencies:
            raise ColumnError(name, f"unknown currency {suffix!r} (enabled: {_listing(meta.currencies)})")
        return ColumnRef(code, locale, scope, currency=currency)
    if attribute.type == METRIC_TYPE:
        units = meta.family_units(attribute.metric_family or "")
        if units.resolve(suffix) is None:
            raise ColumnError(name, f"unit {suffix!r} is not in measurement family {units.family!r} "
                                    f"(use one of {units.describe()})")
        return ColumnRef(code, locale, scope, unit=suffix)
    raise ColumnError(name, f"'@' only applies to prices and metrics; {code!r} is {attribute.type}")


def _locale_or_scope(name: str, part: str, attribute: AttributeMeta, meta: CatalogMeta):
    is_channel = part in meta.channels
    is_locale = part in meta.known_locales or bool(_LOCALE_SHAPE.fullmatch(part))
    if is_channel and is_locale:  # a channel spelled like a locale: let the attribute decide
        return (part, None) if attribute.localizable and not attribute.scopable else (None, part)
    if is_channel:
        return None, part
    if is_locale:
        return part, None
    raise ColumnError(name, f"{part!r} is neither a channel ({_listing(meta.channels)}) nor a locale")


def _check_missing(name: str, attribute: AttributeMeta, locale, scope, meta: CatalogMeta) -> None:
    missing = [what for what, needed, given in (("a locale", attribute.localizable, locale),
                                                ("a channel", attribute.scopable, scope)) if needed and given is None]
    if not missing:
        return
    flags = " and ".join(flag for flag, on in (("localizable", attribute.localizable),
                                                ("scopable", attribute.scopable)) if on)
    locales = sorted(attribute.available_locales or meta.locales) or ["en_US"]
    channels = sorted(meta.channels) or ["ecommerce"]
    example = attribute.code
    if attribute.localizable:
        example += SEPARATOR + (locale or locales[0])
    if attribute.scopable:
        example += SEPARATOR + (scope or channels[0])
    raise ColumnError(name, f"attribute {attribute.code!r} is {flags}: add {' and '.join(missing)}, like {example!r}")


def _check_scope(name: str, attribute: AttributeMeta, scope: str | None, meta: CatalogMeta) -> None:
    if scope is None:
        return
    if not attribute.scopable:
        raise ColumnError(name, f"attribute {attribute.code!r} is not scopable: remove the channel {scope!r}")
    if meta.channels and scope not in meta.channels:
        raise ColumnError(name, f"unknown channel {scope!r} (channels: {_listing(meta.channels)})")


def _check_locale(name, attribute: AttributeMeta, locale: str | None, scope: str | None, meta: CatalogMeta) -> None:
    code = attribute.code
    if locale is None:
        return
    if not attribute.localizable:
        raise ColumnError(name, f"attribute {code!r} is not localizable: remove the locale {locale!r}")
    if meta.locales and locale not in meta.locales:
        raise ColumnError(name, f"locale {locale!r} is not activated (active: {_listing(meta.locales)})")
    channel = meta.channels.get(scope) if scope is not None else None
    if channel is not None and channel.locales and locale not in channel.locales:
        raise ColumnError(name, f"locale {locale!r} is not activated for channel {scope!r} "
                                f"(its locales: {_listing(channel.locales)})")
    if attribute.available_locales and locale not in attribute.available_locales:
        raise ColumnError(name, f"attribute {code!r} only takes the locales {_listing(attribute.available_locales)}")


def _listing(codes, limit: int = 8) -> str:
    ordered = sorted(codes)
    more = f", ... ({len(ordered)} in all)" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more or "none"
