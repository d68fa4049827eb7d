"""Akeneo → feed → Akeneo: pimflow's own export of a catalog with one- and two-level product models,
fed back through a feed → Akeneo profile, changes nothing and refuses nothing (real Airflow, the
Akeneo sandbox over HTTP), in either column form."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from sandbox.akeneo.catalog import generate_catalog

pytestmark = pytest.mark.integration

CATALOG = {"products": 24, "seed": 42, "variant_share": 0.5}
EXPORT = """
id: {dag_id}
source:
  kind: akeneo
  product_id: identifier
  product_models: true
  column_form: {column_form}
target:
  kind: feed
  path: export.csv
chunk_size: 10
retries: 0
"""
IMPORT = """
id: {dag_id}
source:
  kind: feed
  path: export.csv
target:
  kind: akeneo
  product_id: identifier
batch_size: 3
chunk_size: 10
retries: 0
"""


def state(url: str) -> dict:
    """Every product and product model as Akeneo answers them (`updated` included: it moves only
    when a PATCH changes something)."""
    catalog = generate_catalog(CATALOG["products"], CATALOG["seed"], variant_share=CATALOG["variant_share"])
    seen = {}
    for kind, codes in (("products", [p.identifier for p in catalog.products.values()]),
                        ("product-models", list(catalog.product_models))):
        for code in codes:
            body = requests.get(f"{url}/_sandbox/{kind}/{code}", timeout=10).json()
            body["categories"] = sorted(body["categories"])
            seen[f"{kind}/{code}"] = body
    return seen


@pytest.mark.parametrize("column_form", ["pimflow", "productsup"])
def test_an_export_with_variants_reimports_without_change_or_refusal(connected, tmp_path, run_profile, column_form):
    requests.post(f"{connected.akeneo_url}/_sandbox/catalog", json=CATALOG, timeout=30).raise_for_status()
    catalog = generate_catalog(CATALOG["products"], CATALOG["seed"], variant_share=CATALOG["variant_share"])
    assert {m.parent is None for m in catalog.product_models.values()} == {True, False}  # one and two levels
    before = state(connected.akeneo_url)

    export = tmp_path / "export.yaml"
    export.write_text(EXPORT.format(dag_id=f"roundtrip_out_{uuid.uuid4().hex[:8]}", column_form=column_form))
    dag_run, _ = run_profile(export)
    assert dag_run.state == "success"
    header = (tmp_path / "export.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert ("price@currency" in header) == (column_form == "productsup")

    importing = tmp_path / "import.yaml"
    importing.write_text(IMPORT.format(dag_id=f"roundtrip_in_{uuid.uuid4().hex[:8]}"))
    dag_run, staging = run_profile(importing)
    assert dag_run.state == "success"
    summary = json.loads((staging / "summary.json").read_text())
    feedback = (staging / "feedback.csv").read_text(encoding="utf-8").splitlines()
    assert summary["refused"] == 0, feedback[:5]
    assert summary["read"] == len(catalog.products) + len(catalog.product_models)

    after = state(connected.akeneo_url)
    changed = {key for key in before if before[key] != after[key]}
    assert not changed, {key: (before[key], after[key]) for key in sorted(changed)[:2]}
