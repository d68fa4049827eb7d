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


# ---- the listing changes while it is read (issue 15) ------------------------------------------------

CATALOGUE = 600  # three GetStockItemsFull pages of 200


@pytest.fixture
def akeneo_catalogue(connected, monkeypatch):
    """`akeneo_stock` with CATALOGUE products, PF-000001 … PF-000600."""
    state = generate_catalog(CATALOGUE, seed=42)
    state.attributes["listable_quantity"] = {**state.attributes["stock_quantity"], "code": "listable_quantity",
                                             "scopable": True, "group": "marketing"}
    with start_server(create_app(state, SandboxSettings())) as server:
        connection = {**connected.connections()["akeneo_default"], "host": server.url}
        monkeypatch.setenv("AIRFLOW_CONN_AKENEO_STOCK", json.dumps(connection))
        yield server.url


@pytest.fixture
def stocked_catalogue(connected):
    from linnworks.api.models import NewStockItem
    from linnworks.hook import LinnworksHook

    skus = [f"PF-{n:06d}" for n in range(1, CATALOGUE + 1)]
    added = LinnworksHook(linnworks_conn_id="linnworks_default").get_conn().add_items(
        NewStockItem(ItemNumber=sku, ItemTitle=sku) for sku in skus)
    assert not added.failed, added.failed[:3]
    put_stock(connected, [{"SKU": sku, "LocationId": location, "StockLevel": (n * 7 + k) % 13, "InOrderBook": n % 3}
                          for n, sku in enumerate(skus) for k, location in enumerate((DEFAULT, LONDON))])
    return skus


def extracted(staging) -> list[dict]:
    """The records the run's extract staged, in order: {n, sku, stock} (or {n, sku, error})."""
    rows = []
    for path in sorted((staging / "extract").glob("chunk-*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return rows


def lw_calls(sandboxes) -> dict:
    return requests.get(f"{sandboxes.linnworks_data_url}/_sandbox/stats", timeout=10).json()["calls"]


def lw_status(sandboxes, sku: str) -> str:
    return requests.get(f"{sandboxes.linnworks_data_url}/_sandbox/items/{sku}", timeout=10).json()["status"]


def test_items_archived_during_a_stock_read_every_live_sku_read(connected, stocked_catalogue, akeneo_catalogue,
                                                                 tmp_path, run_profile):
    """5 items archived during a stock read (after page 1 of 3 is served): every live SKU read.

    Compared with a fault-free read of the same catalogue (the same 5 archived before the read):
    lost 0, duplicated 0, wrongly changed 0; the archived SKUs keep their Akeneo values.
    (Paging by number alone, the same run lost the 5 live SKUs that slid onto page 1 and wrote the 5
    archived ones.)"""
    lw = connected.linnworks_data_url
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE.format(dag_id=f"stock_shift_{uuid.uuid4().hex[:8]}")
                       .replace("chunk_size: 2", "chunk_size: 250"), encoding="utf-8")
    before = {sku: listed(akeneo_catalogue, sku) for sku in stocked_catalogue}
    requests.patch(f"{lw}/_sandbox/settings", json={"archive_during_read": [{"after_page": 1, "items": 5}]},
                   timeout=10).raise_for_status()
    requests.post(f"{lw}/_sandbox/stats/reset", timeout=10).raise_for_status()

    dag_run, staging = run_profile(profile)
    assert dag_run.state == "success"
    faulty, faulty_statuses = extracted(staging), statuses(staging)
    calls = lw_calls(connected)  # read twice: 200 + 200 + 195 rows (5 slid unread), then 200 + 200 + 195
    assert (calls["Stock/GetStockItems"], calls["Stock/GetStockItemsFull"]) == (2, 6)

    reset_stats(akeneo_catalogue)
    requests.post(f"{lw}/_sandbox/stats/reset", timeout=10).raise_for_status()
    dag_run, staging = run_profile(profile)  # the fault-free read of the same catalogue
    assert dag_run.state == "success"
    reference = {row["sku"]: row["stock"] for row in extracted(staging)}
    calls = lw_calls(connected)
    assert (calls["Stock/GetStockItems"], calls["Stock/GetStockItemsFull"]) == (1, 3)

    archived = sorted(set(stocked_catalogue) - set(reference))  # the first 5 listed: page 1, already served
    assert len(archived) == 5 and {lw_status(connected, sku) for sku in archived} == {"archived"}
    read = [row["sku"] for row in faulty]
    scenario = {"records in": len(read), "lost": len(set(reference) - set(read)),
                "duplicated": len(read) - len(set(read)),
                "wrongly changed": sum(1 for row in faulty if reference.get(row["sku"], "?") != row.get("stock"))}
    assert scenario == {"records in": 595, "lost": 0, "duplicated": 0, "wrongly changed": 0}
    assert sum(faulty_statuses.values()) == 595 and not faulty_statuses.get("refused")
    # Akeneo after the faulty run holds exactly what the fault-free read would write, nothing more.
    assert statuses(staging) == {"unchanged": 595} and patches(akeneo_catalogue) == 0
    assert {sku: listed(akeneo_catalogue, sku) for sku in archived} == {sku: before[sku] for sku in archived}


def test_live_items_no_read_could_list_are_refused_in_the_ledger_and_the_summary(
        connected, stocked_catalogue, akeneo_catalogue, tmp_path, run_profile, monkeypatch):
    """With a single read allowed (the default allows three), the 5 rows that slid over the page
    boundary cannot be read: the run reports them as 5 refused `not_read` records."""
    from linnworks.api.stock import StockCalls

    full = StockCalls.iter_items_full
    monkeypatch.setattr(StockCalls, "iter_items_full", lambda self, *a, **kw: full(self, *a, **kw, max_reads=1))
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE.format(dag_id=f"stock_unread_{uuid.uuid4().hex[:8]}")
                       .replace("chunk_size: 2", "chunk_size: 250"), encoding="utf-8")
    requests.patch(f"{connected.linnworks_data_url}/_sandbox/settings",
                   json={"archive_during_read": [{"after_page": 1, "items": 5}]}, timeout=10).raise_for_status()
    dag_run, staging = run_profile(profile)
    assert dag_run.state == "success"  # 5 of 600 refused: within the default error thresholds
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["read"] == 600 and summary["statuses"]["refused"] == 5
    assert summary["statuses"].get("updated", 0) + summary["statuses"].get("unchanged", 0) == 595
    feedback = (staging / "feedback.csv").read_text(encoding="utf-8").splitlines()
    not_read = [line for line in feedback if "not_read" in line]
    assert len(not_read) == 5 and "up to 5 live item(s) could not be read" in not_read[0]
