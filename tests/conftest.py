"""Test-wide setup: Airflow lives in an ignored folder of the repo, on SQLite, never in ~/airflow.

The environment is set before anything imports Airflow (its configuration is read at import).
Each pytest session gets its own Airflow home (metadata database, logs) and staging base under
`.airflow/test/<unique>/`, removed when the session ends, so two `make test` on one checkout
never share a database or a staging file.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_HOMES = ROOT / ".airflow" / "test"
TEST_HOMES.mkdir(parents=True, exist_ok=True)
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix=f"session-{os.getpid()}-", dir=TEST_HOMES))

os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__PIMFLOW__STAGING_BASE"] = str(AIRFLOW_HOME / "staging")
os.environ.setdefault("PIMFLOW_PROFILES_DIR", str(ROOT / "include" / "profiles"))
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")


def pytest_unconfigure(config) -> None:
    """The session's Airflow home and staging go with the session."""
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


# Modules that read the metadata database without asking for `airflow_db` (`DagBag.get_dag` reads
# the `dag` table). They used to find a database an earlier session had left in the shared home.
NEEDS_DB = ("tests/unit/pimflow/test_dag_integrity.py",)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.nodeid.startswith(NEEDS_DB) and "airflow_db" not in item.fixturenames:
            item.fixturenames.append("airflow_db")


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated SQLite metadata database for real DAG runs (`dag.test()`)."""
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], env=dict(os.environ),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return AIRFLOW_HOME


@pytest.fixture
def staging_dir(tmp_path, monkeypatch) -> Path:
    """A fresh staging base for one test (state, chunks, feedback files)."""
    path = tmp_path / "staging"
    monkeypatch.setenv("AIRFLOW__PIMFLOW__STAGING_BASE", str(path))
    return path


@pytest.fixture
def run_profile(airflow_db, staging_dir, monkeypatch):
    """Run a profile file's DAG for real with `dag.test()`; returns (dag_run, run staging folder).

    `dag.test()` parses the DAG folder to serialize the DAG, so the profile's folder becomes the
    profiles folder for the test.
    """

    def run(path: Path, conf: dict | None = None, logical_date=None):
        monkeypatch.setenv("PIMFLOW_PROFILES_DIR", str(path.parent))
        from pimflow.factory import build_dag
        from pimflow.loader import load_profiles
        from pimflow.staging import RunStaging, staging_base

        loaded, errors = load_profiles(files=[path])
        assert not errors, errors[0].describe()
        dag = build_dag(loaded[0])
        dag_run = dag.test(run_conf=conf or {}, logical_date=logical_date)
        staging = RunStaging(staging_base(), dag.dag_id, dag_run.run_id)
        return dag_run, Path(staging.root.path)

    return run
