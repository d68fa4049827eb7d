"""A fresh Linnworks sandbox and a client on it, for the benches that drive the Linnworks writers."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from linnworks.api.client import LinnworksClient
from linnworks.api.quota import QuotaBook
from linnworks.api.settings import LinnworksSettings
from sandbox.linnworks import serve


@contextmanager
def sandbox_client(window: float) -> Iterator[tuple[str, LinnworksClient]]:
    """(control API URL, client) on a sandbox with no item and its quota window shrunk to `window`
    seconds (real: 60), so minutes of real quota play in seconds."""
    with serve() as sandbox:
        control = f"{sandbox.data_url}/_sandbox"
        requests.patch(f"{control}/settings", json={"quota_window_seconds": window}, timeout=10).raise_for_status()
        requests.post(f"{control}/seed", json={"items": 0}, timeout=30).raise_for_status()
        settings = LinnworksSettings.build(
            application_id=sandbox.settings.application_id, application_secret=sandbox.settings.application_secret,
            installation_token=sandbox.settings.installation_token, auth_host=sandbox.auth_url,
            quota_window_seconds=window, concurrency=4, timeout=120)
        with LinnworksClient(settings, quotas=QuotaBook(settings)) as client:
            yield control, client
