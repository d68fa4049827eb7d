"""Akeneo's update rules on PATCH, single and collection, by identifier and by uuid."""
from __future__ import annotations

import concurrent.futures
import json
import uuid

import pytest

pytestmark = pytest.mark.integration


def _entry(data, locale=None, scope=None) -> dict:
    return {"locale": locale, "scope": scope, "data": data}


def test_patching_a_missing_product_creates_it_with_201_and_location(akeneo):
    answer = akeneo.patch("/api/rest/v1/products/NEW-1", {"family": "sports", "categories": ["outdoor"],
                                                          "values": {"name": [_entry("Tent", "en_US")]}})
    assert answer.status_code == 201 and answer.content == b""
    assert answer.headers["location"] == f"{akeneo.url}/api/rest/v1/products/NEW-1"
    product = akeneo.get("/api/rest/v1/products/NEW-1").json()
    assert product["family"] == "sports" and product["categories"] == ["outdoor"] and product["enabled"] is True
    assert product["values"] == {"name": [_entry("Tent", "en_US")]}
    assert product["created"] == product["updated"]
    assert uuid.UUID(product["uuid"]).version == 4


def test_a_value_sent_replaces_only_its_locale_and_scope(akeneo):
    before = akeneo.stored("PF-000002")["values"]
    answer = akeneo.patch("/api/rest/v1/products/PF-000002", {"values": {
        "name": [_entry("Nouveau nom", "fr_FR")],
        "description": [_entry("<p>New</p>", "en_US", "mobile")]}})
    assert answer.status_code == 204
    after = akeneo.stored("PF-000002")["values"]
    names = {e["locale"]: e["data"] for e in after["name"]}
    assert names["fr_FR"] == "Nouveau nom"
    assert names["en_US"] == next(e["data"] for e in before["name"] if e["locale"] == "en_US")
    descriptions = {(e["locale"], e["scope"]): e["data"] for e in after["description"]}
    assert descriptions[("en_US", "mobile")] == "<p>New</p>"
    assert len(descriptions) == len(before["description"])
    assert {k: v for k, v in after.items() if k not in ("name", "description")} == \
        {k: v for k, v in before.items() if k not in ("name", "description")}


def test_null_data_erases_a_value_and_lists_replace_whole(akeneo):
    akeneo.patch("/api/rest/v1/products/PF-000002", {"categories": ["audio"],
                                                     "values": {"color": [_entry(None)]}})
    product = akeneo.stored("PF-000002")
    assert product["categories"] == ["audio"] and "color" not in product["values"]


def test_objects_merge(akeneo):
    akeneo.patch("/api/rest/v1/products/PF-000002", {"associations": {"X_SELL": {"products": ["PF-000003"]}}})
    akeneo.patch("/api/rest/v1/products/PF-000002", {"associations": {"UPSELL": {"products": ["PF-000004"]}}})
    # Akeneo lists every (non-quantified) association type, empty lists included
    assert akeneo.stored("PF-000002")["associations"] == {
        "SUBSTITUTION": {"products": [], "product_models": [], "groups": []},
        "UPSELL": {"products": ["PF-000004"], "product_models": [], "groups": []},
        "X_SELL": {"products": ["PF-000003"], "product_models": [], "groups": []}}


def test_values_are_stored_in_akeneos_standard_format(akeneo):
    akeneo.patch("/api/rest/v1/products/PF-000002", {"values": {
        "price": [_entry([{"amount": 12.5, "currency": "USD"}, {"amount": "10", "currency": "EUR"}])],
        "weight": [_entry({"amount": 3, "unit": "GRAM"})],
        "depth": [_entry({"amount": "150", "unit": "MILLIMETER"})],
        "rating": [_entry("4.5")], "stock_quantity": [_entry("12")],
        "release_date": [_entry("2026-03-01")], "color": [_entry("RED")], "material": [_entry(["Wool", "wool"])]}})
    values = akeneo.stored("PF-000002")["values"]
    assert values["price"][0]["data"] == [{"amount": "10.00", "currency": "EUR"}, {"amount": "12.50", "currency": "USD"}]
    assert values["weight"][0]["data"] == {"amount": "3.0000", "unit": "GRAM"}
    assert values["depth"][0]["data"] == {"amount": 150, "unit": "MILLIMETER"}
    assert values["rating"][0]["data"] == "4.5000" and values["stock_quantity"][0]["data"] == 12
    assert values["release_date"][0]["data"] == "2026-03-01T00:00:00+00:00"
    assert values["color"][0]["data"] == "red" and values["material"][0]["data"] == ["wool"]


def test_updated_moves_on_change_and_stays_when_nothing_changed(akeneo):
    original = akeneo.stored("PF-000002")
    resent = original["values"]["name"][:1]  # the first of several locales, sent back unchanged
    same = {"enabled": original["enabled"], "values": {"name": resent}}
    assert akeneo.patch("/api/rest/v1/products/PF-000002", same).status_code == 204
    assert akeneo.stored("PF-000002")["updated"] == original["updated"]
    assert akeneo.patch("/api/rest/v1/products/PF-000002", {"enabled": not original["enabled"]}).status_code == 204
    changed = akeneo.stored("PF-000002")
    assert changed["updated"] > original["updated"] and changed["created"] == original["created"]


def test_renaming_the_identifier_moves_the_product(akeneo):
    uuid_before = akeneo.stored("PF-000002")["uuid"]
    assert akeneo.patch("/api/rest/v1/products/PF-000002", {"identifier": "RENAMED-2"}).status_code == 204
    assert akeneo.get("/api/rest/v1/products/PF-000002").status_code == 404
    assert akeneo.get("/api/rest/v1/products/RENAMED-2").json()["uuid"] == uuid_before


def test_collection_patch_answers_one_line_per_input_line(akeneo):
    answer = akeneo.patch_lines("/api/rest/v1/products", [
        {"identifier": "PF-000002", "enabled": False},
        {"identifier": "NEW-1", "family": "sports"},
        {"identifier": "NEW-2", "values": {"color": [_entry("turquoise")]}},
        {"identifier": "NEW-3", "family": "nope"},
        {"family": "sports"},
        {"identifier": 12},
        "{not json",
    ])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.akeneo.collection+json"
    lines = [json.loads(line) for line in answer.text.split("\n")]
    assert lines[0] == {"line": 1, "identifier": "PF-000002", "status_code": 204}
    assert lines[1] == {"line": 2, "identifier": "NEW-1", "status_code": 201}
    assert lines[2]["status_code"] == 422 and lines[2]["message"] == "Validation failed."
    assert lines[2]["errors"][0]["message"] == "The turquoise value is not in the color attribute option list."
    assert lines[3]["status_code"] == 422 and "The family does not exist" in lines[3]["message"]
    assert lines[4] == {"line": 5, "status_code": 422, "message": "Identifier is missing."}
    assert lines[5] == {"line": 6, "status_code": 422, "message": "identifier must be of type string."}
    assert lines[6] == {"line": 7, "status_code": 400, "message": "Invalid json message received"}
    assert akeneo.stored("PF-000002")["enabled"] is False and akeneo.get("/api/rest/v1/products/NEW-1").status_code == 200
    assert akeneo.get("/api/rest/v1/products/NEW-2").status_code == 404


def test_collection_patch_refuses_more_than_100_lines_and_applies_none(akeneo):
    answer = akeneo.patch_lines("/api/rest/v1/products", [{"identifier": f"BULK-{n}"} for n in range(101)])
    assert answer.status_code == 413
    assert answer.json() == {"code": 413, "message": "Too many resources to process, 100 is the maximum allowed."}
    assert akeneo.get("/api/rest/v1/products/BULK-0").status_code == 404
    assert akeneo.patch_lines("/api/rest/v1/products", [{"identifier": f"BULK-{n}"} for n in range(100)]).status_code == 200


def test_collection_patch_needs_its_content_type(akeneo):
    answer = akeneo.http.patch("/api/rest/v1/products", json={"identifier": "PF-000002"})
    assert answer.status_code == 415
    assert answer.json()["message"] == ('"application/json" in "Content-Type" header is not valid. Only '
                                        '"application/vnd.akeneo.collection+json" is allowed.')


def test_collection_patch_refuses_a_too_long_line(akeneo):
    huge = json.dumps({"identifier": "PF-000002", "values": {"name": [_entry("x" * 1_000_001, "en_US")]}})
    lines = akeneo.patch_lines("/api/rest/v1/products", [huge, {"identifier": "PF-000003"}]).text.split("\n")
    assert json.loads(lines[0]) == {"line": 1, "status_code": 413, "message": "Line is too long."}
    assert json.loads(lines[1])["status_code"] == 204


def test_products_uuid_patch_creates_and_updates_by_uuid(akeneo):
    new_uuid = str(uuid.uuid4())
    created = akeneo.patch(f"/api/rest/v1/products-uuid/{new_uuid}",
                           {"values": {"sku": [_entry("UUID-1")], "name": [_entry("Lamp", "en_US")]}})
    assert created.status_code == 201
    assert created.headers["location"].endswith(f"/api/rest/v1/products-uuid/{new_uuid}")
    product = akeneo.get(f"/api/rest/v1/products-uuid/{new_uuid}").json()
    assert "identifier" not in product and product["values"]["sku"] == [_entry("UUID-1")]
    assert akeneo.get("/api/rest/v1/products/UUID-1").json()["uuid"] == new_uuid
    lines = akeneo.patch_lines("/api/rest/v1/products-uuid", [
        {"uuid": new_uuid, "enabled": False}, {"identifier": "no-uuid"}]).text.split("\n")
    assert json.loads(lines[0]) == {"line": 1, "uuid": new_uuid, "status_code": 204}
    assert json.loads(lines[1]) == {"line": 2, "status_code": 422, "message": "Uuid is missing."}
    assert akeneo.get(f"/api/rest/v1/products-uuid/{new_uuid}").json()["enabled"] is False


def test_concurrent_collection_patches_do_not_lose_lines(akeneo, catalog_size):
    def send(batch: int) -> list[dict]:
        client = type(akeneo)(akeneo.url)
        client.http.headers["Authorization"] = akeneo.http.headers["Authorization"]
        text = client.patch_lines("/api/rest/v1/products", [{"identifier": f"C{batch}-{n}"} for n in range(50)]).text
        return [json.loads(line) for line in text.split("\n")]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = [line for lines in pool.map(send, range(4)) for line in lines]
    assert len(results) == 200 and all(line["status_code"] == 201 for line in results)
    assert akeneo.get("/api/rest/v1/products", with_count="true").json()["items_count"] == catalog_size + 200
