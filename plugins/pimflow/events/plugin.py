"""Serves the Akeneo event receiver from the Airflow API server, under `/pimflow/events`.

Registered through the `airflow.plugins` entry point (pyproject.toml), as `pimflow.run_notes` is.
Every Airflow component loads plugins; only the API server mounts `fastapi_apps`, and building the
app imports nothing heavier than FastAPI, which Airflow has already imported.
"""
from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from pimflow.events.receiver import URL_PREFIX, create_app


class PimflowEventsPlugin(AirflowPlugin):
    """Akeneo Event Platform deliveries become asset events (`pimflow.events`)."""

    name = "pimflow_events"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "pimflow: Akeneo event receiver"}]
