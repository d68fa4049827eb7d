"""Akeneo → feed through real Airflow against the Akeneo sandbox: full, manual and incremental
extraction give exactly the expected products, in the flat format with bare codes resolved."""
from __future__ import annotations

import csv
import json
import uuid

import pytest
import requests

from pimflowdev.sandboxes import AKENEO_CREDENTIALS
from sandbox.akeneo.catalog import generate_catalog

from pipeline_helpers import in_tree

CATALOG_SIZE = 40  # as the `sandboxes` fixture loads it


pytestmark = pytest.mark.integration

PROFILE = """
id: {dag_id}
source:
  kind: akeneo
  channel: ecommerce
  locales: [en_US]
  product_id: identifier
target:
  kind: feed
  path: export.csv
mapping:
  columns:
    - {{name: sku, required: true}}
    - {{name: title, from: name}}
    - {{name: description, from: description}}
    - {{name: price_eur, from: price, currency: EUR}}
    - {{name: weight_kg, from: weight, unit: KGM, round: 3}}
chunk_size: 15
retries: 0
"""


@pytest.fixture
def export_profile(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"akeneo_to_feed_{uuid.uuid4().hex[:8]}"), encoding="utf-8")
    return path


def exported(path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["sku"]: row for row in csv.DictReader(handle)}


def expected_row(product) -> dict:
    values = json.loads(product.values_json)
    pick = lambda code, locale=None, scope=None: next(  # noqa: E731
        (v["data"] for v in values.get(code, []) if v["locale"] == locale and v["scope"] == scope), None)
    price = next((p["amount"] for p in pick("price") or [] if p["currency"] == "EUR"), "")
    return {"sku": product.identifier, "title": pick("name", "en_US") or "",
            "description": pick("description", "en_US", "ecommerce") or "", "price_eur": price}


def test_full_then_manual_then_incremental_extraction(connected, export_profile, run_profile):
    catalog = generate_catalog(CATALOG_SIZE, seed=42)
    # Akeneo lists, for a `scope`, only the products classified in that channel's category tree
    tree = in_tree(catalog, catalog.channels["ecommerce"]["category_tree"])
    expected = {p.identifier: expected_row(p) for p in catalog.products.values() if tree & set(p.categories)}
    assert 0 < len(expected) < CATALOG_SIZE

    dag_run, staging = run_profile(export_profile)
    assert dag_run.state == "success"
    rows = exported(export_profile.parent / "export.csv")
    assert set(rows) == set(expected)
    for sku, row in rows.items():
        assert {k: row[k] for k in expected[sku]} == expected[sku], sku
    assert all(row["weight_kg"] == "" or len(row["weight_kg"].split(".")[1]) == 3 for row in rows.values())
    assert json.loads((staging / "window.json").read_text())["mode"] == "full"

    dag_run, staging = run_profile(export_profile, conf={"identifiers": ["PF-000003", "PF-000007"]})
    assert set(exported(export_profile.parent / "export.csv")) == {"PF-000003", "PF-000007"}

    token = requests.post(f"{connected.akeneo_url}/api/oauth/v1/token", auth=(
        AKENEO_CREDENTIALS["client_id"], AKENEO_CREDENTIALS["client_secret"]), json={
        "grant_type": "password", "username": "admin", "password": "admin"}, timeout=10).json()["access_token"]
    answer = requests.patch(f"{connected.akeneo_url}/api/rest/v1/products/PF-000011", json={
        "values": {"name": [{"locale": "en_US", "scope": None, "data": "Changed name"}]}},
        headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 204

    dag_run, staging = run_profile(export_profile)
    assert json.loads((staging / "window.json").read_text())["mode"] == "incremental"
    rows = exported(export_profile.parent / "export.csv")
    assert list(rows) == ["PF-000011"] and rows["PF-000011"]["title"] == "Changed name"


def test_product_counter_command_counts_the_profiles_selection(connected, export_profile, capsys):
    from pimflow.cli import main

    catalog = generate_catalog(CATALOG_SIZE, seed=42)
    tree = in_tree(catalog, catalog.channels["ecommerce"]["category_tree"])
    expected = sum(1 for p in catalog.products.values() if tree & set(p.categories))
    assert main(["count", str(export_profile)]) == 0
    assert capsys.readouterr().out.startswith(f"{expected} product(s) match the filter of akeneo_to_feed_")
