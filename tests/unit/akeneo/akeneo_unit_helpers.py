"""Shared constants and builders of the Akeneo client's unit tests."""
from __future__ import annotations

from akeneo.settings import AkeneoConnectionSettings

BASE = "https://pim.example.com"
TOKEN_URL = BASE + "/api/oauth/v1/token"
PASSWORD = "pa55word-admin"
CLIENT_SECRET = "s3cret-of-the-client"


def make_settings(**overrides) -> AkeneoConnectionSettings:
    values = dict(base_url=BASE, username="admin", password=PASSWORD, client_id="pimflow",
                  client_secret=CLIENT_SECRET, throttle_requests=0, retry_base_delay=0.001,
                  retry_max_delay=0.01, max_retries=3)
    values.update(overrides)
    return AkeneoConnectionSettings.build(**values)


def token_answer(n: int = 1, expires_in: int = 3600) -> dict:
    return {"access_token": f"access-{n}", "expires_in": expires_in, "token_type": "bearer",
            "scope": None, "refresh_token": f"refresh-{n}"}


def page(items: list[dict], next_href: str | None = None, self_href: str = "") -> dict:
    links = {"self": {"href": self_href}, "first": {"href": self_href}}
    if next_href:
        links["next"] = {"href": next_href}
    return {"_links": links, "_embedded": {"items": items}}
