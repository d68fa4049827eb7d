"""The reference run: the same profile with `airflow dags test` on the embedded default (SQLite,
staging in a local folder), against the same sandboxes."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from e2e.cluster.airflow_cluster import REPO
from e2e.cluster.services import tail


@dataclass
class EmbeddedRun:
    skus: list[str]
    items: dict[str, dict]
    summary: dict


def run_embedded(dag_id: str, home: Path, profiles_dir: Path, connection_env: dict, base_env: dict,
                 log_path: Path) -> dict:
    """Run `dag_id` once with `airflow dags test`; returns the run's summary.json."""
    env = {key: value for key, value in base_env.items() if not key.startswith(("AIRFLOW", "PIMFLOW_PROFILES"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "PIMFLOW_PROFILES_DIR": str(profiles_dir),
        **connection_env,
    })
    airflow = str(Path(sys.executable).with_name("airflow"))
    with log_path.open("ab") as log:
        for args in (["db", "migrate"], ["dags", "test", dag_id]):
            code = subprocess.call([airflow, *args], env=env, stdout=log, stderr=subprocess.STDOUT, timeout=600)
            if code:
                raise RuntimeError(f"airflow {' '.join(args)} failed ({code}): {tail(log_path)}")
    summaries = list((home / "pimflow" / "staging" / dag_id / "runs").glob("*/summary.json"))
    assert len(summaries) == 1, summaries
    return json.loads(summaries[0].read_text())
