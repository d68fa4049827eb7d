"""Linnworks stock → Akeneo listable quantities through real Airflow: values per channel, a re-run
that writes nothing, and one stock change that writes one SKU.

The shared Akeneo sandbox has no scopable number attribute (`stock_quantity` is global), so this
test serves the same demo catalog from its own Akeneo sandbox with one more attribute,
`listable_quantity` (scopable number), under the connection `akeneo_stock`.
"""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from pipeline_helpers import value
from sandbox.akeneo.app import create_app
from sandbox.akeneo.catalog import generate_catalog
from sandbox.akeneo.settings import SandboxSettings
from sandbox.common.server import start_server

pytestmark = pytest.mark.integration

DEFAULT = "00000000-0000-0000-0000-000000000000"
LONDON = "6f1a0c3e-0000-4000-8000-00000000a001"
FBA = "6f1a0c3e-0000-4000-8000-00000000a002"

PROFILE = """
id: {dag_id}
source:
  kind: linnworks_stock
  locations: [Default, London Warehouse]
  quantity: available
  attribute: listable_quantity
  only_akeneo_skus: true
  channels:
    ecommerce: {{max_quantity: 10}}
    mobile: {{max_percent: 50}}
target:
  kind: akeneo
  connection: akeneo_stock
  product_id: identifier
  create_products: false
retries: 0
chunk_size: 2
"""


@pytest.fixture
def akeneo_stock(connected, monkeypatch):
    """An Akeneo sandbox whose catalog has the scopable number attribute `listable_quantity`."""
    state = generate_catalog(10, seed=42)
    state.attributes["listable_quantity"] = {**state.attributes["stock_quantity"], "code": "listable_quantity",
                                             "scopable": True, "group": "marketing"}
    with start_server(create_app(state, SandboxSettings())) as server:
        connection = {**connected.connections()["akeneo_default"], "host": server.url}
        monkeypatch.setenv("AIRFLOW_CONN_AKENEO_STOCK", json.dumps(connection))
        yield server.url


def put_stock(sandboxes, rows: list[dict]) -> None:
    requests.put(f"{sandboxes.linnworks_data_url}/_sandbox/stock", json=rows, timeout=10).raise_for_status()


@pytest.fixture
def stocked(connected):
    from linnworks.api.models import NewStockItem
    from linnworks.hook import LinnworksHook

    client = LinnworksHook(linnworks_conn_id="linnworks_default").get_conn()
    added = client.add_items(NewStockItem(ItemNumber=sku, ItemTitle=sku)
                             for sku in ("PF-000001", "PF-000002", "PF-000003", "LW-ONLY"))
    assert not added.failed, added.failed
    put_stock(connected, [
        {"SKU": "PF-000001", "LocationId": DEFAULT, "StockLevel": 8, "InOrderBook": 3},
        {"SKU": "PF-000001", "LocationId": LONDON, "StockLevel": 7, "InOrderBook": 0},
        {"SKU": "PF-000002", "LocationId": DEFAULT, "StockLevel": 4, "InOrderBook": 0},
        {"SKU": "PF-000002", "LocationId": FBA, "StockLevel": 50, "InOrderBook": 0},  # not a chosen location
        {"SKU": "LW-ONLY", "LocationId": DEFAULT, "StockLevel": 30, "InOrderBook": 0},
    ])
    return connected


@pytest.fixture
def stock_profile(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"stock_to_akeneo_{uuid.uuid4().hex[:8]}"), encoding="utf-8")
    return path


def listed(akeneo_url: str, sku: str) -> dict:
    product = requests.get(f"{akeneo_url}/_sandbox/products/{sku}", timeout=10).json()
    return {scope: value(product, "listable_quantity", None, scope) for scope in ("ecommerce", "mobile")}


def patches(akeneo_url: str) -> int:
    stats = requests.get(f"{akeneo_url}/_sandbox/stats", timeout=10).json()
    return sum(n for route, n in stats["requests"].items() if route.startswith("PATCH"))


def reset_stats(akeneo_url: str) -> None:
    requests.post(f"{akeneo_url}/_sandbox/stats/reset", timeout=10).raise_for_status()


def statuses(staging) -> dict:
    return json.loads((staging / "summary.json").read_text())["statuses"]


def test_stock_is_listed_per_channel_and_only_changes_are_written(stocked, akeneo_stock, stock_profile,
                                                                  run_profile):
    dag_run, staging = run_profile(stock_profile)
    assert dag_run.state == "success"
    # PF-000001: (8-3) + 7 = 12 available; PF-000002: 4 (FBA's 50 not counted); PF-000003: 0.
    assert listed(akeneo_stock, "PF-000001") == {"ecommerce": 10, "mobile": 6}
    assert listed(akeneo_stock, "PF-000002") == {"ecommerce": 4, "mobile": 2}
    assert listed(akeneo_stock, "PF-000003") == {"ecommerce": 0, "mobile": 0}
    assert statuses(staging) == {"updated": 3, "skipped": 1}  # LW-ONLY is not in Akeneo
    assert patches(akeneo_stock) >= 1

    reset_stats(akeneo_stock)
    dag_run, staging = run_profile(stock_profile)
    assert dag_run.state == "success"
    assert patches(akeneo_stock) == 0
    assert statuses(staging) == {"unchanged": 3, "skipped": 1}

    put_stock(stocked, [{"SKU": "PF-000002", "LocationId": DEFAULT, "StockLevel": 20, "InOrderBook": 0}])
    reset_stats(akeneo_stock)
    dag_run, staging = run_profile(stock_profile)
    assert dag_run.state == "success"
    assert patches(akeneo_stock) == 1
    assert statuses(staging) == {"updated": 1, "unchanged": 2, "skipped": 1}
    assert listed(akeneo_stock, "PF-000002") == {"ecommerce": 10, "mobile": 10}
    assert listed(akeneo_stock, "PF-000001") == {"ecommerce": 10, "mobile": 6}


def test_a_wrong_location_fails_the_run_before_any_write(stocked, akeneo_stock, tmp_path, run_profile):
    path = tmp_path / "bad.yaml"
    path.write_text(PROFILE.format(dag_id=f"stock_bad_{uuid.uuid4().hex[:8]}")
                    .replace("London Warehouse", "Paris"), encoding="utf-8")
    dag_run, _ = run_profile(path)
    assert dag_run.state == "failed"
    assert patches(akeneo_stock) == 0
