"""Airflow finds the `akeneo` and `linnworks` connection types through the provider entry point,
with labelled form fields (the Connections page renders them), and, through the `airflow.plugins`
entry point (loaded whatever `[core] lazy_discover_providers` says), the plugin that lets the page's
Test button reach connections without a port. The Test button's behaviour is tested against the
sandboxes in tests/integration/akeneo, tests/integration/linnworks and the stack tests
(test_stock_connection_test.py: a stock API server)."""
from __future__ import annotations

import json

import pytest


def test_connection_types_are_registered_with_their_forms():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "pimflow" in manager.providers
    assert {"akeneo", "linnworks"} <= set(manager.hooks)
    widgets = manager.connection_form_widgets
    for field in ("extra__akeneo__client_id", "extra__akeneo__client_secret", "extra__akeneo__product_id_format",
                  "extra__linnworks__installation_token", "extra__linnworks__auth_host"):
        assert widgets[field].field["schema"].get("title"), field
    assert widgets["extra__akeneo__client_secret"].is_sensitive
    assert widgets["extra__linnworks__installation_token"].is_sensitive
    assert manager.field_behaviours["akeneo"]["relabeling"]["host"] == "Base URL"


def test_the_test_button_plugin_is_an_entry_point_plugin_not_a_provider_plugin():
    """Airflow loads provider plugins only with `lazy_discover_providers = False`; entry point
    plugins always. Listed once: a plugin registered both ways would be an import error."""
    from importlib.metadata import entry_points

    from airflow.plugins_manager import is_valid_plugin
    from pimflow.connections_api import PortlessConnectionTest
    from pimflow.provider import get_provider_info

    assert "plugins" not in get_provider_info()
    (entry,) = [e for e in entry_points(group="airflow.plugins") if e.name == "pimflow_connection_test"]
    plugin = entry.load()
    assert is_valid_plugin(plugin)
    assert [m["middleware"] for m in plugin.fastapi_root_middlewares] == [PortlessConnectionTest]


def test_airflow_adds_the_middleware_with_stock_lazy_provider_discovery(monkeypatch):
    from airflow import plugins_manager, settings
    from pimflow.connections_api import PortlessConnectionTest

    monkeypatch.setattr(settings, "LAZY_LOAD_PROVIDERS", True)  # Airflow's default
    caches = (plugins_manager._get_plugins, plugins_manager.get_fastapi_plugins)
    for cached in caches:
        cached.cache_clear()
    try:
        _, middlewares = plugins_manager.get_fastapi_plugins()
    finally:
        for cached in caches:
            cached.cache_clear()
    assert PortlessConnectionTest in [m["middleware"] for m in middlewares]


def _echo_app():
    """A stand-in API server that answers with the JSON body and Content-Length it received."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def echo(request):
        return JSONResponse({"body": await request.json(), "length": int(request.headers["content-length"])})

    return Starlette(routes=[Route(path, echo, methods=["POST"])
                             for path in ("/api/v2/connections/test", "/api/v2/connections")])


def test_the_test_buttons_port_zero_reaches_airflow_as_no_port():
    """The Connections page sends `port: 0` for a connection without a port (`Number(null)`)."""
    from pimflow.connections_api import PortlessConnectionTest

    app = PortlessConnectionTest(_echo_app())
    sent = {"connection_id": "akeneo_default", "conn_type": "akeneo", "host": "http://pim", "port": 0,
            "password": "***", "extra": '{"client_secret": "***"}'}
    answer = _post(app, "/api/v2/connections/test", json=sent).json()
    assert answer["body"] == {**sent, "port": None}
    assert answer["length"] == len(json.dumps(answer["body"]).encode())


def test_other_ports_requests_and_bodies_pass_unchanged():
    from pimflow.connections_api import PortlessConnectionTest

    app = PortlessConnectionTest(_echo_app())
    with_port = {"connection_id": "db", "conn_type": "postgres", "port": 5432}
    assert _post(app, "/api/v2/connections/test", json=with_port).json()["body"] == with_port
    saved = {"connection_id": "db", "conn_type": "http", "port": 0}
    assert _post(app, "/api/v2/connections", json=saved).json()["body"] == saved  # only the test route
    with pytest.raises(json.JSONDecodeError):  # reaches the route as sent
        _post(app, "/api/v2/connections/test", content=b"not json")


def _post(app, path: str, **kwargs):
    import asyncio

    import httpx

    async def post():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
            return await client.post(path, **kwargs)

    return asyncio.run(post())
