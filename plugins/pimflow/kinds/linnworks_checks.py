"""Checks a `linnworks` target's settings against the live systems before any write."""
from __future__ import annotations

from pimflow.errors import NotRetried
from pimflow.kinds.linnworks_layout import LENGTH_UNITS, WEIGHT_UNITS
from productsup.columns import ColumnError, parse_column

PRICE_TYPE = "pim_catalog_price_collection"
METRIC_TYPE = "pim_catalog_metric"
MEDIA_TYPES = ("pim_catalog_image", "pim_catalog_file")


class LinnworksProfileError(NotRetried, ValueError):
    """A profile setting names something Linnworks or Akeneo does not have: the run stops before any write."""


def channel_settings(settings) -> list[tuple[str, object]]:
    """(label, mapping) of every setting that names a Linnworks channel."""
    named = []
    for group in ("prices", "titles", "descriptions"):
        for n, mapping in enumerate(getattr(settings, group)):
            if mapping.to == "channel":
                named.append((f"{group}[{n}]", mapping))
    return named


def check_channels(settings, channels) -> None:
    """Every Source/SubSource pair the settings name must be one GetChannels lists."""
    known = {(c.source, c.sub_source) for c in channels}
    problems = [f"{label}: channel {m.source}/{m.subsource} is not in Linnworks"
                for label, m in channel_settings(settings) if (m.source, m.subsource) not in known]
    if problems:
        listing = ", ".join(f"{s}/{ss}" for s, ss in sorted(known)) or "none"
        raise LinnworksProfileError("the profile does not match Linnworks: " + "; ".join(problems)
                                    + f" (GetChannels lists: {listing})")


def attribute_settings(settings) -> list[tuple[str, str, tuple[str, ...]]]:
    """(label, attribute, allowed Akeneo types or ()) of every setting that names an attribute."""
    named = [(f"prices[{n}].attribute", p.attribute, (PRICE_TYPE,)) for n, p in enumerate(settings.prices)]
    named += [(f"titles[{n}].attribute", t.attribute, ()) for n, t in enumerate(settings.titles)]
    named += [(f"descriptions[{n}].attribute", d.attribute, ()) for n, d in enumerate(settings.descriptions)]
    if settings.barcode:
        named.append(("barcode", settings.barcode, ()))
    for name in ("width", "height", "depth", "weight"):
        if getattr(settings.dimensions, name):
            named.append((f"dimensions.{name}", getattr(settings.dimensions, name), (METRIC_TYPE,)))
    if settings.images is not None:
        named.append(("images.main", settings.images.main, MEDIA_TYPES))
        named += [(f"images.others[{n}]", a, MEDIA_TYPES) for n, a in enumerate(settings.images.others)]
    if settings.extended_properties is not None:
        named += [(f"extended_properties.attributes[{n}]", a, ())
                  for n, a in enumerate(settings.extended_properties.attributes)]
    return named


def is_record_column(name: str, reference_attributes: tuple[str, ...]) -> bool:
    """`manufacturer-label~en_US` or `materials_2` / `materials_2-label`: columns of the records of
    the source's `reference_entities` attributes."""
    head = name.split("-", 1)[0]
    base, _, position = head.rpartition("_")
    return (("-" in name and head in reference_attributes)
            or (bool(base) and position.isdigit() and base in reference_attributes))


def check_akeneo_names(settings, meta, resolve, converter, source=None) -> None:
    """Attributes, locales, channels and currencies the settings name must exist in the source's Akeneo,
    with a type that fits (prices, metrics of the right family, images), and be read by the source."""
    problems = []
    read_locales = set(getattr(source, "locales", None) or ())
    read_channel = getattr(source, "channel", None)
    expanded = tuple(getattr(source, "reference_entities", None) or ())
    for label, attribute, types in attribute_settings(settings):
        if is_record_column(attribute, expanded):
            continue  # a reference entity record's value, a column the source adds
        column = resolve(attribute, [])
        try:
            ref = parse_column(column, meta)
        except ColumnError as exc:
            problems.append(f"{label}: {attribute!r}: {exc}")
            continue
        found = meta.find_attribute(ref.code)
        if ref.locale and read_locales and ref.locale not in read_locales:
            problems.append(f"{label}: {attribute!r}: the source does not read locale {ref.locale!r} "
                            f"(source locales: {', '.join(sorted(read_locales))})")
        if ref.scope and read_channel and ref.scope != read_channel:
            problems.append(f"{label}: {attribute!r}: the source reads channel {read_channel!r}, not {ref.scope!r}")
        if types and found.type not in types:
            problems.append(f"{label}: {attribute!r} is {found.type}, not {' or '.join(types)}")
        elif found.type == METRIC_TYPE and label.startswith("dimensions.") and converter is not None:
            unit = (WEIGHT_UNITS[settings.units.weight] if label.endswith("weight")
                    else LENGTH_UNITS[settings.units.length])[0]
            wanted = converter.family_of(unit)
            if found.metric_family and found.metric_family != wanted:
                problems.append(f"{label}: {attribute!r} measures {found.metric_family}, not {wanted}")
    for n, price in enumerate(settings.prices):
        if meta.currencies and price.currency.upper() not in meta.currencies:
            problems.append(f"prices[{n}].currency: {price.currency!r} is not an enabled currency "
                            f"(enabled: {', '.join(sorted(meta.currencies))})")
    if problems:
        raise LinnworksProfileError("the profile does not match Akeneo: " + "; ".join(problems))
