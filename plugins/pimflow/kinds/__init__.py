"""Runtime implementations of source and target kinds, looked up by the profile's `kind`.

A source extracts records into staging chunks and turns a chunk into a flat table; a target loads
flat rows and reports one result per record. The feedback step is shared by every kind.
"""
from __future__ import annotations

import importlib

from pimflow.kinds.base import RunContext, SourceCatalog, SourceChunk, SourceKind, TargetKind

_SOURCES = {"feed": "pimflow.kinds.feed:FeedSourceKind", "akeneo": "pimflow.kinds.akeneo_source:AkeneoSourceKind",
            "linnworks_stock": "pimflow.kinds.linnworks_stock:LinnworksStockSourceKind"}
_TARGETS = {"feed": "pimflow.kinds.feed:FeedTargetKind", "akeneo": "pimflow.kinds.akeneo_target:AkeneoTargetKind",
            "linnworks": "pimflow.kinds.linnworks:LinnworksTargetKind"}


def _load(table: dict[str, str], kind: str):
    module, name = table[kind].split(":")
    return getattr(importlib.import_module(module), name)


def source_kind(profile) -> SourceKind:
    return _load(_SOURCES, profile.source.kind)(profile.source)


def target_kind(profile) -> TargetKind:
    return _load(_TARGETS, profile.target.kind)(profile.target)


__all__ = ["RunContext", "SourceCatalog", "SourceChunk", "SourceKind", "TargetKind", "source_kind", "target_kind"]
