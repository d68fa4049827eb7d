"""Each pytest session has its own Airflow home and staging base (two `make test` side by side)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_session_runs_airflow_in_its_own_home_and_staging_base():
    home = Path(os.environ["AIRFLOW_HOME"])
    assert home.parent == ROOT / ".airflow" / "test" and home.name.startswith("session-") and home.is_dir()
    assert Path(os.environ["AIRFLOW__PIMFLOW__STAGING_BASE"]) == home / "staging"
    from airflow.configuration import conf

    assert str(home) in conf.get("database", "sql_alchemy_conn")  # the SQLite file is the session's
    from pimflow.staging import staging_base

    assert staging_base().path == str(home / "staging")
