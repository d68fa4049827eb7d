"""Airflow provider entry point: registers the `akeneo` and `linnworks` connection types, and a
plugin that makes the Connections page's Test button work for connections without a port.

Airflow reads this through the `apache_airflow_provider` entry point (pyproject.toml). The form
fields of each type live beside its hook (`akeneo/connection.py`, `linnworks/connection.py`) as
plain data, so the UI can render them without importing the hooks.
"""
from __future__ import annotations

import importlib
import json

_CONNECTION_MODULES = ("akeneo.connection", "linnworks.connection")
_CONNECTION_TEST_PATH = "/api/v2/connections/test"


def connection_types() -> list[dict]:
    types = []
    for name in _CONNECTION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        types.append(module.CONNECTION_TYPE)
    return types


def get_provider_info() -> dict:
    return {
        "package-name": "pimflow",
        "name": "pimflow",
        "description": "Akeneo PIM and Linnworks connections for pimflow's sync profiles.",
        "versions": ["0.1.0"],
        "connection-types": connection_types(),
        # Airflow loads provider plugins only with `[core] lazy_discover_providers = False`.
        "plugins": [{"name": "pimflow", "plugin-class": "pimflow.provider.PimflowPlugin"}],
    }


class PortlessConnectionTest:
    """ASGI middleware: the Test button sends `port: 0` for a connection without a port.

    The Connections page builds the test request with `port: Number(connection.port)`, and
    `Number(null)` is 0. Airflow 3.3.2 takes 0 for another destination than the stored NULL and
    answers 400 (stored secrets are only reused for the same host and port), so Test fails for every
    Akeneo and Linnworks connection. Airflow fixed it in the API after 3.3.2 (apache/airflow#73298:
    port 0 counts as unset); this sends null instead of 0, which 3.3.2 already treats as unset.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != _CONNECTION_TEST_PATH:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = without_zero_port(b"".join(chunks))
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        request = {"type": "http.request", "body": body, "more_body": False}
        await self.app({**scope, "headers": headers}, _replay([request], receive), send)


def without_zero_port(body: bytes) -> bytes:
    """The test request with `"port": 0` as `"port": null`; any other body unchanged."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict) or data.get("port") != 0 or isinstance(data.get("port"), bool):
        return body
    return json.dumps({**data, "port": None}).encode()


def _replay(messages: list[dict], receive):
    pending = list(messages)

    async def replayed():
        return pending.pop(0) if pending else await receive()

    return replayed


def __getattr__(name: str):
    # Built on first use: provider info is read while Airflow loads its configuration, when this
    # module must not import Airflow yet.
    if name == "PimflowPlugin":
        from airflow.plugins_manager import AirflowPlugin

        plugin = type("PimflowPlugin", (AirflowPlugin,), {
            "__module__": __name__,
            "__doc__": "pimflow's additions to the API server.",
            "name": "pimflow",
            "fastapi_root_middlewares": [{"name": "pimflow: Test button for connections without a port",
                                          "middleware": PortlessConnectionTest, "args": [], "kwargs": {}}],
        })
        globals()[name] = plugin
        return plugin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
