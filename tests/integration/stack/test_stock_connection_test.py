"""The Connections page's Test button on a stock Airflow 3.3.2 with pimflow installed: a plain
`airflow api-server` in a fresh Airflow home, Airflow's defaults everywhere (`[core]
lazy_discover_providers` included) but `[core] test_connection = Enabled`, which stock Airflow needs
for any Test button.

Connections are created through the REST API as the page creates them, and tested as the page's
Test button sends them (`port: 0` for a connection without a port, `***` for the stored secrets):
both types succeed against the sandboxes, and a wrong secret fails with a message that says what
was refused and never shows the secret. The form the page builds comes from the same server
(`/ui/connections/hook_meta`). pimflow's plugin is loaded without an import error.

Before pimflow's Test-button plugin was an `airflow.plugins` entry point, it was a provider plugin,
which Airflow loads only with `lazy_discover_providers = False`: here every test answered 400 "The
host or port to test differs from the stored connection"."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from pimflowdev.sandboxes import start_sandboxes
from pimflowdev.stack import stop_group
from sandbox.common.server import free_port

pytestmark = pytest.mark.integration

AIRFLOW = Path(sys.executable).with_name("airflow")
WRONG = "wrong-secret-6f1a0c3e"


def stock_env(home: Path) -> dict[str, str]:
    """The environment of an Airflow no one configured: none of the tests' (or the shell's)
    AIRFLOW settings, only its home and the switch that shows the Test button."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = str(home)
    env["AIRFLOW__CORE__TEST_CONNECTION"] = "Enabled"
    env["PATH"] = os.pathsep.join([str(AIRFLOW.parent), env.get("PATH", "")])
    return env


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory):
    with start_sandboxes(products=20, log_dir=tmp_path_factory.mktemp("sandbox-logs")) as running:
        yield running


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """(base URL, auth headers) of a stock `airflow api-server` on 127.0.0.1."""
    home = tmp_path_factory.mktemp("stock-airflow-home")
    env = stock_env(home)
    migrated = subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, capture_output=True, text=True, timeout=600)
    assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-2000:]
    log_path = home / "api-server.log"
    for _attempt in range(3):  # another process may take the free port first
        port = free_port()
        with log_path.open("a") as log:
            server = subprocess.Popen([str(AIRFLOW), "api-server", "--host", "127.0.0.1", "--port", str(port)],
                                      env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            if wait_for(url, server):
                break
        except BaseException:
            stop_group(server)
            raise
        stop_group(server)
    else:
        pytest.fail(f"the API server did not start: {log_path.read_text()[-3000:]}")
    try:
        password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
        token = requests.post(f"{url}/auth/token", json={"username": "admin", "password": password},
                              timeout=60).json()["access_token"]
        yield url, {"Authorization": f"Bearer {token}"}
    finally:
        stop_group(server)
    assert "lazy_discover_providers" not in json.dumps(env).lower()


def wait_for(url: str, server: subprocess.Popen, timeout: float = 300) -> bool:
    """Whether the server answers; False when it exited first (a port taken). `timeout` only
    stops a hung start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            if requests.get(f"{url}/api/v2/version", timeout=5).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    return False


def create(api, conn_id: str, fields: dict) -> dict:
    """Create a connection as the page does, and return it as the page lists it (secrets `***`)."""
    url, headers = api
    body = {"connection_id": conn_id, "conn_type": fields["conn_type"], "host": fields.get("host"),
            "login": fields["login"], "password": fields["password"], "extra": json.dumps(fields["extra"])}
    created = requests.post(f"{url}/api/v2/connections", json=body, headers=headers, timeout=60)
    assert created.status_code == 201, created.text
    return requests.get(f"{url}/api/v2/connections/{conn_id}", headers=headers, timeout=60).json()


def press_test(api, listed: dict) -> requests.Response:
    """The request the Connections page's Test button sends for a listed connection."""
    url, headers = api
    body = {"connection_id": listed["connection_id"], "conn_type": listed["conn_type"],
            "description": listed["description"] or "", "extra": listed["extra"] or "{}",
            "host": listed["host"] or "", "login": listed["login"] or "", "password": listed["password"] or "",
            "port": 0 if listed["port"] is None else listed["port"],  # Number(null) is 0
            "schema": listed["schema"] or ""}
    return requests.post(f"{url}/api/v2/connections/test", json=body, headers=headers, timeout=120)


def test_the_test_button_succeeds_for_both_connection_types(api, sandboxes):
    connections = sandboxes.connections()
    akeneo = create(api, "akeneo_stock_ui", connections["akeneo_default"])
    linnworks = create(api, "linnworks_stock_ui", connections["linnworks_default"])
    assert akeneo["port"] is None and linnworks["port"] is None and linnworks["host"] is None
    assert json.loads(akeneo["extra"])["client_secret"] == "***"  # what the page holds and sends back

    answer = press_test(api, akeneo)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": True, "message": f"Connected to Akeneo at {sandboxes.akeneo_url} as admin; "
                                                        f"products can be read."}
    answer = press_test(api, linnworks)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] is True
    assert answer.json()["message"].startswith(f"Connected to Linnworks ({sandboxes.linnworks_data_url})")


def test_a_wrong_secret_fails_with_a_readable_message_that_never_shows_it(api, sandboxes):
    connections = sandboxes.connections()
    akeneo = connections["akeneo_default"]
    akeneo = create(api, "akeneo_wrong_secret", {**akeneo, "extra": {**akeneo["extra"], "client_secret": WRONG}})
    linnworks = create(api, "linnworks_wrong_secret", {**connections["linnworks_default"], "password": WRONG})

    answer = press_test(api, akeneo)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["status"] is False
    assert result["message"].startswith(f"Akeneo at {sandboxes.akeneo_url} refused the credentials (check the "
                                        f"client ID and secret, and the username and password of the API user)")
    answer = press_test(api, linnworks)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["status"] is False
    assert result["message"] == ("Linnworks refused the application credentials (application id "
                                 f"{linnworks['login']}): Auth/AuthorizeByApplication: HTTP 401: Invalid "
                                 "application id or application secret.")
    for result in (answer.json(), press_test(api, akeneo).json()):
        assert WRONG not in result["message"]


def test_the_plugin_loads_without_an_import_error(api):
    url, headers = api
    plugins = requests.get(f"{url}/api/v2/plugins", headers=headers, timeout=60).json()["plugins"]
    ours = {plugin["name"]: plugin for plugin in plugins if plugin["name"].startswith("pimflow")}
    assert [m["name"] for m in ours["pimflow_connection_test"]["fastapi_root_middlewares"]] == [
        "pimflow: Test button for connections without a port"]
    errors = requests.get(f"{url}/api/v2/plugins/importErrors", headers=headers, timeout=60).json()
    assert errors["total_entries"] == 0, errors


def test_the_page_gets_the_forms_pimflow_describes(api):
    url, headers = api
    meta = {entry["connection_type"]: entry for entry in
            requests.get(f"{url}/ui/connections/hook_meta", headers=headers, timeout=60).json()}
    token = meta["linnworks"]["extra_fields"]["installation_token"]
    assert token["schema"]["type"] == "string" and token["schema"]["format"] == "password"  # required, masked
    assert meta["linnworks"]["standard_fields"]["host"]["hidden"] is True
    assert meta["akeneo"]["standard_fields"]["host"]["placeholder"] == "https://my-pim.cloud.akeneo.com"
    assert "1_" in meta["akeneo"]["extra_fields"]["client_id"]["description"]
    assert meta["akeneo"]["extra_fields"]["product_id_format"]["schema"]["enum"] == ["uuid", "identifier"]
