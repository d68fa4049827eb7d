"""Talking to the Linnworks sandbox's `/_sandbox/` controls from the client's integration tests."""
from __future__ import annotations

import requests

from linnworks.api.client import LinnworksClient
from linnworks.api.quota import QuotaBook
from linnworks.api.settings import LinnworksSettings

APPLICATION_ID = "6f1a0c3e-0000-4000-8000-000000000001"
APPLICATION_SECRET = "6f1a0c3e-0000-4000-8000-000000000002"
INSTALLATION_TOKEN = "6f1a0c3e-0000-4000-8000-000000000003"


class SandboxControl:
    """The sandbox's control API (not Linnworks'), over real HTTP."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.base = f"{sandbox.data_url}/_sandbox"

    def seed(self, items: int, seed: int = 42) -> dict:
        return self._ok(requests.post(f"{self.base}/seed", json={"items": items, "seed": seed}, timeout=30))

    def settings(self, **changes) -> dict:
        return self._ok(requests.patch(f"{self.base}/settings", json=changes, timeout=10))

    def stats(self) -> dict:
        return self._ok(requests.get(f"{self.base}/stats", timeout=10))

    def reset_stats(self) -> None:
        self._ok(requests.post(f"{self.base}/stats/reset", timeout=10))

    def item(self, sku: str) -> dict | None:
        response = requests.get(f"{self.base}/items/{sku}", timeout=10)
        return None if response.status_code == 404 else self._ok(response)

    def variation_groups(self) -> list[dict]:
        return self._ok(requests.get(f"{self.base}/variation-groups", timeout=10))

    def compositions(self) -> dict:
        return self._ok(requests.get(f"{self.base}/compositions", timeout=10))

    def categories(self) -> list[dict]:
        return self._ok(requests.get(f"{self.base}/categories", timeout=10))

    def put_stock(self, rows: list[dict]) -> dict:
        return self._ok(requests.put(f"{self.base}/stock", json=rows, timeout=10))

    @staticmethod
    def _ok(response: requests.Response):
        response.raise_for_status()
        return response.json()


def sandbox_settings(sandbox, **overrides) -> LinnworksSettings:
    fields = dict(application_id=APPLICATION_ID, application_secret=APPLICATION_SECRET,
                  installation_token=INSTALLATION_TOKEN, auth_host=sandbox.auth_url, backoff_seconds=0.05,
                  timeout=10)
    fields.update(overrides)
    return LinnworksSettings.build(**fields)


def sandbox_client(sandbox, clock=None, **overrides) -> LinnworksClient:
    """A client on the sandbox; with `clock` (a `tests.fakes.FakeClock`), the client's quota
    windows, retry pauses and session idle time run on that clock instead of real time."""
    settings = sandbox_settings(sandbox, **overrides)
    if clock is None:
        return LinnworksClient(settings, quotas=QuotaBook(settings))
    client = LinnworksClient(settings, quotas=QuotaBook(settings, clock=clock, wait=clock.wait), sleep=clock.sleep)
    # LinnworksClient does not take a clock for its session yet; its Authenticator does.
    client._auth._clock = clock
    client._auth._last_used = clock()
    return client
