"""One Akeneo sandbox per test module, reset before each test (fresh catalog, default switches).

The sandbox's time is a `FakeClock` (token expiry, the rate window, the latency switch): tests
move it with `clock.advance()` instead of sleeping.
"""
from __future__ import annotations

import json
from typing import Iterable, Optional

import httpx
import pytest

from sandbox.akeneo.app import create_app
from sandbox.akeneo.auth import TokenStore
from sandbox.akeneo.catalog import generate_catalog
from sandbox.akeneo.settings import SWITCHES, SandboxSettings
from sandbox.common.server import start_server
from tests.fakes import FakeClock

CATALOG_SIZE = 120
SEED = 42
STRUCTURED_SHARE = 0.5
COLLECTION = "application/vnd.akeneo.collection+json"


class Akeneo:
    """A thin HTTP client for the tests: real requests, no pimflow code."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def token(self, username: str = "admin", password: str = "admin",
              client: tuple[str, str] = ("pimflow", "pimflow-secret")) -> httpx.Response:
        return self.http.post("/api/oauth/v1/token", auth=client,
                              json={"grant_type": "password", "username": username, "password": password})

    def login(self) -> dict:
        answer = self.token()
        assert answer.status_code == 200, answer.text
        self.use(answer.json()["access_token"])
        return answer.json()

    def use(self, access_token: Optional[str]) -> None:
        self.http.headers.pop("Authorization", None)
        if access_token is not None:
            self.http.headers["Authorization"] = f"Bearer {access_token}"

    def get(self, path: str, **params) -> httpx.Response:
        return self.http.get(path, params={k: v for k, v in params.items() if v is not None})

    def items(self, path: str, **params) -> list[dict]:
        answer = self.get(path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()["_embedded"]["items"]

    def patch(self, path: str, body) -> httpx.Response:
        return self.http.patch(path, json=body)

    def patch_lines(self, path: str, lines: Iterable) -> httpx.Response:
        content = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
        return self.http.patch(path, content=content, headers={"Content-Type": COLLECTION})

    def settings(self, **changes) -> dict:
        answer = self.http.patch("/_sandbox/settings", json=changes)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def stats(self) -> dict:
        return self.http.get("/_sandbox/stats").json()

    def stored(self, identifier: str) -> dict:
        return self.http.get(f"/_sandbox/products/{identifier}").json()

    def stored_model(self, code: str) -> dict:
        return self.http.get(f"/_sandbox/product-models/{code}").json()

    def post(self, path: str, body) -> httpx.Response:
        return self.http.post(path, json=body)

    def app_faults(self):
        """The running sandbox's fault injector (same process), to swap its sleep for a gate."""
        return self.runtime.faults


@pytest.fixture(scope="module")
def running_sandbox():
    app = create_app(generate_catalog(CATALOG_SIZE, SEED))
    with start_server(app) as server:
        yield app, server


@pytest.fixture
def catalog_size() -> int:
    return CATALOG_SIZE


@pytest.fixture
def clock() -> FakeClock:
    """The sandbox's clock for this test; `clock.sleeps` holds the latency it applied."""
    return FakeClock()


def _reset(running_sandbox, clock: FakeClock, variant_share=None):
    app, server = running_sandbox
    runtime = app.state.sandbox
    runtime.state = generate_catalog(CATALOG_SIZE, SEED, variant_share=variant_share)
    defaults = SandboxSettings()
    for name in SWITCHES:
        setattr(runtime.settings, name, getattr(defaults, name))
    runtime.tokens = TokenStore(clock=clock)
    runtime.faults.clock = clock
    runtime.faults.sleep = clock.async_sleep
    client = Akeneo(server.url)
    client.runtime = runtime
    client.login()
    runtime.faults.reset()
    return client


@pytest.fixture
def akeneo(running_sandbox, clock) -> Akeneo:
    """A logged-in client on a freshly reset sandbox (the default catalog layout)."""
    client = _reset(running_sandbox, clock)
    yield client
    client.http.close()


@pytest.fixture
def structured(running_sandbox, clock) -> Akeneo:
    """A logged-in client on a fresh catalog where half the products are variants (one- and
    two-level models), with bundles, related products and reference entity values."""
    client = _reset(running_sandbox, clock, variant_share=STRUCTURED_SHARE)
    yield client
    client.http.close()
