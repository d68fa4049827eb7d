"""Linking never destroys what it did not positively decide (issue 15), through real Airflow against
both sandboxes, with faults from the Linnworks sandbox's `fail_next` switch (limited to some SKUs):

- a full sync where some variants' title updates fail (5xx, retries included) keeps their variation
  group memberships: the run's Linnworks state equals a fault-free run's but for those titles, the
  feedback names the failed updates and what happened to each variant's group, and the next run
  repairs the titles;
- a refused variant that exists in Linnworks is a member of a group this run creates;
- a kit whose component was refused in this run keeps its composition rows;
- a variant missing in Linnworks leaves its group written with the others, and its own feedback line
  says which group it could not join;
- a dry run into an empty Linnworks plans the groups and kits a real run would write.
"""
from __future__ import annotations

import csv
import json
import uuid

import pytest
import requests

from test_structure_to_linnworks import (IN_SCOPE, PRODUCTS, PROFILE, SHARE, _akeneo_token, dangling_related,
                                         expected_compositions, expected_groups, lw, needed_models, root_of)

pytestmark = pytest.mark.integration

RETRIES = 2  # the client's retries of a 5xx (the connection's max_retries, no backoff)
TITLE = "Inventory/UpdateInventoryItemField"


@pytest.fixture
def env(connected, monkeypatch):
    """Both sandboxes reset (the generated catalog with models and kits, an empty Linnworks); a
    Linnworks connection that retries a 5xx RETRIES times without waiting."""
    reset(connected)
    connection = json.loads(connected.connection_env()["AIRFLOW_CONN_LINNWORKS_DEFAULT"])
    connection["extra"].update(max_retries=RETRIES, backoff_seconds=0)
    monkeypatch.setenv("AIRFLOW_CONN_LINNWORKS_DEFAULT", json.dumps(connection))
    return connected


def reset(sandboxes) -> None:
    requests.post(f"{sandboxes.akeneo_url}/_sandbox/catalog",
                  json={"products": PRODUCTS, "seed": 42, "variant_share": SHARE}, timeout=30).raise_for_status()
    requests.post(f"{sandboxes.linnworks_data_url}/_sandbox/seed", json={"items": 0, "seed": 42},
                  timeout=30).raise_for_status()
    settings(sandboxes, fail_next=[])


def new_profile(tmp_path, require_existing: str = "false"):
    dag_id = f"linking_{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"{dag_id}.yaml"
    path.write_text(PROFILE.format(dag_id=dag_id, require_existing=require_existing, variations=""),
                    encoding="utf-8")
    return path


def settings(sandboxes, **changes) -> dict:
    answer = requests.patch(f"{sandboxes.linnworks_data_url}/_sandbox/settings", json=changes, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def rename(sandboxes, skus, suffix: str) -> None:
    """New names in Akeneo: the next run updates these items' titles."""
    token = _akeneo_token(sandboxes)
    for sku in skus:
        answer = requests.patch(f"{sandboxes.akeneo_url}/api/rest/v1/products/{sku}", json={"values": {
            "name": [{"locale": "en_US", "scope": None, "data": f"{sku} {suffix}"}]}},
            headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 204, answer.text


def feedback(staging) -> dict[str, dict]:
    path = staging / "feedback.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["sku"]: row for row in csv.DictReader(handle)}


def final_results(staging) -> dict[str, dict]:
    lines = (staging / "ledger" / "run.jsonl").read_text(encoding="utf-8").splitlines()
    return {result["key"]: result for result in map(json.loads, lines) if result.get("key")}


def groups(sandboxes) -> dict[str, list[str]]:
    return {g["VariationSKU"]: sorted(g["Items"]) for g in lw(sandboxes, "variation-groups")}


def snapshot(sandboxes) -> dict:
    """What Linnworks holds for every SKU of the catalog: items (without timestamps), groups, kits."""
    items = {}
    for sku in sorted({p.identifier for p in IN_SCOPE} | needed_models()):
        answer = requests.get(f"{sandboxes.linnworks_data_url}/_sandbox/items/{sku}", timeout=10)
        if answer.status_code == 200:
            items[sku] = _without_times(answer.json())
    from linnworks.hook import LinnworksHook

    count = LinnworksHook(linnworks_conn_id="linnworks_default").get_conn().count_items()
    return {"items": items, "count": count, "groups": groups(sandboxes),
            "compositions": lw(sandboxes, "compositions")}


def _without_times(value):
    """Without timestamps and integer ids (their order follows the order of concurrent creates)."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items()
                if "Date" not in k and "Time" not in k and not k.endswith("IntId")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def compare(fault_free: dict, faulty: dict, failed_titles=frozenset()) -> dict[str, int]:
    """The scenario row: memberships lost, items duplicated, items wrongly changed."""
    lost = sum(len(set(members) - set(faulty["groups"].get(root, [])))
               for root, members in fault_free["groups"].items())
    lost += sum(len(set(rows) - set(faulty["compositions"].get(kit, {})))
                for kit, rows in fault_free["compositions"].items())
    wrong = 0
    for sku, item in fault_free["items"].items():
        other = faulty["items"].get(sku)
        if sku in failed_titles and other is not None:
            other = {**other, "item": {**other["item"], "ItemTitle": item["item"]["ItemTitle"]}}
        wrong += other != item
    wrong += len(set(faulty["items"]) - set(fault_free["items"]))
    return {"lost": lost, "duplicated": faulty["count"] - fault_free["count"], "wrongly_changed": wrong}


def group_of(sku: str) -> str:
    return root_of(next(p.parent for p in IN_SCOPE if p.identifier == sku))


def variants_in_groups(count: int) -> list[str]:
    """`count` variants of different groups that every run creates (their related products exist)."""
    chosen, roots = [], set()
    for root, skus in sorted(expected_groups(set(dangling_related())).items()):
        if len(skus) > 1 and root not in roots:
            chosen.append(skus[0])
            roots.add(root)
        if len(chosen) == count:
            return chosen
    raise AssertionError("the catalog has too few groups")


def test_a_full_sync_whose_variant_title_updates_fail_keeps_their_groups_and_the_next_run_repairs_them(
        env, tmp_path, run_profile):
    failing = variants_in_groups(3)

    # the fault-free run of the same input
    profile = new_profile(tmp_path)
    assert run_profile(profile)[0].state == "success"
    rename(env, failing, "renamed")
    dag_run, staging = run_profile(profile, conf={"full_sync": True})
    assert dag_run.state == "success" and feedback(staging) == {}
    fault_free = snapshot(env)
    assert fault_free["groups"] == expected_groups()

    # the same input, with the three title updates failing (each call and its retries)
    reset(env)
    profile = new_profile(tmp_path)
    assert run_profile(profile)[0].state == "success"
    before = groups(env)
    rename(env, failing, "renamed")
    settings(env, fail_next=[{"method": TITLE, "status": 500, "skus": failing,
                              "times": len(failing) * (1 + RETRIES)}])
    dag_run, staging = run_profile(profile, conf={"full_sync": True})
    assert dag_run.state == "success"
    assert settings(env)["fail_next"] == []  # every call and retry met the fault
    faulty = snapshot(env)
    assert faulty["groups"] == before == fault_free["groups"]  # memberships intact
    row = compare(fault_free, faulty, failed_titles=set(failing))
    print(f"\nfull sync, {len(failing)} variant title updates failing: records in "
          f"{json.loads((staging / 'summary.json').read_text())['read']}, lost {row['lost']}, "
          f"duplicated {row['duplicated']}, wrongly changed {row['wrongly_changed']}")
    assert row == {"lost": 0, "duplicated": 0, "wrongly_changed": 0}
    for sku in failing:
        assert faulty["items"][sku]["item"]["ItemTitle"] != f"{sku} renamed"

    # the feedback names the failed updates, and what became of each variant's group
    refused = feedback(staging)
    assert set(refused) == set(failing)
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["refused"] == summary["refused_transient"] == len(failing)
    results = final_results(staging)
    for sku in failing:
        root = group_of(sku)
        message = refused[sku]["linnworks_message"]
        assert refused[sku]["linnworks_endpoint"] == TITLE, message
        assert f"; variation group {root}: kept as it was" in message, message
        assert "Title" in message  # what was sent
        assert results[sku]["transient"] is True and results[sku]["code"] == TITLE

    # the next run repairs the titles, and changes nothing else
    dag_run, staging = run_profile(profile, conf={"full_sync": True})
    assert dag_run.state == "success" and feedback(staging) == {}
    repaired = snapshot(env)
    assert compare(fault_free, repaired) == {"lost": 0, "duplicated": 0, "wrongly_changed": 0}
    assert repaired == fault_free


def kit_with_simple_components() -> tuple[str, str]:
    """A kit and one of its components, a simple product (no group of its own)."""
    in_groups = {sku for skus in expected_groups().values() for sku in skus}
    for kit, components in sorted(expected_compositions().items()):
        simple = sorted(sku for sku in components if sku.startswith("PF-") and sku not in in_groups)
        if simple:
            return kit, simple[0]
    raise AssertionError("the catalog has no kit of simple products")


def fail_updates(sandboxes, skus) -> None:
    """Every update of these items fails (field updates and full replaces, retries included)."""
    settings(sandboxes, fail_next=[{"method": method, "status": 503, "skus": list(skus), "times": 100}
                                   for method in (TITLE, "Inventory/UpdateInventoryItem")])


def test_refused_records_that_exist_in_linnworks_join_new_structures_and_keep_existing_ones(
        env, tmp_path, run_profile):
    from linnworks.api.models import NewStockItem
    from linnworks.hook import LinnworksHook

    variant = variants_in_groups(1)[0]
    root = group_of(variant)
    kit, component = kit_with_simple_components()
    # both already in Linnworks (made elsewhere, with ids of their own): the first run's updates of them fail
    client = LinnworksHook(linnworks_conn_id="linnworks_default").get_conn()
    client.add_items([NewStockItem(item_number=sku, item_title="made elsewhere", stock_item_id=str(uuid.uuid4()))
                      for sku in (variant, component)])
    fail_updates(env, [variant, component])
    profile = new_profile(tmp_path)
    dag_run, staging = run_profile(profile)  # the first run is a full sync
    assert dag_run.state == "success"
    refused = feedback(staging)
    assert set(refused) == {variant, component}
    # the source puts them in a group and a kit this run creates: they are members
    assert groups(env)[root] == expected_groups()[root]
    assert lw(env, "compositions")[kit] == expected_compositions()[kit]
    assert f"; joined variation group {root}" in refused[variant]["linnworks_message"]
    assert f"; joined composition of {kit}" in refused[component]["linnworks_message"]
    assert all(row["linnworks_endpoint"].startswith("Inventory/UpdateInventoryItem") for row in refused.values())

    # a later full sync, the component refused again: the kit keeps its composition rows
    settings(env, fail_next=[])
    assert run_profile(profile, conf={"full_sync": True})[0].state == "success"
    rename(env, [component], "renamed")
    fail_updates(env, [component])
    dag_run, staging = run_profile(profile, conf={"full_sync": True})
    assert dag_run.state == "success"
    refused = feedback(staging)
    assert set(refused) == {component}
    assert refused[component]["linnworks_message"].endswith(f"; composition of {kit}: kept as it was")
    assert lw(env, "compositions") == expected_compositions()
    assert groups(env) == expected_groups()


def test_a_variant_missing_in_linnworks_leaves_its_group_written_with_the_others(env, tmp_path, run_profile):
    """Related products must exist first: a variant linked to one outside the run is refused before
    it is created, so Linnworks lacks it when its group is written."""
    (variant, _), = dangling_related().items()
    root = group_of(variant)
    dag_run, staging = run_profile(new_profile(tmp_path, require_existing="true"))
    assert dag_run.state == "success"
    refused = feedback(staging)
    assert set(refused) == {variant}
    message = refused[variant]["linnworks_message"]
    assert message.startswith("required SKUs missing")
    assert message.endswith(f"; could not join variation group {root}: missing in Linnworks"), message
    assert groups(env)[root] == sorted(set(expected_groups()[root]) - {variant})
    summary = json.loads((staging / "summary.json").read_text())
    assert summary["refused"] == 1 and summary["refused_transient"] == 0


def test_a_dry_run_into_an_empty_linnworks_plans_the_groups_and_kits_a_real_run_writes(env, tmp_path, run_profile):
    profile = new_profile(tmp_path)
    dag_run, staging = run_profile(profile, conf={"dry_run": True})
    assert dag_run.state == "success"
    assert feedback(staging) == {}  # nothing refused: no "missing in Linnworks"
    rows = []
    for path in sorted((staging / "dry_run").glob("diff-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    planned_groups: dict[str, list[str]] = {}
    planned_kits: dict[str, dict[str, int]] = {}
    for row in rows:
        if row["field"] == "variation_group":
            assert row["action"] == "create"
            planned_groups.setdefault(row["sku"], [])
        elif row["field"].startswith("variation["):
            planned_groups.setdefault(row["sku"], []).append(row["new"])
        elif row["field"].startswith("component["):
            planned_kits.setdefault(row["sku"], {})[row["field"][len("component["):-1]] = int(row["new"])
    assert lw(env, "variation-groups") == [] and lw(env, "compositions") == {}  # nothing written

    assert run_profile(profile)[0].state == "success"  # the real run writes what the dry run planned
    assert {root: sorted(skus) for root, skus in planned_groups.items()} == groups(env) == expected_groups()
    assert planned_kits == lw(env, "compositions") == expected_compositions()
