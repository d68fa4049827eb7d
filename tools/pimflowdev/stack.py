"""`make airflow`: a local Airflow 3 (`airflow standalone`: API server with the UI, scheduler, DAG
processor, triggerer; plus a second API server for the Execution API, see below) on SQLite, with the
project's DAGs, both sandboxes running, and the `akeneo_default` and `linnworks_default` connections
pointing at them. Ctrl-C stops everything; so does a component of Airflow that dies, after saying
which (pimflowdev.supervision).

Why two API servers: on SQLite, one API server serving both the UI and the tasks deadlocks itself.
A task's call (a sync route, run in a worker thread) writes, so holds SQLite's write lock, and
commits only when the event loop runs its session's teardown; a UI write such as Trigger (its audit
log row is committed by an async dependency, on the event loop) waits for that lock on the event
loop. Neither can go on until SQLite's wait runs out (BUSY_TIMEOUT_SECONDS): the whole stack stalls,
and the trigger fails with "database is locked". With the Execution API in its own process
(`airflow api-server --apps execution`, where tasks, the triggerer and the DAG processor report),
a UI request waits at most for another process's short transaction."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from pimflowdev.demo import DEMO_VARIANT_SHARE, QUOTA_WINDOW, airflow_env
from pimflowdev.sandboxes import start_sandboxes
from pimflowdev.sqlite_settings import BUSY_TIMEOUT_SECONDS, LOCAL_SETTINGS
from pimflowdev.supervision import EXECUTION_API_LOG, supervise
from sandbox.common.server import free_port

PRODUCTS = 200
#: Tries at a free port for the API server when the caller names none (another process may bind a
#: port between the moment it was seen free and the moment the API server binds it).
PORT_ATTEMPTS = 4
#: How a component of `airflow standalone` (uvicorn, gunicorn) says its port is taken.
_BIND_FAILURES = ("address already in use", "connection in use", "errno 98")


class PortTaken(RuntimeError):
    """Another process serves the port meant for the API server."""


def listen_host() -> str:
    """Where the API server listens: 127.0.0.1 (this machine only) unless `PIMFLOW_AIRFLOW_HOST`
    says otherwise (e.g. 0.0.0.0 to reach the UI from another machine; Airflow's own default)."""
    return os.environ.get("PIMFLOW_AIRFLOW_HOST") or "127.0.0.1"


def connect_host(host: str) -> str:
    """The address to reach a server listening on `host` from this machine."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def stack_env(port: int, log_ports: tuple[int, int] | None = None, host: str | None = None,
              execution_port: int | None = None) -> dict:
    """The stack's environment; `log_ports`: the ports of the worker's and the triggerer's log
    servers (Airflow's defaults 8793 and 8794 would be shared by two stacks on one machine);
    `host`: where the API servers listen (default `listen_host()`); `execution_port`: the port of
    the API server that serves the Execution API alone (default: the main one, `port`)."""
    host = host or listen_host()
    url_host = connect_host(host)
    url_host = f"[{url_host}]" if ":" in url_host else url_host
    env = airflow_env()
    # `airflow standalone` starts its components as `airflow ...` found on the PATH
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update({
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": host,  # Airflow's default is 0.0.0.0: every interface
        # tasks report to the Execution API; without this they call http://localhost:8080/execution/
        # whatever the port (Airflow derives it from [api] base_url, not [api] port)
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{url_host}:{execution_port or port}/execution/",
        # the Test button on the Connections page (Airflow's default leaves it disabled); the rest
        # of what the button needs comes with pimflow (pimflow.connections_api), on stock settings
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
    })
    if log_ports:
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"], env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = map(
            str, log_ports)
    # SQLite: the API server's async engine waits for the write lock too (the sync engine: see
    # install_local_settings)
    env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC", "pimflowdev.sqlite_settings.ASYNC_CONNECT_ARGS")
    # and a task waits for the API server longer than the API server may wait for that lock: with
    # Airflow's 5 s, a busy stack's task could give up before it started ("finished with state
    # failed, but the task instance's state attribute is queued") and its run failed
    env.setdefault("AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT", str(BUSY_TIMEOUT_SECONDS + 30))
    return env


def install_local_settings(home: Path) -> Path:
    """`$AIRFLOW_HOME/config/airflow_local_settings.py`: every Airflow process of this home (the
    stack's components, `airflow backfill create` in another shell) takes SQLite's write lock when a
    transaction begins and waits for it (pimflowdev.sqlite_settings). A file of someone else's is
    left as it is, with a warning."""
    path = home / "config" / "airflow_local_settings.py"
    if path.exists() and path.read_text(encoding="utf-8") != LOCAL_SETTINGS:
        first = path.read_text(encoding="utf-8").splitlines()[:1]
        if not first or "pimflow's local stack" not in first[0]:
            print(f"pimflow: {path} is not the stack's: SQLite may answer \"database is locked\" under load "
                  f"(see tools/pimflowdev/sqlite_settings.py)", file=sys.stderr)
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(LOCAL_SETTINGS, encoding="utf-8")
    return path


def admin_password(home: Path) -> str | None:
    """The password `airflow standalone` generated for `admin` (simple auth manager)."""
    import json

    path = home / "simple_auth_manager_passwords.json.generated"
    return json.loads(path.read_text()).get("admin") if path.exists() else None


def api_url(env: dict) -> str:
    """The API server's (and UI's) address in a stack's environment, as `start` returns it."""
    host = connect_host(env.get("AIRFLOW__API__HOST", "127.0.0.1"))
    return f"http://{f'[{host}]' if ':' in host else host}:{env['AIRFLOW__API__PORT']}"


def start(port: int | None = None, log_dir: Path | None = None, products: int = PRODUCTS):
    """Start sandboxes and Airflow; return (sandboxes, airflow process, env); the API server's
    address is `api_url(env)`.

    The sandboxes bind port 0 and report their ports. The API server cannot: every component
    learns its address from the environment before it starts. So it gets a fixed port, and the
    stack checks that the server answering there is its own (the admin password generated for
    this Airflow home logs in): with `port=None` a port that was free a moment ago, and another
    one, up to PORT_ATTEMPTS times, should another process bind it first; a given `port` that
    another process holds is an error saying so."""
    if port is not None and not _port_free(port, listen_host()):
        raise PortTaken(f"port {port} is already in use: stop what serves it, or choose another port "
                        f"(PIMFLOW_AIRFLOW_PORT)")
    env = stack_env(port or 0)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log_dir = log_dir or home
    log_path = log_dir / "standalone.log"
    install_local_settings(home)
    sandboxes = start_sandboxes(products=products, log_dir=log_dir, quota_window_seconds=QUOTA_WINDOW,
                                variant_share=DEMO_VARIANT_SHARE)
    binary = Path(sys.executable).with_name("airflow")
    try:
        create_connections(binary, env, sandboxes, log_path)
        create_pools(env, log_path)
    except BaseException:
        sandboxes.stop()
        raise
    log_ports = None
    execution_log = log_dir / EXECUTION_API_LOG
    for attempt in range(1, PORT_ATTEMPTS + 1):
        api_port = port or free_port()
        log_ports = log_ports or (free_port(), free_port())
        execution_port = free_port()
        env = stack_env(api_port, log_ports, execution_port=execution_port)
        offsets = {}
        for path in (log_path, execution_log):
            path.touch()
            offsets[path] = path.stat().st_size
        with log_path.open("a") as log:
            process = subprocess.Popen([str(binary), "standalone"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # its own process group: stopped as a whole
        try:
            process.execution_api = start_execution_api(binary, env, execution_port, execution_log)
            wait_for_api(int(env["AIRFLOW__API__PORT"]), process, home, log_path, offsets[log_path],
                         host=env["AIRFLOW__API__HOST"])
            wait_for_execution_api(execution_port, process.execution_api, execution_log, offsets[execution_log],
                                   host=env["AIRFLOW__API__HOST"])
        except PortTaken as exc:
            stop_airflow(process)
            if port is not None or attempt == PORT_ATTEMPTS:
                sandboxes.stop()
                raise PortTaken(f"{exc} ({attempt} port(s) tried; see {log_path})") from None
            with log_path.open("a") as log:
                log.write(f"pimflow: {exc}; starting Airflow again on another port\n")
            continue
        except BaseException:
            stop(sandboxes, process)
            raise
        return sandboxes, process, env
    raise AssertionError("unreachable")


def start_execution_api(binary: Path, env: dict, port: int, log_path: Path) -> subprocess.Popen:
    """The API server that serves the Execution API alone (see the module's docstring), in its own
    process group (stop_airflow stops it)."""
    with log_path.open("a") as log:
        return subprocess.Popen([str(binary), "api-server", "--apps", "execution", "--port", str(port),
                                 "--host", env["AIRFLOW__API__HOST"]],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_execution_api(port: int, process: subprocess.Popen, log_path: Path, log_offset: int,
                           timeout: float = 240, every: float = 1, host: str = "127.0.0.1") -> None:
    """Wait until the Execution API answers on `port` (PortTaken when it could not bind it)."""
    url = api_url({"AIRFLOW__API__HOST": host, "AIRFLOW__API__PORT": port})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _bind_failed(log_path, log_offset, port):
            raise PortTaken(f"the Execution API server could not bind port {port}: another process holds it")
        if process.poll() is not None:
            raise RuntimeError(f"the Execution API server exited ({process.returncode}); see {log_path}")
        try:
            if requests.get(f"{url}/execution/health", timeout=3).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(every)
    raise RuntimeError(f"{url}/execution/ did not answer within {timeout:.0f} s; see {log_path}")


def wait_for_api(port: int, process: subprocess.Popen, home: Path, log_path: Path, log_offset: int,
                 timeout: float = 240, every: float = 1, host: str = "127.0.0.1") -> None:
    """Wait until this stack's API server answers on `port`; PortTaken when its API server could
    not bind the port, or when another server answers there. `timeout` only stops a hung start."""
    url = api_url({"AIRFLOW__API__HOST": host, "AIRFLOW__API__PORT": port})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"airflow standalone exited ({process.returncode}) before {url} answered; "
                               f"see {log_path}")
        if _bind_failed(log_path, log_offset, port):
            raise PortTaken(f"the API server could not bind port {port}: another process holds it")
        try:
            answered = requests.get(f"{url}/api/v2/version", timeout=3).status_code == 200
        except requests.RequestException:
            answered = False
        if answered:
            password = admin_password(home)
            if password is not None:
                login = requests.post(f"{url}/auth/token", json={"username": "admin", "password": password},
                                      timeout=30)
                if login.ok:
                    return
                if login.status_code in (401, 403):
                    raise PortTaken(f"another server answers on port {port} (this stack's admin cannot log in)")
        time.sleep(every)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s; see {log_path}")


def _bind_failed(log_path: Path, offset: int, port: int) -> bool:
    """Whether the log says, since `offset`, that `port` was taken (a line naming the port: other
    components' bind failures, e.g. a log server's, are not the API server's)."""
    try:
        with log_path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", "replace").lower()
    except OSError:
        return False
    return any(str(port) in line and any(words in line for words in _BIND_FAILURES) for line in text.splitlines())


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))  # where the API server listens
        except OSError:
            return False
    return True


def create_connections(binary: Path, env: dict, sandboxes, log_path: Path) -> None:
    """Real connections in the metadata database (listed, editable and testable in the UI), written
    by pimflowdev.connections rather than `airflow connections add`, whose audit log row would keep
    the secrets in `extra` in clear."""
    import json

    with log_path.open("a") as log:
        if subprocess.call([str(binary), "db", "migrate"], env=env, stdout=log, stderr=subprocess.STDOUT):
            raise RuntimeError(f"airflow db migrate failed: see {log_path}")
        written = subprocess.run([sys.executable, "-m", "pimflowdev.connections"], env=env, stdout=log,
                                 stderr=subprocess.STDOUT, input=json.dumps(sandboxes.connections()), text=True)
    if written.returncode:
        raise RuntimeError(f"creating the connections failed: see {log_path}")


def create_pools(env: dict, log_path: Path) -> None:
    """The pool of every connection the profiles write to (`pimflow pools --create`: one writer at
    a time; a pool that exists keeps its slots)."""
    with log_path.open("a") as log:
        code = subprocess.call([str(Path(sys.executable).with_name("pimflow")), "pools", "--create"], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    if code:
        raise RuntimeError(f"pimflow pools --create failed: see {log_path}")


def stop(sandboxes, process: subprocess.Popen) -> None:
    """Stop Airflow's whole process group (components and task processes), then the sandboxes."""
    stop_airflow(process)
    sandboxes.stop()


def stop_airflow(process: subprocess.Popen) -> None:
    """Stop Airflow: standalone's whole process group (components and task processes), then the
    Execution API server the stack started beside it (`process.execution_api`, its own group)."""
    stop_group(process)
    execution_api = getattr(process, "execution_api", None)  # a bare standalone has none
    if execution_api is not None:
        stop_group(execution_api)


def stop_group(process: subprocess.Popen) -> None:
    """Stop a process started in its own process group, and everything in that group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + 20  # a group's other processes may outlive its leader by a moment
    while group_running(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_running(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def group_running(pgid: int) -> bool:
    """Whether a process of the group still runs (exited ones waiting to be reaped do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if int(group) == pgid and state not in "ZX":
            return True
    return False


def main() -> int:
    port = int(os.environ.get("PIMFLOW_AIRFLOW_PORT", "8080"))
    print("Starting the sandboxes and Airflow (API server, Execution API server, scheduler, DAG processor, "
          "triggerer)...", flush=True)
    try:
        sandboxes, process, env = start(port)
    except PortTaken as exc:
        print(f"Cannot start Airflow: {exc}", file=sys.stderr)
        return 1
    home = Path(env["AIRFLOW_HOME"])
    print(f"\nAirflow UI:  {api_url(env)}")
    print(f"Log in as:   admin / {admin_password(home) or '(see ' + str(home) + '/simple_auth_manager_passwords.json.generated)'}")
    print(f"Sandboxes:   Akeneo {sandboxes.akeneo_url}   Linnworks {sandboxes.linnworks_auth_url} (auth), "
          f"{sandboxes.linnworks_data_url} (data)")
    print("Connections: akeneo_default, linnworks_default (pointing at the sandboxes)")
    print(f"Logs:        {home / 'standalone.log'}, {home / EXECUTION_API_LOG}, task logs under {home / 'logs'}")
    print("Ctrl-C stops everything. Should a component of Airflow stop, this says which and stops too.", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    code = 0
    try:
        code = supervise(process, home / "standalone.log", stopping=lambda: bool(stopping))
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping Airflow and the sandboxes...", flush=True)
        stop(sandboxes, process)
    return code


if __name__ == "__main__":
    sys.exit(main())
