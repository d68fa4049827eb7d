"""Akeneo's catalog structure for the `akeneo` source: product models, inherited values, category
trees and reference entity records.

A variant's flat row carries the values of every level above it (root model, sub-model, itself),
so a target never needs to know where a value lives. The models a run met are kept in staging
(`akeneo-models.json`) for the transform and load steps (a Linnworks target finds a variant's
root model there to rebuild its variation group).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta

import msgspec

from pimflow.staging import as_storage_path, read_json, write_json
from productsup.columns import join_column

MODELS_FILE = "akeneo-models.json"
CHUNK_MODELS_FILE = "akeneo-models-{chunk:05d}.json"
RECORDS_FILE = "akeneo-records-{entity}.json"
#: codes per `identifier IN` query when fetching the models a run needs: one fewer than a page
#: (limit 100), so the answer is never a full page and Akeneo gives no `next` link to an empty one
MODEL_CODES_PER_QUERY = 99


class ModelIndex:
    """Product models by code, with their lineage (root first)."""

    def __init__(self, models: Mapping[str, dict]):
        self.models = dict(models)

    def __contains__(self, code: str) -> bool:
        return code in self.models

    def __len__(self) -> int:
        return len(self.models)

    def lineage(self, code: str | None) -> list[dict]:
        """The model `code` and its ancestors, root first (models missing from the index are skipped)."""
        chain: list[dict] = []
        seen: set[str] = set()
        while code and code in self.models and code not in seen:
            seen.add(code)
            chain.append(self.models[code])
            code = self.models[code].get("parent")
        return chain[::-1]

    def root_of(self, code: str | None) -> str | None:
        lineage = self.lineage(code)
        return lineage[0]["code"] if lineage else code

    def missing_parents(self) -> set[str]:
        return {m["parent"] for m in self.models.values() if m.get("parent") and m["parent"] not in self.models}

    def with_inherited_values(self, record: dict) -> dict:
        """The record with the values of its model levels under its own (its own win).

        Akeneo's API already returns a variant with the values of its models; merging again costs
        little and keeps rows complete when only some values were asked for."""
        lineage = self.lineage(record.get("parent"))
        if not lineage:
            return record
        merged: dict[str, list] = {}
        for level in [*lineage, record]:
            for code, entries in (level.get("values") or {}).items():
                slots = {(e.get("locale"), e.get("scope")): e for e in merged.get(code, [])}
                slots.update(((e.get("locale"), e.get("scope")), e) for e in entries)
                merged[code] = list(slots.values())
        return {**record, "values": merged}


def changed_models_since(window_start: datetime | None, window_end: datetime | None,
                         variant_search_days: int | None) -> datetime | None:
    """Where an incremental run's poll for changed models starts: the window's start, but never
    more than `variant_search_days` before its end."""
    if window_start is None:
        return None
    if variant_search_days and window_end is not None:
        return max(window_start, window_end - timedelta(days=variant_search_days))
    return window_start


class ModelSpill:
    """The product models an extract meets, kept as their JSON in a temporary file (code → offset
    and size) with only their parents in memory, so a run's memory does not grow with its models.
    Models are `akeneo.pagination.RawItem`s (or dicts) without `_links`; a model met again replaces
    the earlier one and keeps its place."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._at: dict[str, tuple[int, int]] = {}
        self.parents: dict[str, str | None] = {}
        self._end = 0

    def __contains__(self, code: str) -> bool:
        return code in self._at

    def __len__(self) -> int:
        return len(self._at)

    def __iter__(self) -> Iterator[str]:
        """Codes, in the order models were first met."""
        return iter(self._at)

    def add(self, model: Mapping) -> None:
        from akeneo.pagination import field_value

        code, parent = field_value(model, "code"), field_value(model, "parent")
        data = _encode(model)
        written = os.pwrite(self._file.fileno(), data, self._end)
        self._at[code] = (self._end, written)
        self._end += written
        self.parents[code] = parent or None

    def json(self, code: str) -> bytes:
        offset, size = self._at[code]
        return os.pread(self._file.fileno(), size, offset)

    def record(self, code: str) -> dict:
        """The model as a record: its fields, values left as JSON (`msgspec.Raw`)."""
        return _decode_raw_item(self.json(code))

    def lineage(self, code: str | None) -> list[str]:
        """The codes of model `code` and its ancestors, root first (as `ModelIndex.lineage`)."""
        chain: list[str] = []
        while code and code in self._at and code not in chain:
            chain.append(code)
            code = self.parents[code]
        return chain[::-1]

    def missing_parents(self) -> set[str]:
        return {parent for parent in self.parents.values() if parent and parent not in self._at}

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "ModelSpill":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_encode = msgspec.json.Encoder().encode
_decode_raw_item = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode


def fetch_models(client, codes: Iterable[str], base_query, known: ModelSpill) -> None:
    """Add the models `codes` and their ancestors to `known`, a hundred codes per request."""
    from dataclasses import replace

    wanted = sorted(code for code in set(codes) if code not in known)
    while wanted:
        for start in range(0, len(wanted), MODEL_CODES_PER_QUERY):
            query = replace(base_query, identifiers=tuple(wanted[start:start + MODEL_CODES_PER_QUERY]), uuids=(),
                            updated_since=None, updated_until=None, categories=(), families=(), enabled=None)
            for model in client.iter_product_models(query, raw=True):
                known.add(model)
        unresolved = {code for code in wanted if code not in known}
        wanted = sorted(known.missing_parents() - unresolved)


def stage_models(ctx, models: ModelSpill, parents_by_chunk: Mapping[int, Iterable[str]] | None = None) -> None:
    """Every model the run met (for the link step), and per extract chunk only the lineages its
    records need: a chunk task then reads a few models, not the whole run's. Each file is one JSON
    object, code → model, written a block at a time from the spill."""
    _write_spilled(ctx.staging.root / MODELS_FILE, models, models)
    for chunk, parents in (parents_by_chunk or {}).items():
        needed = dict.fromkeys(code for parent in parents for code in models.lineage(parent))
        _write_spilled(ctx.staging.root / CHUNK_MODELS_FILE.format(chunk=chunk), models, needed)


def _write_spilled(path, models: ModelSpill, codes: Iterable[str], block_bytes: int = 1 << 20) -> None:
    block: list[bytes] = [b"{"]
    size = 0
    with path.open("wb") as handle:
        for n, code in enumerate(codes):
            data = models.json(code)
            block += [b"," if n else b"", _encode(code), b":", data]
            size += len(data)
            if size >= block_bytes:
                handle.write(b"".join(block))
                block, size = [], 0
        block.append(b"}")
        handle.write(b"".join(block))


def staged_models(ctx, chunk: int | None = None) -> ModelIndex:
    """The run's models, or (with `chunk`) those the chunk's records need when extract staged them."""
    if chunk is not None:
        path = ctx.staging.root / CHUNK_MODELS_FILE.format(chunk=chunk)
        if path.exists():
            return ModelIndex(_read(path))
    path = ctx.staging.root / MODELS_FILE
    return _staged_index(str(path)) if path.exists() else ModelIndex({})


def _read(path) -> dict:
    with path.open("rb") as handle:
        return msgspec.json.decode(handle.read())


_INDEX_CACHE: dict[str, ModelIndex] = {}


def _staged_index(path: str) -> ModelIndex:
    index = _INDEX_CACHE.get(path)
    if index is None:
        if len(_INDEX_CACHE) > 4:
            _INDEX_CACHE.clear()
        index = _INDEX_CACHE[path] = ModelIndex(_read(as_storage_path(path)))
    return index


# ----- category trees ---------------------------------------------------------------------------

def category_records(categories: Iterable[dict], locales: Iterable[str]) -> Iterator[dict]:
    """Categories (parents before children) as flat records: code, parent, label~locale and the
    category attribute values as `attribute~locale~channel` (Akeneo keys them `code|uuid|channel|locale`)."""
    locales = list(locales)
    for category in categories:
        row = {"code": category["code"], "parent": category.get("parent") or ""}
        labels = category.get("labels") or {}
        for locale in locales or sorted(labels):
            row[join_column("label", locale)] = labels.get(locale) or ""
        for value in (category.get("values") or {}).values():
            code = str(value.get("attribute_code") or "").split("|", 1)[0]
            if not code:
                continue
            column = join_column(code, value.get("locale"), value.get("channel"))
            row[column] = _category_cell(value.get("data"))
        yield row


def _category_cell(data) -> str:
    if data is None:
        return ""
    if isinstance(data, dict):  # images: {"size", "file_path", "mime_type", "extension", "original_filename"}
        return str(data.get("file_path") or data.get("original_filename") or "")
    if isinstance(data, list):
        return ",".join(map(str, data))
    return str(data)


# ----- reference entities -----------------------------------------------------------------------

def stage_records(ctx, entity: str, records: Iterable[dict]) -> int:
    by_code = {record["code"]: record.get("values") or {} for record in records}
    write_json(ctx.staging.root / RECORDS_FILE.format(entity=entity), by_code)
    return len(by_code)


def staged_records(ctx, entity: str) -> dict[str, dict]:
    path = ctx.staging.root / RECORDS_FILE.format(entity=entity)
    return read_json(path) if path.exists() else {}


def record_columns(prefix: str, values: Mapping[str, list], locales: Iterable[str], channel: str | None) -> dict[str, str]:
    """One record's attribute values as `prefix-attribute[~locale][~channel]` cells (only the run's
    locales and channel)."""
    locales = set(locales)
    cells: dict[str, str] = {}
    for attribute, entries in values.items():
        for entry in entries or ():
            locale, entry_channel = entry.get("locale"), entry.get("channel")
            if locale and locales and locale not in locales:
                continue
            if entry_channel and channel and entry_channel != channel:
                continue
            column = join_column(f"{prefix}-{attribute}", locale, entry_channel)
            data = entry.get("data")
            cells[column] = ",".join(map(str, data)) if isinstance(data, list) else ("" if data is None else str(data))
    return cells
