"""`LinnworksClient`: typed Linnworks calls over one session, within the per-method quotas.

Works without Airflow: `LinnworksClient(LinnworksSettings.build(application_id=..., ...))`.
Thread-safe: threads share the session, the HTTP connection pool and the connection's quotas.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from httpkit.verify import Verify
from httpkit.session import pooled_session
from linnworks.api.categories import CategoryCalls
from linnworks.api.compositions import CompositionCalls
from linnworks.api.content import ContentCalls
from linnworks.api.images import ImageCalls
from linnworks.api.inventory import InventoryCalls
from linnworks.api.quota import QuotaBook, shared_quota_book
from linnworks.api.retry import Backoff
from linnworks.api.session import Authenticator
from linnworks.api.settings import LinnworksSettings
from linnworks.api.stock import StockCalls
from linnworks.api.transport import Exchanger, LinnworksTransport
from linnworks.api.variations import VariationCalls

USER_AGENT = "pimflow-linnworks/0.1"


class LinnworksClient(InventoryCalls, ContentCalls, ImageCalls, StockCalls, VariationCalls, CompositionCalls,
                      CategoryCalls):
    """Typed methods live in the mixins (inventory, content, images, stock, variation groups,
    compositions, categories); wiring lives here."""

    def __init__(self, settings: LinnworksSettings, *, quotas: QuotaBook | None = None,
                 http: requests.Session | None = None,
                 on_new_token: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.quotas = quotas or shared_quota_book(settings)
        self._http = http or _http_session(settings.concurrency)
        self._concurrency = settings.concurrency
        exchanger = Exchanger(self._http, self.quotas, timeout=settings.timeout,
                              max_retries=settings.max_retries, backoff=Backoff(base=settings.backoff_seconds),
                              secrets=self._secrets, sleep=sleep)
        self._auth = Authenticator(settings, exchanger, on_new_token=on_new_token)
        self._transport = LinnworksTransport(exchanger, self._auth)

    @property
    def server(self) -> str:
        """The data server of the current session (authorizes if needed)."""
        return self._auth.current().server

    @property
    def authorizations(self) -> int:
        """How many times this client has called AuthorizeByApplication."""
        return self._auth.authorizations

    def check(self) -> str:
        """Authorize and make one cheap read; returns a one-line description for people."""
        locations = self.get_stock_locations()
        return f"Connected to Linnworks ({self.server}); {len(locations)} stock location(s) visible"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "LinnworksClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, path: str, **kwargs: Any) -> Any:
        return self._transport.call(path, **kwargs)

    def _call_verified(self, path: str, payload: Any, send: Callable[[Any], Any], verify: Verify) -> Any:
        return self._transport.call_verified(path, payload, send, verify)

    def _secrets(self) -> tuple[str, ...]:
        token = self._auth.token if hasattr(self, "_auth") else None
        return (*self.settings.secrets(), *((token,) if token else ()))


def _http_session(concurrency: int) -> requests.Session:
    # the writer's lanes (2x concurrency threads) and its image pipeline (4x) may all be in flight
    return pooled_session(4, max(10, concurrency * 6), {"Accept": "application/json", "User-Agent": USER_AGENT})
