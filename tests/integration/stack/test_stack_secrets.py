"""`make airflow` creates its connections without leaving a secret in Airflow's audit log (the
metadata database's `log` table), and its API server listens on 127.0.0.1 unless told otherwise
(issue 17)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from pimflowdev import stack

pytestmark = pytest.mark.integration

SECRETS = {name: f"{name}-{uuid.uuid4().hex}" for name in
           ("akeneo_password", "client_secret", "linnworks_secret", "installation_token")}
CONNECTIONS = {
    "akeneo_default": {"conn_type": "akeneo", "host": "http://127.0.0.1:1", "login": "api_user",
                       "password": SECRETS["akeneo_password"],
                       "extra": {"client_id": "client", "client_secret": SECRETS["client_secret"]}},
    "linnworks_default": {"conn_type": "linnworks", "login": "application", "password": SECRETS["linnworks_secret"],
                          "extra": {"installation_token": SECRETS["installation_token"],
                                    "auth_host": "http://127.0.0.1:2"}},
}
AIRFLOW = Path(sys.executable).with_name("airflow")


def audit_log(home: Path) -> list[str]:
    """Every row of Airflow's audit log, as text."""
    with sqlite3.connect(home / "airflow.db") as db:
        return [json.dumps(row) for row in db.execute("SELECT * FROM log").fetchall()]


def leaked(rows: list[str]) -> set[str]:
    return {name for name, secret in SECRETS.items() for row in rows if secret in row}


def test_the_stacks_connections_leave_no_secret_in_the_audit_log(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("AIRFLOW_HOME", str(home))
    env = stack.stack_env(41000, (41001, 41002))
    stack.install_local_settings(home)

    stack.create_connections(AIRFLOW, env, SimpleNamespace(connections=lambda: CONNECTIONS), tmp_path / "stack.log")
    stack.create_connections(AIRFLOW, env, SimpleNamespace(connections=lambda: CONNECTIONS), tmp_path / "stack.log")

    for conn_id, expected in CONNECTIONS.items():  # stored (once, though created twice), as Airflow reads them
        answer = subprocess.run([str(AIRFLOW), "connections", "get", conn_id, "--output", "json"], env=env,
                                capture_output=True, text=True, timeout=300)
        assert answer.returncode == 0, answer.stderr[-2000:]
        [stored] = json.loads(answer.stdout)
        assert stored["conn_type"] == expected["conn_type"] and stored["password"] == expected["password"]
        assert stored["extra_dejson"] == expected["extra"] and stored["is_extra_encrypted"] == "True"
    rows = audit_log(home)
    assert any("cli_migratedb" in row for row in rows)  # the stack's CLI calls are audited
    assert leaked(rows) == set()

    # what `airflow connections add --conn-json` (the stack's former way) leaves: this check sees it
    old_way = CONNECTIONS["akeneo_default"]
    subprocess.run([str(AIRFLOW), "connections", "add", "old_way", "--conn-json", json.dumps(old_way)],
                   env=env, capture_output=True, timeout=300, check=True)
    assert leaked(audit_log(home)) == {"client_secret"}


def test_the_api_server_listens_on_127_0_0_1_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("PIMFLOW_AIRFLOW_HOST", raising=False)
    env = stack.stack_env(41000, (41001, 41002))
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:41000/execution/"
    assert stack.api_url(env) == "http://127.0.0.1:41000"
    monkeypatch.setenv("PIMFLOW_AIRFLOW_HOST", "0.0.0.0")
    env = stack.stack_env(41000, (41001, 41002))
    assert env["AIRFLOW__API__HOST"] == "0.0.0.0" and stack.api_url(env) == "http://127.0.0.1:41000"
