"""The local stack's API server has a fixed port (Airflow's components learn its address before it
binds), so the stack makes sure the server answering there is its own: a port another process
took first is recognised (its server answers, or the API server logs that the port is in use),
never silently used. No Airflow is started here: the processes are stand-ins."""
from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pimflowdev import stack
from sandbox.common.server import start_server

pytestmark = pytest.mark.integration

PASSWORD = "this-stacks-password"


def airflow_like(password: str) -> Starlette:
    """Answers like an Airflow API server whose admin has `password`."""

    async def version(request: Request) -> JSONResponse:
        return JSONResponse({"version": "3"})

    async def token(request: Request) -> JSONResponse:
        body = await request.json()
        if body == {"username": "admin", "password": password}:
            return JSONResponse({"access_token": "t"}, status_code=201)
        return JSONResponse({"detail": "Invalid credentials"}, status_code=401)

    return Starlette(routes=[Route("/api/v2/version", version), Route("/auth/token", token, methods=["POST"])])


@pytest.fixture
def home(tmp_path):
    (tmp_path / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({"admin": PASSWORD}))
    return tmp_path


@pytest.fixture
def standalone():
    """A stand-in for `airflow standalone`: a process that runs until stopped."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield process
    process.kill()
    process.wait()


def test_the_stacks_own_api_server_is_recognised(home, tmp_path, standalone):
    with start_server(airflow_like(PASSWORD)) as server:
        stack.wait_for_api(server.port, standalone, home, tmp_path / "standalone.log", 0, every=0.01)


def test_another_server_on_the_port_is_recognised(home, tmp_path, standalone):
    with start_server(airflow_like("another-stacks-password")) as server:
        with pytest.raises(stack.PortTaken, match=f"another server answers on port {server.port}"):
            stack.wait_for_api(server.port, standalone, home, tmp_path / "standalone.log", 0, every=0.01)


def test_a_bind_failure_logged_after_the_start_is_recognised(home, tmp_path, standalone):
    log = tmp_path / "standalone.log"
    earlier = "api-server | [Errno 98] error while attempting to bind on address: address already in use\n"
    log.write_text(earlier)  # an earlier start's failure, before this start's offset: not this one's
    with log.open("a") as handle:
        handle.write("api-server | ERROR:    [Errno 98] error while attempting to bind on address "
                     "('0.0.0.0', 8793): address already in use\n")
    with pytest.raises(stack.PortTaken, match="could not bind port 8793"):
        stack.wait_for_api(8793, standalone, home, log, 0, every=0.01)
    assert not stack._bind_failed(log, log.stat().st_size, 8793)
    assert stack._bind_failed(log, len(earlier), 8793)
    # another component's port (a second stack's log server on Airflow's default 8793) is not the API server's
    assert not stack._bind_failed(log, len(earlier), 43575)


def test_two_stacks_on_one_machine_get_their_own_log_server_ports():
    first, second = stack.stack_env(41000, (41001, 41002)), stack.stack_env(42000, (42001, 42002))
    names = ("AIRFLOW__API__PORT", "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT")
    assert [first[name] for name in names] == ["41000", "41001", "41002"]
    assert not {first[name] for name in names} & {second[name] for name in names}


def test_a_given_port_that_is_in_use_is_refused_before_anything_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))
    started = []
    monkeypatch.setattr(stack, "start_sandboxes", lambda **kwargs: started.append(kwargs))
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(stack.PortTaken, match=f"port {port} is already in use.*PIMFLOW_AIRFLOW_PORT"):
            stack.start(port, log_dir=tmp_path)
    assert started == []
