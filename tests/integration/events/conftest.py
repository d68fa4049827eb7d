"""The two servers of the event tests, each module its own: the Akeneo sandbox (40 products), whose
Event Platform delivers, and pimflow's receiver served by uvicorn, mounted under `/pimflow/events`
as the API server mounts it."""
from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from pimflow.events.receiver import URL_PREFIX, create_app
from sandbox.akeneo.app import create_app as create_sandbox
from sandbox.akeneo.catalog import generate_catalog
from sandbox.common.server import start_server


@pytest.fixture(scope="module")
def sandbox():
    """(the server, the sandbox's state)"""
    app = create_sandbox(generate_catalog(40, 42))
    with start_server(app) as server:
        yield server, app.state.sandbox
    app.state.sandbox.events.close()


@pytest.fixture(scope="module")
def receiver_url():
    with start_server(Starlette(routes=[Mount(URL_PREFIX, app=create_app())])) as server:
        yield server.url
