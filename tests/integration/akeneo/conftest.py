"""The Akeneo sandbox over real HTTP on 127.0.0.1, for the client's integration tests."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest
import requests

from akeneo.client import AkeneoClient
from akeneo.settings import AkeneoConnectionSettings
from akeneo.throttle import RequestLimiter
from akeneo.transport import Transport
from sandbox.akeneo.app import create_app
from sandbox.akeneo.catalog import generate_catalog
from sandbox.akeneo.settings import SandboxSettings
from sandbox.common.server import start_server

PRODUCTS = 1234
SEED = 42
DEFAULT_SWITCHES = SandboxSettings().switches()


@dataclass
class Sandbox:
    url: str
    state: object  # sandbox.akeneo.state.AkeneoState, as served (writes change it)
    runtime: object  # sandbox.akeneo.web.Runtime: tests may swap its clocks and sleep for fakes

    def configure(self, **switches) -> None:
        answer = requests.patch(f"{self.url}/_sandbox/settings", json=switches, timeout=10)
        assert answer.status_code == 200, answer.text

    def stats(self) -> dict:
        return requests.get(f"{self.url}/_sandbox/stats", timeout=10).json()

    def reset(self) -> None:
        self.runtime.tokens.clock = time.monotonic
        self.runtime.faults.clock, self.runtime.faults.sleep = time.monotonic, asyncio.sleep
        self.configure(**DEFAULT_SWITCHES)
        requests.post(f"{self.url}/_sandbox/stats/reset", timeout=10).raise_for_status()

    def stored_product(self, identifier: str) -> dict | None:
        answer = requests.get(f"{self.url}/_sandbox/products/{identifier}", timeout=10)
        return answer.json() if answer.status_code == 200 else None

    def client(self, limiter: RequestLimiter | None = None, **overrides) -> AkeneoClient:
        """A client of this sandbox; `limiter` replaces the connection's shared one (a test's
        throttle on a fake clock)."""
        values = dict(base_url=self.url, username="admin", password="admin", client_id="pimflow",
                      client_secret="pimflow-secret", throttle_requests=0, retry_base_delay=0.02,
                      retry_max_delay=0.5, max_retries=10)
        values.update(overrides)
        settings = AkeneoConnectionSettings.build(**values)
        return AkeneoClient(settings, transport=Transport(settings, limiter=limiter) if limiter else None)


def _serve(products: int, variant_share: float | None = None):
    state = generate_catalog(products, seed=SEED, variant_share=variant_share)
    app = create_app(state)
    with start_server(app) as server:
        yield Sandbox(server.url, state, app.state.sandbox)


@pytest.fixture(scope="session")
def catalog_sandbox():
    """A sandbox whose catalog no test writes to."""
    yield from _serve(PRODUCTS)


@pytest.fixture
def sandbox(catalog_sandbox):
    """The read-only sandbox, with its switches and stats reset after each test."""
    catalog_sandbox.reset()
    yield catalog_sandbox
    catalog_sandbox.reset()


@pytest.fixture
def writable_sandbox():
    """A fresh small sandbox per test, for writes."""
    yield from _serve(50)


@pytest.fixture(scope="session")
def structured_catalog():
    """A read-only sandbox where half the products are variants (one- and two-level models),
    with bundles, related products and reference entity values."""
    yield from _serve(600, variant_share=0.5)


@pytest.fixture
def structured(structured_catalog):
    structured_catalog.reset()
    yield structured_catalog
    structured_catalog.reset()


@pytest.fixture
def writable_structured():
    """A fresh small structured sandbox per test, for writes."""
    yield from _serve(60, variant_share=0.5)
