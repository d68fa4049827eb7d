"""Run an ASGI app on 127.0.0.1 in a background thread (tests, demo, benchmarks)."""
from __future__ import annotations

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
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening-ready socket on `port` (0: a free port the OS picks and keeps for us).

    Binding here, instead of asking for a free port and binding it later, leaves no moment when
    another process (a second test run) could take the port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


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
