"""Serves the Akeneo event receiver from the Airflow API server, under `/pimflow/events`.

Registered through the `airflow.plugins` entry point (pyproject.toml), as `pimflow.run_notes` is.
Every Airflow component loads plugins, task processes included, but only the API server reads
`fastapi_apps`: the app is built when it is read, so the others never import FastAPI for it.
"""
from __future__ import annotations

from functools import cache

from airflow.plugins_manager import AirflowPlugin


@cache
def receiver_apps() -> list[dict]:
    from pimflow.events.receiver import URL_PREFIX, create_app

    return [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "pimflow: Akeneo event receiver"}]


class PimflowEventsPlugin(AirflowPlugin):
    """Akeneo Event Platform deliveries become asset events (`pimflow.events`)."""

    name = "pimflow_events"

    @property
    def fastapi_apps(self) -> list[dict]:  # type: ignore[override]
        return receiver_apps()
