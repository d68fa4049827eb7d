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


def start_server(app, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> RunningServer:
    """Start `app` with uvicorn in a daemon thread and return once it accepts connections."""
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off",
                            timeout_keep_alive=30, backlog=2048)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"sandbox server on {host}:{port} did not start")
        time.sleep(0.02)
    return RunningServer(url=f"http://{host}:{port}", port=port, _server=server, _thread=thread)
