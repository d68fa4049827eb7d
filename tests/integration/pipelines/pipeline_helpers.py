"""Reading the sandboxes' state in pipeline tests."""
from __future__ import annotations

import requests


def akeneo_product(sandboxes, identifier: str) -> dict | None:
    answer = requests.get(f"{sandboxes.akeneo_url}/_sandbox/products/{identifier}", timeout=10)
    return answer.json() if answer.status_code == 200 else None


def akeneo_calls(sandboxes, method_and_route: str) -> int:
    stats = requests.get(f"{sandboxes.akeneo_url}/_sandbox/stats", timeout=10).json()
    return stats["requests"].get(method_and_route, 0)


def value(product: dict, attribute: str, locale=None, scope=None):
    for entry in product["values"].get(attribute, []):
        if entry["locale"] == locale and entry["scope"] == scope:
            return entry["data"]
    return None


def in_tree(catalog, root: str) -> set[str]:
    """The category `root` and all its descendants in a generated catalog."""
    codes, grew = {root}, True
    while grew:
        more = {c["code"] for c in catalog.categories.values() if c["parent"] in codes}
        grew, codes = bool(more - codes), codes | more
    return codes


def note_of(dag_run) -> str | None:
    """The run's note as the metadata database holds it (what the UI and the REST API show)."""
    from airflow.models import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_run.dag_id, DagRun.run_id == dag_run.run_id))
        return run.note
