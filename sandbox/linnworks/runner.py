"""Start the auth and data apps together on 127.0.0.1 (tests, demo, benchmarks)."""
from __future__ import annotations

from dataclasses import dataclass

from sandbox.common.server import RunningServer, start_server

from .app import create_auth_app, create_data_app
from .settings import SandboxSettings
from .state import SandboxState


@dataclass
class LinnworksSandbox:
    """Both hosts of a running sandbox; `stop()` (or leaving the `with` block) shuts them down."""

    auth_url: str
    data_url: str
    state: SandboxState
    settings: SandboxSettings
    _servers: tuple[RunningServer, RunningServer]

    def stop(self) -> None:
        for server in self._servers:
            server.stop()

    def __enter__(self) -> "LinnworksSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(state: SandboxState | None = None, settings: SandboxSettings | None = None,
          auth_port: int = 0, data_port: int = 0, host: str = "127.0.0.1",
          public_data_url: str | None = None) -> LinnworksSandbox:
    """Run both apps in background threads; the session's `Server` is the data app's URL
    (or `public_data_url`, when clients reach the data app under another name)."""
    state = state or SandboxState()
    settings = settings or SandboxSettings()
    data = start_server(create_data_app(state, settings), host=host, port=data_port)
    state.store.server_url = (public_data_url or data.url).rstrip("/")
    try:
        auth = start_server(create_auth_app(state, settings), host=host, port=auth_port)
    except BaseException:
        data.stop()
        raise
    return LinnworksSandbox(auth_url=auth.url, data_url=data.url, state=state, settings=settings,
                            _servers=(auth, data))
