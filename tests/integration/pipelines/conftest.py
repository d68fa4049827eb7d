"""Both sandboxes as real processes on 127.0.0.1, with Airflow connections pointing at them."""
from __future__ import annotations

import pytest
import requests

from pimflowdev.sandboxes import start_sandboxes

CATALOG_SIZE = 40


@pytest.fixture(scope="session")
def sandboxes(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("sandbox-logs")
    with start_sandboxes(products=CATALOG_SIZE, log_dir=log_dir) as running:
        yield running


@pytest.fixture
def connected(sandboxes, monkeypatch):
    """Fresh sandbox state for one test, and the `akeneo_default` / `linnworks_default` connections."""
    for name, value in sandboxes.connection_env().items():
        monkeypatch.setenv(name, value)
    requests.post(f"{sandboxes.akeneo_url}/_sandbox/catalog", json={"products": CATALOG_SIZE, "seed": 42},
                  timeout=30).raise_for_status()
    requests.post(f"{sandboxes.akeneo_url}/_sandbox/stats/reset", timeout=10).raise_for_status()
    requests.post(f"{sandboxes.linnworks_data_url}/_sandbox/seed", json={"items": 0, "seed": 42},
                  timeout=30).raise_for_status()
    requests.post(f"{sandboxes.linnworks_data_url}/_sandbox/stats/reset", timeout=10).raise_for_status()
    return sandboxes
