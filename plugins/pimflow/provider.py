"""Airflow provider entry point: registers the `akeneo` and `linnworks` connection types.

Airflow reads this through the `apache_airflow_provider` entry point (pyproject.toml), while it
loads its configuration: this module imports nothing of Airflow's. The form fields of each type live
beside its hook (`akeneo/connection.py`, `linnworks/connection.py`) as plain data, so the UI renders
them without importing the hooks, with Airflow's default `[core] lazy_discover_providers = True`.

No provider plugin here: Airflow loads those only with `lazy_discover_providers = False`. What the
API server needs for the Test button (`pimflow.connections_api`) is an `airflow.plugins` entry
point instead, loaded whatever that setting says.
"""
from __future__ import annotations

import importlib

_CONNECTION_MODULES = ("akeneo.connection", "linnworks.connection")


def connection_types() -> list[dict]:
    types = []
    for name in _CONNECTION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        types.append(module.CONNECTION_TYPE)
    return types


def get_provider_info() -> dict:
    return {
        "package-name": "pimflow",
        "name": "pimflow",
        "description": "Akeneo PIM and Linnworks connections for pimflow's sync profiles.",
        "versions": ["0.1.0"],
        "connection-types": connection_types(),
    }
