"""The Connections page's Test button for connections without a port (Akeneo, Linnworks), on a
stock Airflow 3.3.2.

The page builds the test request of a connection row with `port: Number(connection.port)`, and
`Number(null)` is 0. Airflow 3.3.2's `POST /api/v2/connections/test` reuses the stored secrets (the
page sends `***` in their place) only when the request names the stored host and port, and takes 0
for another port than the stored NULL: it answers 400 "The host or port to test differs from the
stored connection", so Test fails for every Akeneo and Linnworks connection. Airflow fixed it after
3.3.2 (apache/airflow#73298: port 0 counts as unset); `PortlessConnectionTest` sends null instead
of 0, which 3.3.2 already treats as unset.

Registered through the `airflow.plugins` entry point (pyproject.toml), which every Airflow
component loads whatever `[core] lazy_discover_providers` says. (As a provider plugin, in provider
info, Airflow would load it only with `lazy_discover_providers = False`: with the stock setting the
API server never added the middleware and Test failed.) Only the API server uses a root middleware;
other components load the plugin and ignore it.
"""
from __future__ import annotations

import json

from airflow.plugins_manager import AirflowPlugin

CONNECTION_TEST_PATH = "/api/v2/connections/test"


class PortlessConnectionTest:
    """ASGI middleware: a connection test request's `"port": 0` reaches Airflow as `"port": null`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != CONNECTION_TEST_PATH:
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


class PimflowConnectionTestPlugin(AirflowPlugin):
    """pimflow's addition to the API server: the Test button works for connections without a port."""

    name = "pimflow_connection_test"
    fastapi_root_middlewares = [{"name": "pimflow: Test button for connections without a port",
                                 "middleware": PortlessConnectionTest, "args": [], "kwargs": {}}]
