"""A record's history through real runs (issue 18): a feed → Linnworks profile runs three times
through real Airflow against the Linnworks sandbox; its kit KIT-1 is refused (a bad quantity), then
created once fixed, then found unchanged. `pimflow history KIT-1` (the installed command, in its own
process, reading the staging base as a user's shell would) shows the three runs, newest first; the
run folders could be gone by then: the history is kept apart from them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pimflow.history import record_history

pytestmark = pytest.mark.integration

FEED = "sku;name;PACK-products\nMUG;Mug;\nCAP;Cap;\nKIT-1;Mug and cap;{kit}\n"

PROFILE = """
id: {dag_id}
retries: 0
source: {{kind: feed, path: kits.csv, delimiter: ";"}}
target:
  kind: linnworks
  titles:
    - {{attribute: name, to: item}}
  compositions: {{association: PACK}}
"""


def pimflow(*args: str, staging: Path) -> subprocess.CompletedProcess:
    command = Path(sys.executable).with_name("pimflow")
    return subprocess.run([str(command), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "AIRFLOW__PIMFLOW__STAGING_BASE": str(staging)})


def test_three_runs_give_a_sku_three_outcomes_and_pimflow_history_shows_them(
        connected, tmp_path, run_profile, staging_dir):
    dag_id = f"history_kits_{uuid.uuid4().hex[:8]}"
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE.format(dag_id=dag_id), encoding="utf-8")
    feed = tmp_path / "kits.csv"
    runs = []
    for kit in ("MUG|two<###>CAP|1", "MUG|2<###>CAP|1", "MUG|2<###>CAP|1"):
        feed.write_text(FEED.format(kit=kit), encoding="utf-8")
        dag_run, staging = run_profile(profile)
        assert dag_run.state == "success"
        runs.append(dag_run.run_id)
    last = json.loads((staging / "summary.json").read_text())
    assert last["statuses"] == {"unchanged": 3}

    entries = record_history("KIT-1", dag_id)
    assert [(e.run_id, e.status, e.code) for e in entries] == [
        (runs[2], "unchanged", ""), (runs[1], "created", ""), (runs[0], "refused", "invalid_value")]
    assert entries[2].message.startswith("kit KIT-1: PACK-products 'MUG|two<###>CAP|1': 'MUG|two': the quantity")
    assert entries[0].finished_at > entries[1].finished_at > entries[2].finished_at
    assert entries[0].target_id and entries[0].target_id == entries[1].target_id  # the item Linnworks holds
    assert {e.run_type for e in entries} == {"manual"} and {e.outcome for e in entries} == {"success"}

    shutil.rmtree(staging_dir / dag_id / "runs")  # the bulky run folders gone (staging retention)
    answer = pimflow("history", "KIT-1", "--profile", dag_id, staging=staging_dir)
    assert answer.returncode == 0, answer.stderr
    lines = answer.stdout.splitlines()
    assert lines[0] == "history of KIT-1: 3 run(s), newest first"
    assert lines[1].split() == ["time", "run", "status", "code", "message"]
    assert [line.split()[2:5] for line in lines[2:]] == [
        [runs[2], "unchanged", "-"], [runs[1], "created", "-"], [runs[0], "refused", "invalid_value"]]
    assert "the quantity 'two' is not a whole number of at least 1" in lines[4]

    by_file = pimflow("history", "MUG", "--profile", str(profile), "--json", staging=staging_dir)
    assert by_file.returncode == 0, by_file.stderr
    assert [entry["status"] for entry in json.loads(by_file.stdout)] == ["unchanged", "unchanged", "created"]

    missing = pimflow("history", "KIT-404", staging=staging_dir)
    assert (missing.returncode, missing.stderr.strip()) == (1, "no history for KIT-404")
