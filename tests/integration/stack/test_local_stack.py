"""`make airflow`'s stack for real: `airflow standalone` with the sandboxes, the project's DAGs
parsed, the connections created, the API server listening on 127.0.0.1 only, the Test button working (with the request the Connections page
sends), a triggered run reaching success on a port other than 8080, and everything stopped
afterwards. The browser test (e2e/browser) goes through the same stack with the UI.

The port the stack tries first is held by another server that answers like an Airflow (as
another test session's stack could): the stack recognises it is not its own and starts again on
another port, rather than talking to someone else's Airflow."""
from __future__ import annotations

import json
import time

import psutil
import pytest
import requests

from sandbox.common.server import free_port, start_server

pytestmark = pytest.mark.integration

DEMO_DAGS = {"demo_feed_to_feed", "demo_feed_to_akeneo", "demo_akeneo_to_linnworks", "demo_stock_to_akeneo"}


def test_local_stack_serves_the_dags_and_tests_the_connections(tmp_path, monkeypatch):
    from pimflowdev import stack

    from test_stack_ports import airflow_like

    home = tmp_path / "home"
    monkeypatch.setenv("AIRFLOW_HOME", str(home))  # its own metadata database, not the tests' one
    with start_server(airflow_like("someone-elses-password")) as foreign:
        ports = iter([foreign.port])
        monkeypatch.setattr(stack, "free_port", lambda: next(ports, None) or free_port())
        sandboxes, process, env = stack.start(log_dir=tmp_path)
    api = stack.api_url(env)
    try:
        assert api != foreign.url
        port = int(env["AIRFLOW__API__PORT"])  # this machine only (Airflow's own default is every interface)
        assert {c.laddr.ip for c in psutil.net_connections(kind="inet")
                if c.status == psutil.CONN_LISTEN and c.laddr.port == port} == {"127.0.0.1"}
        assert "starting Airflow again on another port" in (tmp_path / "standalone.log").read_text()
        token = requests.post(f"{api}/auth/token", json={"username": "admin", "password": stack.admin_password(home)},
                              timeout=30).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        deadline, dag_ids = time.monotonic() + 180, set()
        while time.monotonic() < deadline and not DEMO_DAGS <= dag_ids:
            answer = requests.get(f"{api}/api/v2/dags", headers=headers, timeout=30)
            dag_ids = {dag["dag_id"] for dag in answer.json().get("dags", [])} if answer.ok else set()
            time.sleep(2)
        assert DEMO_DAGS <= dag_ids, (dag_ids, (tmp_path / "standalone.log").read_text()[-3000:])

        stored = requests.get(f"{api}/api/v2/connections/akeneo_default", headers=headers, timeout=30).json()
        assert stored["conn_type"] == "akeneo" and stored["host"] == sandboxes.akeneo_url

        akeneo = sandboxes.connections()["akeneo_default"]
        body = {"connection_id": "akeneo_try", "conn_type": "akeneo", "host": akeneo["host"],
                "login": akeneo["login"], "password": akeneo["password"], "extra": json.dumps(akeneo["extra"])}
        result = requests.post(f"{api}/api/v2/connections/test", json=body, headers=headers, timeout=60).json()
        assert result["status"] is True, result
        wrong = {**body, "extra": json.dumps({**akeneo["extra"], "client_secret": "wrong"})}
        result = requests.post(f"{api}/api/v2/connections/test", json=wrong, headers=headers, timeout=60).json()
        assert result["status"] is False and "refused the credentials" in result["message"], result
        assert "wrong" not in result["message"]  # the secret is never echoed

        for conn_id, stored in sandboxes.connections().items():  # the row's Test button, as the UI sends it
            extra = {key: "***" if key in ("client_secret", "installation_token") else value
                     for key, value in stored["extra"].items()}
            body = {"connection_id": conn_id, "conn_type": stored["conn_type"], "host": stored.get("host") or "",
                    "login": stored["login"], "password": "***", "port": 0, "schema": "", "description": "",
                    "extra": json.dumps(extra)}
            result = requests.post(f"{api}/api/v2/connections/test", json=body, headers=headers, timeout=60)
            assert result.ok and result.json()["status"] is True, (conn_id, result.text)

        # the form sends null for an emptied field; tasks reach the API server on this port
        for _ in range(5):  # SQLite: the scheduler's own writes can make the API server answer 500 once
            run = requests.post(f"{api}/api/v2/dags/demo_feed_to_feed/dagRuns", headers=headers, timeout=30,
                                json={"logical_date": None,
                                      "conf": {"full_sync": None, "identifiers": None, "dry_run": True}})
            if run.status_code < 500:
                break
            time.sleep(2)
        assert run.ok, run.text
        state = wait_for_run(api, headers, "demo_feed_to_feed", run.json()["dag_run_id"])
        assert state == "success", (tmp_path / "standalone.log").read_text()[-3000:]
    finally:
        stack.stop(sandboxes, process)
    assert process.poll() is not None and not stack.group_running(process.pid)  # no component left behind
    assert all(p.poll() is not None for p in sandboxes.processes)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{api}/api/v2/version", timeout=5)


def wait_for_run(api: str, headers: dict, dag_id: str, run_id: str, timeout: float = 240) -> str:
    deadline, state = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        state = requests.get(f"{api}/api/v2/dags/{dag_id}/dagRuns/{run_id}", headers=headers, timeout=30).json()["state"]
        if state in ("success", "failed"):
            break
        time.sleep(2)
    return state
