"""Run an ASGI app on 127.0.0.1 in a background thread (tests, demo, benchmarks)."""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn


@dataclass
class RunningServer:
    """A live server: `url` has no trailing slash; `stop()` shuts it down and waits."""

    url: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago. Racy (another process may bind it before the caller
    does): only for servers that cannot bind port 0 and say which port they got; sandboxes bind
    port 0 themselves (`bound_socket`) and report it (banner line, `--ready-file`)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def bound_socket(host: str = "127.0.0.1", port: int = 0, backlog: int = 2048) -> socket.socket:
    """A listening socket on `port` (0: a free port the OS picks and keeps for us).

    Binding here, instead of asking for a free port and binding it later, leaves no moment when
    another process (a second test run) could take the port. It listens at once, so from the
    moment its port is announced a client's connection waits in the backlog until the server
    accepts it, instead of being refused.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def write_ready_file(path: str | os.PathLike | None, info: dict) -> None:
    """Tell a launcher where a sandbox listens: `info` (URLs, ports) as JSON in `path`, written
    whole (a temporary file renamed), so a reader never sees half of it. Written once the sockets
    listen."""
    if not path:
        return
    path = os.fspath(path)
    partial = f"{path}.{os.getpid()}.partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.replace(partial, path)


def start_server(app, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> RunningServer:
    """Start `app` with uvicorn in a daemon thread and return once it accepts connections.

    `port=0` (the default) serves on a port the OS picks; `url` and `port` tell which.
    """
    sock = bound_socket(host, port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off",
                            timeout_keep_alive=30, backlog=2048)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"sandbox server on {host}:{port} did not start")
        time.sleep(0.02)
    return RunningServer(url=f"http://{host}:{port}", port=port, _server=server, _thread=thread)
