"""One Linnworks sandbox per test session, reset before each test; a small HTTP helper around it.

The sandbox's time is a `FakeClock` (quota windows, session idle time, upload expiry, latency):
tests move it with `clock.advance()` instead of sleeping.
"""
from __future__ import annotations

import httpx
import pytest

from sandbox.linnworks import SandboxSettings, SandboxState, serve
from sandbox.linnworks.seed import seed
from tests.fakes import FakeClock, fake_clock_for

SEED_ITEMS = 20


class Linnworks:
    """Real HTTP to both hosts; `call` sends a raw session token the way Linnworks wants it."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.http = httpx.Client(timeout=30)
        self._token: str | None = None

    def credentials(self) -> dict:
        s = self.sandbox.settings
        return {"ApplicationId": s.application_id, "ApplicationSecret": s.application_secret,
                "Token": s.installation_token}

    def authorize(self, **kwargs) -> httpx.Response:
        kwargs = kwargs or {"json": self.credentials()}
        return self.http.post(f"{self.sandbox.auth_url}/api/Auth/AuthorizeByApplication", **kwargs)

    @property
    def token(self) -> str:
        if self._token is None:
            answer = self.authorize()
            assert answer.status_code == 200, answer.text
            self._token = answer.json()["Token"]
        return self._token

    def call(self, method: str, verb: str = "POST", token: str | None = None, **kwargs) -> httpx.Response:
        headers = {"Authorization": token if token is not None else self.token, **kwargs.pop("headers", {})}
        return self.http.request(verb, f"{self.sandbox.data_url}/api/{method}", headers=headers, **kwargs)

    def ok(self, method: str, verb: str = "POST", **kwargs):
        """Call and expect success; JSON answer (None for an empty body)."""
        answer = self.call(method, verb, **kwargs)
        assert answer.status_code in (200, 204), f"{method}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content and answer.headers.get("content-type", "").startswith(
            "application/json") else None

    def control(self, verb: str, path: str, **kwargs) -> httpx.Response:
        return self.http.request(verb, f"{self.sandbox.data_url}/_sandbox/{path}", **kwargs)

    def settings(self, **changes) -> dict:
        answer = self.control("PATCH", "settings", json=changes)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def stored(self, sku: str) -> dict:
        answer = self.control("GET", f"items/{sku}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def item_id(self, sku: str) -> str:
        return self.stored(sku)["item"]["StockItemId"]


@pytest.fixture(scope="session")
def sandbox():
    with serve(SandboxState(items=SEED_ITEMS), SandboxSettings()) as running:
        yield running


@pytest.fixture
def clock(sandbox) -> FakeClock:
    """The sandbox's clock for this test; `clock.sleeps` holds the latency it applied."""
    return fake_clock_for(sandbox)


@pytest.fixture
def lw(sandbox, clock):
    """A fresh account (20 seeded items), default switches, zeroed stats and quotas."""
    sandbox.settings.apply(SandboxSettings().model_dump())
    seed(sandbox.state.store, SEED_ITEMS, 42)
    sandbox.state.quotas.reset()
    sandbox.state.stats.reset()
    client = Linnworks(sandbox)
    yield client
    client.http.close()
