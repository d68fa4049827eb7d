"""Catalog structure through real Airflow against both sandboxes, on a generated catalog with one-
and two-level product models, bundles, related products and reference entities:

- Linnworks holds one variation group per root model (its variants at any depth), the kits'
  compositions, the related products as extended properties and the category paths;
- a change on a model reaches all its variants in the next incremental run;
- the category trees are read parents before children.
"""
from __future__ import annotations

import csv
import json
import os
import uuid

import pytest
import requests

from sandbox.akeneo.catalog import generate_catalog

from pipeline_helpers import in_tree

pytestmark = pytest.mark.integration

PRODUCTS, SHARE = 36, 0.5
CATALOG = generate_catalog(PRODUCTS, 42, variant_share=SHARE)
# With a scope, Akeneo returns only the products classified in the channel's tree (ecommerce: master).
IN_SCOPE = [p for p in CATALOG.products.values() if set(p.categories) & in_tree(CATALOG, "master")]

PROFILE = """
id: {dag_id}
retries: 0
chunk_size: 10
source:
  kind: akeneo
  channel: ecommerce
  locales: [en_US]
  product_id: identifier
  product_models: true
  reference_entities: [manufacturer, materials]
target:
  kind: linnworks
  titles:
    - {{attribute: name, to: item}}
  descriptions:
    - {{attribute: description, to: metadata}}
  extended_properties:
    attributes: [material, "manufacturer-label~en_US", materials_1, "materials_1-label~en_US"]
    prefix: "ak_"
  compositions: {{association: PACK, create_missing_components: false}}
  related_products: {{require_existing: {require_existing}}}
  categories: {{to: category, tree: master}}{variations}
"""


@pytest.fixture
def structured(connected):
    requests.post(f"{connected.akeneo_url}/_sandbox/catalog",
                  json={"products": PRODUCTS, "seed": 42, "variant_share": SHARE}, timeout=30).raise_for_status()
    return connected


@pytest.fixture
def profile(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"structure_{uuid.uuid4().hex[:8]}", require_existing="true",
                                   variations=""), encoding="utf-8")
    return path


@pytest.fixture
def named_groups_profile(tmp_path):
    """Groups named by the root model's meta_title; related products need not exist first."""
    path = tmp_path / "named.yaml"
    path.write_text(PROFILE.format(dag_id=f"structure_named_{uuid.uuid4().hex[:8]}", require_existing="false",
                                   variations="\n  variations: {group_name: meta_title}"), encoding="utf-8")
    return path


def lw(sandboxes, what: str):
    answer = requests.get(f"{sandboxes.linnworks_data_url}/_sandbox/{what}", timeout=10)
    answer.raise_for_status()
    return answer.json()


def identifiers_by_uuid() -> dict[str, str]:
    return {p.uuid: p.identifier for p in CATALOG.products.values()}


def root_of(code: str) -> str:
    model = CATALOG.product_models[code]
    return model.parent or model.code


def expected_groups(refused=frozenset()) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for product in IN_SCOPE:
        if product.parent and product.identifier not in refused:
            groups.setdefault(root_of(product.parent), []).append(product.identifier)
    return {root: sorted(skus) for root, skus in groups.items()}


def expected_compositions(refused=frozenset()) -> dict[str, dict[str, int]]:
    by_uuid = identifiers_by_uuid()
    kits = {}
    for product in IN_SCOPE:
        if product.identifier in refused:
            continue
        pack = (product.quantified_associations or {}).get("PACK") or {}
        components = {by_uuid[e["uuid"]]: e["quantity"] for e in pack.get("products", [])}
        components.update({e["identifier"]: e["quantity"] for e in pack.get("product_models", [])})
        if components:
            kits[product.identifier] = components
    return kits


def related_of(product) -> dict[str, str]:
    by_uuid = identifiers_by_uuid()
    related = {}
    for kind, links in (product.associations or {}).items():
        skus = [by_uuid.get(u, u) for u in links.get("products", [])] + list(links.get("product_models", []))
        if skus:
            related[f"related_{kind}"] = ",".join(skus)
    return related


def needed_models() -> set[str]:
    return {code for p in IN_SCOPE if p.parent for code in (p.parent, root_of(p.parent))}


def dangling_related() -> dict[str, list[str]]:
    """Products whose related products are neither in the run nor in Linnworks, and those SKUs."""
    in_run = {p.identifier for p in IN_SCOPE} | needed_models()
    named = {p.identifier: set(",".join(related_of(p).values()).split(",")) - {""} for p in IN_SCOPE}
    return {sku: sorted(skus - in_run) for sku, skus in named.items() if skus - in_run}


def properties(item: dict) -> dict[str, str]:
    return {p["ProperyName"]: p["PropertyValue"] for p in item["extended_properties"]}


def test_models_bundles_related_products_and_categories_land_in_linnworks(structured, profile, run_profile):
    dag_run, staging = run_profile(profile)
    assert dag_run.state == "success"
    summary = json.loads((staging / "summary.json").read_text())
    models = {code for p in IN_SCOPE if p.parent for code in (p.parent, root_of(p.parent))}
    assert summary["read"] == len(IN_SCOPE) + len(models)  # the products and the models their variants need
    sub_models = sum(1 for code in models if CATALOG.product_models[code].parent)
    assert summary["statuses"].get("skipped", 0) == sub_models  # sub-models are not items
    # related products must exist first: products linked to one outside the channel's tree are refused
    dangling = dangling_related()
    with (staging / "feedback.csv").open(newline="", encoding="utf-8") as handle:
        refused = {row["sku"]: row["linnworks_message"] for row in csv.DictReader(handle)}
    assert set(refused) == set(dangling)
    for sku, missing in dangling.items():
        assert refused[sku].startswith("required SKUs missing") and all(m in refused[sku] for m in missing)

    groups = {g["VariationSKU"]: g for g in lw(structured, "variation-groups")}
    assert {root: sorted(g["Items"]) for root, g in groups.items()} == expected_groups(set(refused))
    assert all(g["VariationGroupName"] == root for root, g in groups.items())  # default: the model code
    assert lw(structured, "compositions") == expected_compositions(set(refused))

    bundle = next(iter(expected_compositions(set(refused))))
    sample = [p for p in IN_SCOPE if related_of(p) and p.identifier not in refused][:5]
    for product in sample:
        item = lw(structured, f"items/{product.identifier}")
        got = properties(item)
        for name, value in related_of(product).items():
            assert got[name] == value, (product.identifier, name)
    assert lw(structured, f"items/{bundle}")["composition"] == expected_compositions()[bundle]
    parent = lw(structured, f"items/{next(iter(groups))}")
    assert parent["item"]["ItemTitle"] == next(iter(groups))  # a parent item is titled by its group's name


def test_inherited_values_and_reference_entity_records_reach_the_variants(structured, named_groups_profile,
                                                                        run_profile):
    dag_run, staging = run_profile(named_groups_profile)
    assert dag_run.state == "success"
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["refused"] == 0  # related products outside the run are listed anyway
    dangling = next(iter(dangling_related()))
    assert properties(lw(structured, f"items/{dangling}")) | related_of(
        next(p for p in IN_SCOPE if p.identifier == dangling)) == properties(lw(structured, f"items/{dangling}"))
    for group in lw(structured, "variation-groups"):
        values = CATALOG.product_models[group["VariationSKU"]].values()
        title = next(v["data"] for v in values["meta_title"] if v["locale"] == "en_US" and v["scope"] == "ecommerce")
        assert group["VariationGroupName"] == title
        assert lw(structured, f"items/{group['VariationSKU']}")["item"]["ItemTitle"] == title
    two_level = next(p for p in IN_SCOPE
                     if p.parent and CATALOG.product_models[p.parent].parent)
    root = CATALOG.product_models[root_of(two_level.parent)]
    root_values = root.values()
    item = lw(structured, f"items/{two_level.identifier}")
    got = properties(item)
    material = "<###>".join(root_values["material"][0]["data"])  # a multi-select, as its flat cell
    assert got["ak_material"] == material  # a root-level value on a variant two levels down
    manufacturer = root_values["manufacturer"][0]["data"]
    assert got["ak_manufacturer-label~en_US"] == record_label("brands", manufacturer)
    first_material = root_values["materials"][0]["data"][0]
    assert got["ak_materials_1"] == first_material
    assert got["ak_materials_1-label~en_US"] == record_label("materials", first_material)
    category = item["category"]["CategoryName"]
    assert category.startswith("Master") and " > " in category


def record_label(entity: str, code: str) -> str:
    values = CATALOG.reference_entity_records[entity][code].get("values") or {}
    return next(v["data"] for v in values.get("label", []) if v["locale"] == "en_US")


def test_a_change_on_a_model_reaches_all_its_variants_in_the_next_incremental_run(structured, profile, run_profile):
    dag_run, _ = run_profile(profile)
    assert dag_run.state == "success"
    root = next(code for code, m in CATALOG.product_models.items()
                if not m.parent and code.startswith("model2_") and m.values()["material"][0]["data"] != ["wood", "glass"]
                and len(expected_groups(set(dangling_related())).get(code, [])) > 1)
    variants = expected_groups(set(dangling_related()))[root]
    token = _akeneo_token(structured)
    answer = requests.patch(f"{structured.akeneo_url}/api/rest/v1/product-models/{root}",
                            json={"values": {"material": [{"locale": None, "scope": None, "data": ["wood", "glass"]}]}},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 204, answer.text
    requests.post(f"{structured.linnworks_data_url}/_sandbox/stats/reset", timeout=10).raise_for_status()
    dag_run, staging = run_profile(profile)  # a manual run covers the time since the last successful one
    assert dag_run.state == "success"
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["window"].startswith("incremental")
    for sku in variants:
        assert properties(lw(structured, f"items/{sku}"))["ak_material"] == "wood<###>glass", sku
    # read: the model's variants (Akeneo's filter counts them as changed) and the models they need
    changed = [p for p in IN_SCOPE if p.parent and root_of(p.parent) == root]  # refused ones included
    sub_models = {p.parent for p in changed} - {root}
    assert summary["read"] == len(changed) + 1 + len(sub_models)
    assert summary["statuses"].get("updated", 0) == len(variants) + 1  # the variants and the parent item


def _akeneo_token(sandboxes) -> str:
    from pimflowdev.sandboxes import AKENEO_CREDENTIALS

    answer = requests.post(f"{sandboxes.akeneo_url}/api/oauth/v1/token",
                           auth=(AKENEO_CREDENTIALS["client_id"], AKENEO_CREDENTIALS["client_secret"]),
                           json={"grant_type": "password", "username": AKENEO_CREDENTIALS["login"],
                                 "password": AKENEO_CREDENTIALS["password"]}, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


CATEGORIES_PROFILE = """
id: {dag_id}
retries: 0
source:
  kind: akeneo
  read: categories
  locales: [en_US]
target:
  kind: feed
  path: {output}
"""


def test_category_initialisation_lists_parents_before_children(structured, tmp_path, run_profile):
    output = tmp_path / "categories.csv"
    path = tmp_path / "categories.yaml"
    path.write_text(CATEGORIES_PROFILE.format(dag_id=f"categories_{uuid.uuid4().hex[:8]}", output=output))
    dag_run, _ = run_profile(path)
    assert dag_run.state == "success"
    with output.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["code"] for r in rows} == set(CATALOG.categories)
    seen: set[str] = set()
    for row in rows:
        assert not row["parent"] or row["parent"] in seen, f"{row['code']} comes before its parent {row['parent']}"
        seen.add(row["code"])
    master = next(r for r in rows if r["code"] == "master")
    assert master["label~en_US"] == CATALOG.categories["master"]["labels"]["en_US"]
    enriched = [r for r in rows if r.get("title~en_US~ecommerce")]
    assert enriched, "category attribute values are carried"


INIT_PROFILE = """
id: {dag_id}
retries: 0
source:
  kind: akeneo
  read: categories
  locales: [en_US, de_DE]
target:
  kind: akeneo
  connection: akeneo_target
batch_size: 7
"""


@pytest.fixture
def empty_akeneo(structured, monkeypatch, tmp_path):
    """A second Akeneo (the sandbox, on its own port) with no category at all."""
    import re
    import subprocess
    import sys

    from pimflowdev.sandboxes import wait_until_up

    # Port 0: the sandbox binds a free port itself and prints it (no race with another test run).
    process = subprocess.Popen([sys.executable, "-m", "sandbox.akeneo", "--host", "127.0.0.1", "--port", "0",
                                "--products", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        banner = process.stdout.readline()
        found = re.search(r"on (http://127\.0\.0\.1:\d+) ", banner)
        assert found, banner
        url = found.group(1)
        wait_until_up(f"{url}/_sandbox/settings", [process])
        requests.post(f"{url}/_sandbox/catalog", json={"products": 0, "categories": False},
                      timeout=30).raise_for_status()
        connection = json.loads(structured.connection_env()["AIRFLOW_CONN_AKENEO_DEFAULT"])
        connection["host"] = url
        monkeypatch.setenv("AIRFLOW_CONN_AKENEO_TARGET", json.dumps(connection))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_category_initialisation_creates_parents_before_children(empty_akeneo, tmp_path, run_profile):
    from akeneo.hook import AkeneoHook

    path = tmp_path / "init.yaml"
    path.write_text(INIT_PROFILE.format(dag_id=f"category_init_{uuid.uuid4().hex[:8]}"))
    dag_run, staging = run_profile(path)
    assert dag_run.state == "success"
    summary = json.loads((staging / "summary.json").read_text())
    # Akeneo refuses a category whose parent does not exist yet: none refused, all created
    assert summary["statuses"] == {"created": len(CATALOG.categories)}, (staging / "feedback.csv").read_text()
    created = {c["code"]: c for c in AkeneoHook(akeneo_conn_id="akeneo_target").get_conn().iter_category_tree()}
    assert {code: c["parent"] for code, c in created.items()} == {
        code: c["parent"] for code, c in CATALOG.categories.items()}
    assert created["master"]["labels"]["de_DE"] == CATALOG.categories["master"]["labels"]["de_DE"]

    dag_run, staging = run_profile(path)  # replaying it changes nothing and refuses nothing
    assert json.loads((staging / "summary.json").read_text())["statuses"] == {"updated": len(CATALOG.categories)}


def test_a_dry_run_diff_shows_an_items_fields_then_its_structure_and_writes_nothing(structured, named_groups_profile,
                                                                                      run_profile):
    dag_run, _ = run_profile(named_groups_profile)
    assert dag_run.state == "success"
    groups_before = lw(structured, "variation-groups")
    root = next(g["VariationSKU"] for g in groups_before if g["VariationSKU"].startswith("model2_"))
    answer = requests.patch(f"{structured.akeneo_url}/api/rest/v1/product-models/{root}", json={"values": {
        "meta_title": [{"locale": "en_US", "scope": "ecommerce", "data": "Renamed group"}]}},
        headers={"Authorization": f"Bearer {_akeneo_token(structured)}"}, timeout=10)
    assert answer.status_code == 204, answer.text
    requests.post(f"{structured.linnworks_data_url}/_sandbox/stats/reset", timeout=10).raise_for_status()

    dag_run, staging = run_profile(named_groups_profile, conf={"dry_run": True})
    assert dag_run.state == "success"
    assert lw(structured, "variation-groups") == groups_before  # nothing written
    rows = []
    for path in sorted((staging / "dry_run").glob("diff-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    assert not (staging / "dry_run" / "structure-diff.csv").exists()
    # the parent item is titled by its group: its title first (load), then the group's name (link)
    old = next(g["VariationGroupName"] for g in groups_before if g["VariationSKU"] == root)
    assert [(r["sku"], r["field"], r["old"], r["new"], r["action"]) for r in rows] == [
        (root, "title", old, "Renamed group", "update"),
        (root, "variation_group", old, "Renamed group", "update")]
