"""Akeneo PIM: connection type, hook and client (OAuth, throttle, retries, pagination, search
filters, batch PATCH).

Importing the package stays light (the provider reads `akeneo.connection` at UI time); the
names below load their modules on first use.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "AkeneoClient": "akeneo.client",
    "AkeneoConnectionSettings": "akeneo.settings",
    "AkeneoHook": "akeneo.hook",
    "CatalogMetadata": "akeneo.metadata",
    "LineError": "akeneo.writer",
    "LineResult": "akeneo.writer",
    "ProductModelWriter": "akeneo.writer",
    "ProductQuery": "akeneo.search",
    "ProductWriter": "akeneo.writer",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'akeneo' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
