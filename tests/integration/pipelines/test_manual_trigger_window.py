"""Trigger with the form untouched syncs what changed since the last successful run, through real
Airflow against the Akeneo sandbox.

Airflow 3.3's trigger form pre-fills the Logical Date with the moment it opened; Airflow then gives
the manual run the last complete interval of the schedule as its data interval, which ends before
anything edited in the last minutes. `dag.test(logical_date=...)` makes a manual run the same way.
"""
from __future__ import annotations

import csv
import json
import uuid
from datetime import datetime, timezone

import pytest
import requests

from pimflowdev.sandboxes import AKENEO_CREDENTIALS

from pipeline_helpers import note_of

pytestmark = pytest.mark.integration

PROFILE = """
id: {dag_id}
schedule: "@hourly"
start_date: 2026-01-01
source:
  kind: akeneo
  channel: ecommerce
  locales: [en_US]
  product_id: identifier
target:
  kind: feed
  path: export.csv
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: title, from: name}}
incremental:
  full_every_runs: 5
retries: 0
"""
EDITED = "PF-000011"  # in the ecommerce channel's tree of the sandbox's catalog (seed 42)


@pytest.fixture
def hourly_profile(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"manual_trigger_{uuid.uuid4().hex[:8]}"), encoding="utf-8")
    return path


def rename(connected, identifier: str, name: str) -> None:
    token = requests.post(f"{connected.akeneo_url}/api/oauth/v1/token", auth=(
        AKENEO_CREDENTIALS["client_id"], AKENEO_CREDENTIALS["client_secret"]), json={
        "grant_type": "password", "username": "admin", "password": "admin"}, timeout=10).json()["access_token"]
    answer = requests.patch(f"{connected.akeneo_url}/api/rest/v1/products/{identifier}", json={
        "values": {"name": [{"locale": "en_US", "scope": None, "data": name}]}},
        headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 204, answer.text


def exported(path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["sku"]: row for row in csv.DictReader(handle)}


def test_trigger_with_the_prefilled_logical_date_syncs_a_product_edited_just_now(connected, hourly_profile,
                                                                                 run_profile):
    first, staging = run_profile(hourly_profile)
    assert first.state == "success"
    assert json.loads((staging / "window.json").read_text())["mode"] == "full"
    state = json.loads((staging.parents[1] / "state.json").read_text())
    synced_until = state["last_window_end"]

    rename(connected, EDITED, "Edited a minute ago")
    # the form as it opens: Logical Date = now, so Airflow infers the last complete hour as the interval
    dag_run, staging = run_profile(hourly_profile, logical_date=datetime.now(timezone.utc))
    assert dag_run.run_type == "manual" and dag_run.state == "success"
    assert dag_run.data_interval_end is not None and dag_run.data_interval_end <= dag_run.run_after

    window = json.loads((staging / "window.json").read_text())
    assert window["mode"] == "incremental" and window["start"] == synced_until
    summary = json.loads((staging / "summary.json").read_text())
    assert (summary["read"], summary["written"]) == (1, 1)
    assert exported(hourly_profile.parent / "export.csv") == {EDITED: {"sku": EDITED, "title": "Edited a minute ago"}}
    assert note_of(dag_run) == "read 1 · written 1"  # the runs list shows it

    # counted as one incremental run towards `full_every_runs`, as a scheduled run is
    state = json.loads((staging.parents[1] / "state.json").read_text())
    assert state["runs_since_full"] == 1 and state["last_window_end"] == window["end"]
