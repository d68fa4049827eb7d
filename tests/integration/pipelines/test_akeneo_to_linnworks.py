"""Akeneo → Linnworks through real Airflow against both sandboxes: the items Linnworks stores match
Akeneo field by field; an unchanged catalog makes no write call; a changed product is the only one
written; a dry run writes nothing and leaves the diff; an image removed in Akeneo leaves Linnworks
(unless the profile says otherwise) and one a person added in Linnworks stays."""
from __future__ import annotations

import csv
import json
import math
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
import requests

from pimflowdev.sandboxes import AKENEO_CREDENTIALS, LINNWORKS_CREDENTIALS
from sandbox.akeneo.catalog import generate_catalog

from pipeline_helpers import in_tree

pytestmark = pytest.mark.integration

CATALOG_SIZE = 40  # as the `connected` fixture loads it
AMAZON, EBAY = ("AMAZON", "Amazon UK"), ("EBAY", "eBay DE")
READ_PREFIXES = ("Inventory/Get", "Stock/Get")

PROFILE = """
id: {dag_id}
retries: 0
chunk_size: 15
source:
  kind: akeneo
  channel: ecommerce
  locales: [en_US, de_DE]
  product_id: identifier
target:
  kind: linnworks
  prices:
    - {{attribute: price, currency: EUR, to: retail}}
    - {{attribute: cost, currency: EUR, to: purchase}}
    - {{attribute: price, currency: GBP, to: channel, source: AMAZON, subsource: Amazon UK}}
  titles:
    - {{attribute: name, to: item}}
    - {{attribute: "name~de_DE", to: channel, source: EBAY, subsource: eBay DE}}
  descriptions:
    - {{attribute: description, to: metadata}}
  barcode: ean
  dimensions: {{width: width, depth: depth, weight: weight}}
  units: {{length: mm, weight: g}}
  extended_properties: {{attributes: [material, brand], prefix: "ak_"}}
  images: {{main: image_1, mode: upload}}
"""


@pytest.fixture
def profile(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"akeneo_to_linnworks_{uuid.uuid4().hex[:8]}"), encoding="utf-8")
    return path


def pick(values: dict, code: str, locale=None, scope=None):
    return next((v["data"] for v in values.get(code, []) if v["locale"] == locale and v["scope"] == scope), None)


def converted(metric: dict, factors: dict[str, Decimal], decimals: str) -> float:
    amount = Decimal(str(metric["amount"])) * factors[metric["unit"]]
    return float(amount.quantize(Decimal(decimals), rounding=ROUND_HALF_UP))


def expected_item(product) -> dict:
    values = json.loads(product.values_json)
    price = {p["currency"]: float(p["amount"]) for p in pick(values, "price")}
    to_mm = {"CENTIMETER": Decimal(10), "MILLIMETER": Decimal(1)}
    to_g = {"KILOGRAM": Decimal(1000), "GRAM": Decimal(1)}
    return {
        "ItemTitle": pick(values, "name", "en_US"), "RetailPrice": price["EUR"],
        "PurchasePrice": float(pick(values, "cost")[0]["amount"]), "BarcodeNumber": pick(values, "ean"),
        "MetaData": pick(values, "description", "en_US", "ecommerce"),
        "Width": converted(pick(values, "width"), to_mm, "0.1"), "Depth": converted(pick(values, "depth"), to_mm, "0.1"),
        "Weight": converted(pick(values, "weight"), to_g, "0.1"),
        "prices": {AMAZON: price["GBP"]}, "titles": {EBAY: pick(values, "name", "de_DE")},
        "properties": {"ak_material": "<###>".join(pick(values, "material")), "ak_brand": pick(values, "brand")},
    }


def stored(connected, sku: str) -> dict:
    answer = requests.get(f"{connected.linnworks_data_url}/_sandbox/items/{sku}", timeout=10)
    assert answer.status_code == 200, f"{sku} is not in Linnworks"
    state = answer.json()
    item = state["item"]
    return {
        **{key: item[key] for key in ("ItemTitle", "RetailPrice", "PurchasePrice", "BarcodeNumber", "MetaData",
                                      "Width", "Depth", "Weight")},
        "prices": {(p["Source"], p["SubSource"]): p["Price"] for p in state["prices"]},
        "titles": {(t["Source"], t["SubSource"]): t["Title"] for t in state["titles"]},
        # every property, so one pimflow would keep for itself would show (it keeps none)
        "properties": {p["ProperyName"]: p["PropertyValue"] for p in state["extended_properties"]},
        "images": state["images"],
    }


def linnworks_calls(connected) -> tuple[dict, dict]:
    """(write calls, read calls) by method since the last reset; resets the counters."""
    calls = requests.get(f"{connected.linnworks_data_url}/_sandbox/stats", timeout=10).json()["calls"]
    requests.post(f"{connected.linnworks_data_url}/_sandbox/stats/reset", timeout=10).raise_for_status()
    writes = {m: n for m, n in calls.items() if not m.startswith(READ_PREFIXES)}
    return writes, {m: n for m, n in calls.items() if m.startswith(READ_PREFIXES)}


def summary(staging) -> dict:
    return json.loads((staging / "summary.json").read_text())


def patch_akeneo(connected, identifier: str, values: dict) -> None:
    token = requests.post(f"{connected.akeneo_url}/api/oauth/v1/token", auth=(
        AKENEO_CREDENTIALS["client_id"], AKENEO_CREDENTIALS["client_secret"]), json={
        "grant_type": "password", "username": "admin", "password": "admin"}, timeout=10).json()["access_token"]
    answer = requests.patch(f"{connected.akeneo_url}/api/rest/v1/products/{identifier}", json={"values": values},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 204, answer.text


def test_sync_no_change_one_change_and_dry_run(connected, profile, run_profile):
    catalog = generate_catalog(CATALOG_SIZE, seed=42)
    tree = in_tree(catalog, catalog.channels["ecommerce"]["category_tree"])
    products = [p for p in catalog.products.values() if tree & set(p.categories) and p.parent is None]
    sample = [p for p in products if "image_1" in json.loads(p.values_json)][:4]
    assert len(sample) == 4

    dag_run, staging = run_profile(profile)
    assert dag_run.state == "success"
    first = summary(staging)
    assert first["refused"] == 0 and first["statuses"]["created"] == first["read"] > 0
    for product in sample:
        state = stored(connected, product.identifier)
        images = state.pop("images")
        assert state == expected_item(product), product.identifier
        assert len(images) == 1 and images[0]["IsMain"], product.identifier
    writes, _ = linnworks_calls(connected)
    assert writes["Inventory/AddInventoryItemBulk"] == math.ceil(first["read"] / 15)  # one bulk add per chunk

    dag_run, staging = run_profile(profile, conf={"full_sync": True})
    assert dag_run.state == "success"
    writes, reads = linnworks_calls(connected)
    assert writes == {} and reads["Stock/GetStockItemsFullByIds"] >= 1
    assert summary(staging)["statuses"] == {"unchanged": first["read"]}

    changed = sample[0].identifier
    patch_akeneo(connected, changed, {"name": [{"locale": "en_US", "scope": None, "data": "Changed name"}],
                                      "price": [{"locale": None, "scope": None, "data": [
                                          {"amount": "12.50", "currency": "EUR"}, {"amount": "11.00", "currency": "GBP"}]}]})
    dag_run, staging = run_profile(profile)
    assert dag_run.state == "success"
    assert summary(staging)["statuses"] == {"updated": 1}
    state = stored(connected, changed)
    assert (state["ItemTitle"], state["RetailPrice"], state["prices"]) == ("Changed name", 12.5, {AMAZON: 11.0})
    writes, _ = linnworks_calls(connected)
    assert writes and sum(writes.values()) <= 3, writes  # title + price fields (or one replace) + the Amazon row

    dry = sample[1].identifier
    patch_akeneo(connected, dry, {"name": [{"locale": "en_US", "scope": None, "data": "Dry name"}]})
    dag_run, staging = run_profile(profile, conf={"dry_run": True})
    assert dag_run.state == "success"
    writes, _ = linnworks_calls(connected)
    assert writes == {}
    assert stored(connected, dry)["ItemTitle"] == expected_item(sample[1])["ItemTitle"]
    with (staging / "dry_run" / "diff-00000.csv").open(encoding="utf-8", newline="") as handle:
        diff = list(csv.DictReader(handle))
    assert [(row["sku"], row["field"], row["new"], row["action"]) for row in diff] == [
        (dry, "title", "Dry name", "update")]


def test_replaying_an_earlier_interval_gives_the_same_linnworks_state(connected, profile, run_profile,
                                                                      monkeypatch):
    """What a backfill does: run the DAG over a past data interval. The products Akeneo changed in
    that interval are extracted again; Linnworks already matches them, so nothing is written and
    the state stays the same. (`airflow backfill create` needs the scheduler, see
    tests/integration/stack/test_backfill.py; here the past interval comes from the logical date and
    the run is taken for a backfill's, as `dag.test()` makes only manual runs, which sync since the
    last successful run whatever their interval.)"""
    import pimflow.factory
    from collections import Counter
    from datetime import datetime, time, timedelta, timezone

    profile.write_text(profile.read_text().replace("retries: 0", 'retries: 0\nschedule: "@daily"\nstart_date: 2025-01-01'))
    catalog = generate_catalog(CATALOG_SIZE, seed=42)
    tree = in_tree(catalog, catalog.channels["ecommerce"]["category_tree"])
    synced = [p for p in catalog.products.values() if tree & set(p.categories) and p.parent is None]
    busiest_day, changed_that_day = Counter(p.updated.date() for p in synced).most_common(1)[0]

    dag_run, staging = run_profile(profile, conf={"full_sync": True})
    assert dag_run.state == "success"
    before = {p.identifier: stored(connected, p.identifier) for p in synced}
    linnworks_calls(connected)  # reset the counters

    day_after = datetime.combine(busiest_day + timedelta(days=1), time(), tzinfo=timezone.utc)
    monkeypatch.setattr(pimflow.factory, "run_type_of", lambda dag_run: "backfill")
    dag_run, staging = run_profile(profile, logical_date=day_after)
    assert dag_run.state == "success"
    window = json.loads((staging / "window.json").read_text())
    assert (window["mode"], window["start"][:10], window["end"][:10]) == (
        "incremental", busiest_day.isoformat(), day_after.date().isoformat())
    assert summary(staging)["statuses"] == {"unchanged": changed_that_day}
    writes, _ = linnworks_calls(connected)
    assert writes == {}
    assert {p.identifier: stored(connected, p.identifier) for p in synced} == before


#: the profiles of the image and weight tests: an Akeneo → Linnworks title sync, then their own settings
TITLES_PROFILE = """
id: {dag_id}
retries: 0
source:
  kind: akeneo
  channel: ecommerce
  locales: [en_US]
  product_id: identifier
target:
  kind: linnworks
  titles:
    - {{attribute: name, to: item}}
"""
IMAGES_PROFILE = TITLES_PROFILE + "  images: {{main: image_1, others: [image_2], mode: upload{removal}}}\n"


def add_image_by_hand(connected, sku: str, url: str) -> str:
    """What a person does: add a picture to the item in Linnworks (the API's AddImageToInventoryItem)."""
    session = requests.post(f"{connected.linnworks_auth_url}/api/Auth/AuthorizeByApplication", json={
        "ApplicationId": LINNWORKS_CREDENTIALS["application_id"],
        "ApplicationSecret": LINNWORKS_CREDENTIALS["application_secret"],
        "Token": LINNWORKS_CREDENTIALS["installation_token"]}, timeout=10).json()
    answer = requests.post(f"{session['Server']}/api/Inventory/AddImageToInventoryItem", json={
        "request": {"ItemNumber": sku, "ImageUrl": url}}, headers={"Authorization": session["Token"]}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["ImageId"]


def test_an_image_removed_in_akeneo_leaves_linnworks_and_one_added_by_hand_stays(connected, tmp_path, run_profile):
    catalog = generate_catalog(CATALOG_SIZE, seed=42)
    tree = in_tree(catalog, catalog.channels["ecommerce"]["category_tree"])
    product = next(p for p in catalog.products.values() if tree & set(p.categories) and p.parent is None
                   and pick(json.loads(p.values_json), "image_1") not in (None, pick(json.loads(p.values_json), "image_2"))
                   and pick(json.loads(p.values_json), "image_2"))
    sku = product.identifier
    profile = tmp_path / "images.yaml"
    dag_id = f"akeneo_images_to_linnworks_{uuid.uuid4().hex[:8]}"

    def run(removal: str, conf: dict | None = None) -> None:
        profile.write_text(IMAGES_PROFILE.format(dag_id=dag_id, removal=removal), encoding="utf-8")
        dag_run, staging = run_profile(profile, conf=conf)
        assert dag_run.state == "success" and summary(staging)["refused"] == 0, summary(staging)

    def images() -> dict[str, bool]:
        return {image["pkRowId"]: image["IsMain"] for image in stored(connected, sku)["images"]}

    run("")
    pimflows = images()
    assert len(pimflows) == 2
    assert stored(connected, sku)["properties"] == {}  # no property of pimflow's own on the item
    by_hand = add_image_by_hand(connected, sku, "https://photos.example.test/shop-floor.jpg")

    # Removed in Akeneo, with the profile's removal off: the image stays (the ledger still names it)
    patch_akeneo(connected, sku, {"image_2": [{"locale": None, "scope": None, "data": None}]})
    run(", remove_dropped: false")
    assert set(images()) == {*pimflows, by_hand}
    writes, _ = linnworks_calls(connected)
    assert "Inventory/DeleteInventoryItemImageBulk" not in writes

    # With removal on (the default), the next run that reads the product (here a full sync) deletes
    # it; the person's image stays
    run("", {"full_sync": True})
    main = next(image_id for image_id, is_main in pimflows.items() if is_main)
    assert images() == {main: True, by_hand: False}
    writes, _ = linnworks_calls(connected)
    assert writes == {"Inventory/DeleteInventoryItemImageBulk": 1}


WEIGHT_PROFILE = TITLES_PROFILE + "  dimensions: {{weight: weight}}\n  units: {{weight: kg}}\n{precision}"


def test_a_weight_that_rounds_to_zero_is_sent_with_a_warning_in_the_feedback_until_the_precision_keeps_it(
        connected, tmp_path, run_profile):
    catalog = generate_catalog(CATALOG_SIZE, seed=42)
    tree = in_tree(catalog, catalog.channels["ecommerce"]["category_tree"])
    sku = next(p.identifier for p in catalog.products.values() if tree & set(p.categories) and p.parent is None)
    patch_akeneo(connected, sku, {"weight": [{"locale": None, "scope": None,
                                              "data": {"amount": "0.4", "unit": "GRAM"}}]})
    profile = tmp_path / "weights.yaml"
    dag_id = f"akeneo_weights_to_linnworks_{uuid.uuid4().hex[:8]}"

    profile.write_text(WEIGHT_PROFILE.format(dag_id=dag_id, precision=""), encoding="utf-8")
    dag_run, staging = run_profile(profile)
    assert dag_run.state == "success"
    result = summary(staging)
    assert result["warned"] == 1 and result["refused"] == 0
    assert requests.get(f"{connected.linnworks_data_url}/_sandbox/items/{sku}", timeout=10).json()["item"]["Weight"] == 0
    with (staging / "feedback.csv").open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [(line["sku"], line["linnworks_message"]) for line in lines] == [
        (sku, "warning: weight 0.0004 kg rounds to 0 at 3 decimal(s): Linnworks gets 0.000 "
              "(set target.precision.weight to keep more decimals)")]

    profile.write_text(WEIGHT_PROFILE.format(dag_id=dag_id, precision="  precision: {weight: 4}\n"), encoding="utf-8")
    dag_run, staging = run_profile(profile, conf={"full_sync": True})
    assert dag_run.state == "success" and summary(staging)["warned"] == 0
    assert requests.get(f"{connected.linnworks_data_url}/_sandbox/items/{sku}", timeout=10).json()["item"]["Weight"] == 0.0004
