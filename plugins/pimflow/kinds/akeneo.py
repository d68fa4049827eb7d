"""What an `akeneo` source and an `akeneo` target share: the connection's client, the catalog's
reference data (attributes, options, channels, locales, currencies, measurement families) read once
per run by `prepare` and kept in staging (chunk tasks build the codec from that copy), and the checks
of a profile's names against it.
"""
from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache

from pimflow.errors import NotRetried
from pimflow.kinds.base import RunContext
from pimflow.staging import as_storage_path, read_json, write_json
from productsup.columns import SUFFIX, ColumnRef, format_column, qualifiers, split_suffix
from productsup.convert import UnitConverter
from productsup.metadata import CatalogMeta

REFERENCE_ENTITY_TYPES = ("akeneo_reference_entity", "akeneo_reference_entity_collection")


class AkeneoProfileError(NotRetried, ValueError):
    """A profile setting names something the live Akeneo does not have: the run stops before any write."""


def akeneo_client(connection: str):
    """The client for a connection; one per settings in a task process, so the steps of a task
    share one token and one limiter. The connection's `product_id_format` says whether it reads and
    writes products by uuid or by identifier: the one place that format is set."""
    from akeneo.hook import AkeneoHook

    return _client(AkeneoHook(akeneo_conn_id=connection).get_settings())


def product_id_format(config, role: str, profile_id: str, log=None) -> str:
    """The product id format of an akeneo source's or target's connection (`role`: "source" or
    "target"), after checking the profile's deprecated `product_id` against it.

    The format belongs to the Akeneo instance's API, so it is set in the connection only. A profile
    that still says `product_id` keeps working when it names the connection's format (with a
    warning in `log`); a different one fails the run at its start, saying what to set where,
    rather than reading or writing products another way than its connection says."""
    settings = akeneo_client(config.connection).settings
    stated, actual = getattr(config, "product_id", None), settings.product_id_format
    if stated is not None and stated != actual:
        raise AkeneoProfileError(
            f"profile {profile_id!r}: {role}.product_id is {stated!r}, but connection {config.connection!r} "
            f"reads and writes products by {actual} (its product_id_format, default uuid). The product id "
            f"format is a setting of the connection now: set product_id_format to {stated!r} in connection "
            f"{config.connection!r} (Admin > Connections, or its extra), or name a connection that has it, "
            f"and remove product_id from the profile")
    if stated is not None and log is not None:
        log.warning("profile %s: %s.product_id is deprecated and can go: connection %r already reads and "
                    "writes products by %s (its product_id_format)", profile_id, role, config.connection, actual)
    return actual


@lru_cache(maxsize=16)
def _client(settings):  # frozen settings hash by value, secrets included
    from akeneo.client import AkeneoClient

    return AkeneoClient(settings)


def stage_metadata(ctx: RunContext, client, role: str) -> dict:
    metadata = asdict(client.fetch_catalog_metadata())
    write_json(ctx.staging.root / f"akeneo-{role}-metadata.json", metadata)
    return metadata


@lru_cache(maxsize=8)
def _staged(path: str) -> tuple[CatalogMeta, UnitConverter, dict]:
    raw = read_json(as_storage_path(path))
    meta = CatalogMeta.from_akeneo(
        attributes=raw["attributes"], attribute_options=raw["attribute_options"], channels=raw["channels"],
        locales=raw["locales"], currencies=raw["currencies"], measurement_families=raw["measurement_families"],
        association_types=raw.get("association_types"))
    return meta, UnitConverter.from_akeneo(raw["measurement_families"]), raw


def staged_metadata(ctx: RunContext, role: str) -> tuple[CatalogMeta, UnitConverter, dict]:
    return _staged(str(ctx.staging.root / f"akeneo-{role}-metadata.json"))


def check_names(meta: CatalogMeta, raw: dict, channel: str | None, locales: list[str],
                families: list[str] = (), categories: list[str] = ()) -> None:
    """Fail before any write when a profile names a channel, locale, family or category Akeneo lacks."""
    problems = []
    if channel and channel not in meta.channels:
        problems.append(f"channel {channel!r} does not exist (channels: {', '.join(sorted(meta.channels))})")
    for locale in locales:
        if locale not in meta.locales:
            problems.append(f"locale {locale!r} is not activated")
        elif channel in meta.channels and locale not in meta.channels[channel].locales:
            problems.append(f"locale {locale!r} is not a locale of channel {channel!r}")
    known_families = {f["code"] for f in raw.get("families", [])}
    problems += [f"family {f!r} does not exist" for f in families if known_families and f not in known_families]
    known_categories = {c["code"] for c in raw.get("categories", [])}
    problems += [f"category {c!r} does not exist" for c in categories if known_categories and c not in known_categories]
    if problems:
        raise AkeneoProfileError("the profile does not match Akeneo: " + "; ".join(problems))


def attribute_resolver(meta: CatalogMeta, locale: str | None, channel: str | None):
    """Bare `code` (or `code@EUR`) → its flat column for the profile's locale and channel."""

    def resolve(name: str, columns: list[str]) -> str:
        base, suffix = split_suffix(name)
        if qualifiers(base):
            return name
        attribute = meta.find_attribute(base) if hasattr(meta, "find_attribute") else meta.attributes.get(base)
        if attribute is None:
            return name
        ref = ColumnRef(attribute.code, locale if attribute.localizable else None,
                        channel if attribute.scopable else None, None, None)
        return format_column(ref) + (SUFFIX + suffix if suffix is not None else "")

    return resolve
