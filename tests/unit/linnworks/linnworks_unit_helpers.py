"""Shared constants and builders for the Linnworks client's unit tests."""
from __future__ import annotations

import json

from linnworks.api.client import LinnworksClient
from linnworks.api.quota import QuotaBook
from linnworks.api.settings import LinnworksSettings
from tests.fakes import FakeClock

AUTH_HOST = "https://auth.linnworks.test"
AUTH_URL = f"{AUTH_HOST}/api/Auth/AuthorizeByApplication"
SERVER = "https://eu-ext.linnworks.test"
APP_ID = "11111111-aaaa-4000-8000-000000000001"
APP_SECRET = "secret-22222222-bbbb-4000-8000-000000000002"
INSTALL_TOKEN = "install-33333333-cccc-4000-8000-000000000003"
SESSION_TOKENS = ("session-aaaa-0001", "session-bbbb-0002", "session-cccc-0003")


def api(path: str) -> str:
    return f"{SERVER}/api/{path}"


def make_settings(**overrides) -> LinnworksSettings:
    fields = dict(application_id=APP_ID, application_secret=APP_SECRET, installation_token=INSTALL_TOKEN,
                  auth_host=AUTH_HOST, backoff_seconds=0, concurrency=1)
    fields.update(overrides)
    return LinnworksSettings.build(**fields)


def make_client(settings: LinnworksSettings | None = None, clock: FakeClock | None = None,
                **overrides) -> LinnworksClient:
    """With `clock`, the client's quota windows and retry pauses run on that fake clock (nothing
    waits for real, and `clock.waits` / `clock.sleeps` record what would have been waited)."""
    settings = settings or make_settings(**overrides)
    # A private QuotaBook: tests must not share quota state through the process-wide registry.
    if clock is None:
        return LinnworksClient(settings, quotas=QuotaBook(settings), sleep=lambda seconds: None)
    return LinnworksClient(settings, quotas=QuotaBook(settings, clock=clock, wait=clock.wait), sleep=clock.sleep)


def session_answer(token: str = SESSION_TOKENS[0], server: str = SERVER) -> dict:
    return {"Id": "user-1", "EntityId": "entity-1", "AppName": "pimflow", "TTL": 1, "Token": token,
            "Server": server, "Status": {"State": "OK"}}


def body_of(call) -> dict:
    return json.loads(call.request.body)
