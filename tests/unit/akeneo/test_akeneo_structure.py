"""Catalog structure in the client: parent and model queries, category tree order, product model
writes, record batches, variant levels."""
import json
from urllib.parse import parse_qs, urlsplit

import msgspec
import responses
from akeneo_unit_helpers import BASE, make_settings, page

from akeneo.categories import normalise_values, tree_order
from akeneo.client import AkeneoClient
from akeneo.metadata import CatalogMetadata
from akeneo.search import ProductQuery

MODELS = BASE + "/api/rest/v1/product-models"


def searches(query: ProductQuery) -> list[dict]:
    return [json.loads(params.get("search", "{}")) for params in query.request_params()]


def test_parents_become_a_parent_in_filter_split_over_short_requests():
    parents = tuple(f"model_{n:05d}" for n in range(250))
    found = searches(ProductQuery(parents=parents, families=("clothing",)))
    assert [len(s["parent"][0]["value"]) for s in found] == [100, 100, 50]
    assert all(s["parent"][0]["operator"] == "IN" and s["family"] for s in found)
    assert sum((s["parent"][0]["value"] for s in found), []) == list(parents)


def test_parent_partitions_split_the_parent_list():
    parts = ProductQuery(parents=tuple(f"m{n}" for n in range(300))).partitions([], 2)
    assert [len(p.parents) for p in parts] == [200, 100]


def test_for_models_keeps_the_selection_but_not_the_enabled_filter():
    query = ProductQuery(categories=("shoes",), enabled=True, families=("clothing",), identifiers=("tshirt",))
    search = searches(query.for_models())[0]
    assert set(search) == {"categories", "family", "identifier"} and search["identifier"][0]["value"] == ["tshirt"]


def test_tree_order_puts_parents_first_and_orders_siblings_by_position_then_code():
    categories = [
        {"code": "shoes", "parent": "master", "position": 2}, {"code": "boots", "parent": "shoes", "position": 1},
        {"code": "master", "parent": None, "position": 1}, {"code": "bags", "parent": "master", "position": 1},
        {"code": "sales", "parent": None, "position": 1}, {"code": "lost", "parent": "deleted_parent"},
    ]
    assert [c["code"] for c in tree_order(categories)] == ["lost", "master", "bags", "shoes", "boots", "sales"]
    assert [c["code"] for c in tree_order(categories, "shoes")] == ["shoes", "boots"]
    assert tree_order(categories, "nope") == []
    assert normalise_values({"code": "x", "values": []})["values"] == {}


def test_category_tree_asks_for_positions_and_enriched_values(token):
    token.get(BASE + "/api/rest/v1/categories", json=page([
        {"code": "b", "parent": "a", "position": 1, "values": []}, {"code": "a", "parent": None, "position": 1}]))
    tree = AkeneoClient(make_settings()).iter_category_tree(with_enriched_attributes=True)
    assert [c["code"] for c in tree] == ["a", "b"] and tree[1]["values"] == {}
    query = parse_qs(urlsplit(token.calls[-1].request.url).query)
    assert query["with_position"] == ["true"] and query["with_enriched_attributes"] == ["true"]


def test_product_models_are_written_by_code_and_split_when_too_large(token):
    sizes = []

    def callback(request):
        lines = request.body.decode().split("\n")
        sizes.append(len(lines))
        if len(lines) > 2:
            return 413, {}, json.dumps({"code": 413, "message": "Request Entity Too Large"})
        answers = [json.dumps({"line": n, "code": json.loads(line)["code"], "status_code": 201})
                   for n, line in enumerate(lines, start=1)]
        return 200, {}, "\n".join(answers)

    token.add_callback(responses.PATCH, MODELS, callback=callback)
    records = [{"code": f"m{n}", "family_variant": "v", "parent": None,
                "associations": {"X_SELL": {"products": ["a"]}}} for n in range(4)] + [{"family_variant": "v"}]
    results = AkeneoClient(make_settings()).patch_product_models(records)
    assert sorted(sizes) == [2, 2, 4]
    assert [(r.code, r.status_code, r.identifier, r.sent) for r in results] == [
        ("m0", 201, None, True), ("m1", 201, None, True), ("m2", 201, None, True), ("m3", 201, None, True),
        (None, None, None, False)]
    sent = [json.loads(line) for call in token.calls if call.request.method == "PATCH" and call.response.status_code == 200
            for line in call.request.body.decode().split("\n")]
    assert sent[0] == records[0]


def test_patch_products_sends_parent_and_associations_unchanged(token):
    bodies = []

    def callback(request):
        bodies.extend(json.loads(line) for line in request.body.decode().split("\n"))
        return 200, {}, json.dumps({"line": 1, "identifier": "sku-1", "status_code": 204})

    token.add_callback(responses.PATCH, BASE + "/api/rest/v1/products", callback=callback)
    record = {"identifier": "sku-1", "parent": "model_1", "associations": {"UPSELL": {"product_models": ["m"]}},
              "quantified_associations": {"PACK": {"products": [{"identifier": "sku-2", "quantity": 3}]}}}
    AkeneoClient(make_settings(product_id_format="identifier")).patch_products([record])
    assert bodies == [record]


def test_reference_entity_records_by_code_are_asked_in_batches(token):
    asked = []

    def callback(request):
        search = json.loads(parse_qs(urlsplit(request.url).query)["search"][0])
        codes = search["code"][0]["value"]
        asked.append(len(codes))
        return 200, {}, json.dumps(page([{"code": code, "values": {}} for code in codes]))

    token.add_callback(responses.GET, BASE + "/api/rest/v1/reference-entities/brands/records", callback=callback)
    codes = [f"brand_{n}" for n in range(150)]
    records = list(AkeneoClient(make_settings()).iter_reference_entity_records("brands", codes))
    assert asked == [100, 50] and [r["code"] for r in records] == codes


def test_variant_levels_place_common_attributes_at_level_zero():
    metadata = CatalogMetadata(
        families=[{"code": "shirts", "attributes": ["sku", "name", "color", "size"]}],
        family_variants={"shirts": [{"code": "by_color_size", "variant_attribute_sets": [
            {"level": 1, "axes": ["color"], "attributes": ["color"]},
            {"level": 2, "axes": ["size"], "attributes": ["sku"]}]}]})
    assert metadata.variant_levels("by_color_size") == {"sku": 2, "name": 0, "color": 1, "size": 2}


def test_raw_models_with_a_parent_list_come_once_each(token):
    """A `parent IN` split over requests may find a model twice: raw or whole, it comes once."""
    def answer(request):
        items = [{"code": "sub_a", "parent": "root", "values": {"x": [{"data": 1}]}, "_links": {"self": {"href": "s"}}},
                 {"code": "sub_b", "parent": "root", "values": {}}]
        return 200, {}, json.dumps(page(items))

    token.add_callback(responses.GET, MODELS, callback=answer)
    client = AkeneoClient(make_settings())
    parents = tuple(f"root{n}" for n in range(150))  # two requests, each answering both models
    whole = list(client.iter_product_models(ProductQuery(parents=parents)))
    raw = list(client.iter_product_models(ProductQuery(parents=parents), raw=True))
    assert [m["code"] for m in whole] == ["sub_a", "sub_b"]
    assert [msgspec.json.decode(msgspec.json.encode(m)) for m in raw] == whole
    assert "_links" not in raw[0]
