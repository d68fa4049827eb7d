"""The run report as an Airflow plugin: an app the API server serves, and two views in the UI.

- `fastapi_apps`: the report's app (`pimflow.report.app`) under `/pimflow`. The API server mounts it
  beside its own routes, so the UI's login is the report's: Airflow's auth manager checks every call.
  The app is built when the API server asks for it; the other components that load this plugin (the
  scheduler, the DAG processor, tasks) never import FastAPI's security modules for it.
- `external_views`: "Run report" on every DAG run (`destination: dag_run`; the UI fills `{DAG_ID}` and
  `{RUN_ID}` in `href` and shows the page in an iframe, as a tab of the run), and "Run reports" on every
  DAG (`destination: dag`: its runs, each linking to its report). The UI shows them on every DAG; a DAG
  that is not a pimflow profile's gets a page saying so.

Registered through the `airflow.plugins` entry point (pyproject.toml), as `pimflow.run_notes` is.
"""
from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/pimflow"


@cache
def report_app():
    from pimflow.report.app import create_app

    return create_app()


def base_path() -> str:
    """The path Airflow is served under (`[api] base_url`, e.g. https://host/airflow), '' at the root:
    the views' addresses are the browser's, and the API server mounts the app under that path too."""
    try:
        from airflow.configuration import conf

        base_url = conf.get("api", "base_url", fallback="") or ""
    except Exception:  # pragma: no cover - outside a configured Airflow
        base_url = ""
    return urlsplit(base_url).path.rstrip("/")


def external_views() -> list[dict]:
    base = base_path() + URL_PREFIX
    return [
        {"name": "Run report", "href": base + "/dags/{DAG_ID}/runs/{RUN_ID}", "destination": "dag_run",
         "url_route": "pimflow-run-report"},
        {"name": "Run reports", "href": base + "/dags/{DAG_ID}", "destination": "dag",
         "url_route": "pimflow-run-reports"},
    ]


class PimflowReportPlugin(AirflowPlugin):
    """pimflow's run report in the Airflow UI."""

    name = "pimflow_report"
    external_views = external_views()

    @property
    def fastapi_apps(self) -> list[dict]:  # type: ignore[override]  # built on first use (the API server)
        return [{"name": "pimflow run report", "app": report_app(), "url_prefix": URL_PREFIX}]
