"""The `search`, `scope`, `locales` and `attributes` parameters, checked against the unfiltered list."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

pytestmark = pytest.mark.integration

MASTER_CHILDREN = {"clothing": {"tshirts", "jackets", "shoes"}, "electronics": {"audio", "cameras", "computers"}}


def _all(akeneo, path="/api/rest/v1/products", **params) -> list[dict]:
    items, page = [], 1
    while True:
        batch = akeneo.items(path, page=page, limit=100, **params)
        items += batch
        if len(batch) < 100:
            return items
        page += 1


def _search(akeneo, path="/api/rest/v1/products", **filters) -> list[dict]:
    return _all(akeneo, path, search=json.dumps(filters))


def _ids(products) -> set[str]:
    return {product["identifier"] for product in products}


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def catalog(akeneo) -> list[dict]:
    return _all(akeneo)


@pytest.mark.parametrize("operator, value, keep", [
    ("IN", ["tshirts", "audio"], lambda cats: bool(cats & {"tshirts", "audio"})),
    ("NOT IN", ["tshirts", "audio"], lambda cats: not cats & {"tshirts", "audio"}),
    ("IN CHILDREN", ["clothing"], lambda cats: bool(cats & (MASTER_CHILDREN["clothing"] | {"clothing"}))),
    ("NOT IN CHILDREN", ["clothing"], lambda cats: not cats & (MASTER_CHILDREN["clothing"] | {"clothing"})),
    ("IN OR UNCLASSIFIED", ["audio"], lambda cats: not cats or "audio" in cats),
    ("UNCLASSIFIED", None, lambda cats: not cats),
])
def test_category_operators_select_like_akeneo(akeneo, catalog, operator, value, keep):
    condition = {"operator": operator} if value is None else {"operator": operator, "value": value}
    expected = {p["identifier"] for p in catalog if keep(set(p["categories"]))}
    assert expected, "the demo catalog should exercise this operator"
    assert _ids(_search(akeneo, categories=[condition])) == expected


def test_in_children_of_a_tree_root_covers_the_whole_tree(akeneo, catalog):
    in_master = _ids(_search(akeneo, categories=[{"operator": "IN CHILDREN", "value": ["master"]}]))
    unclassified = _ids(_search(akeneo, categories=[{"operator": "UNCLASSIFIED"}]))
    assert in_master | unclassified == _ids(catalog) and not in_master & unclassified


def test_enabled_and_family_filters(akeneo, catalog):
    disabled = _search(akeneo, enabled=[{"operator": "=", "value": False}])
    assert _ids(disabled) == {p["identifier"] for p in catalog if not p["enabled"]} != set()
    assert _ids(_search(akeneo, family=[{"operator": "IN", "value": ["sports"]}])) == \
        {p["identifier"] for p in catalog if p["family"] == "sports"}
    assert _ids(_search(akeneo, family=[{"operator": "NOT IN", "value": ["sports"]}])) == \
        {p["identifier"] for p in catalog if p["family"] != "sports"}
    assert _ids(_search(akeneo, family=[{"operator": "EMPTY"}])) == \
        {p["identifier"] for p in catalog if p["family"] is None} != set()
    assert len(_search(akeneo, family=[{"operator": "NOT EMPTY"}])) == sum(1 for p in catalog if p["family"])


def test_updated_operators_compare_to_the_second_in_utc(akeneo, catalog):
    models = {m["code"]: m for m in _all(akeneo, "/api/rest/v1/product-models")}

    def indexed(product) -> datetime:
        # A variant counts as updated when its product model was.
        own = _moment(product["updated"])
        parent = models.get(product["parent"])
        return max(own, _moment(parent["updated"])) if parent else own

    pivot = sorted(indexed(p) for p in catalog)[len(catalog) // 2]
    text = pivot.strftime("%Y-%m-%d %H:%M:%S")
    low, high = "2025-12-10 00:00:00", "2025-12-20 00:00:00"
    low_at, high_at = (datetime.fromisoformat(v).replace(tzinfo=timezone.utc) for v in (low, high))
    cases = {
        ">": lambda d: d > pivot, "<": lambda d: d < pivot, "=": lambda d: d == pivot, "!=": lambda d: d != pivot,
    }
    for operator, keep in cases.items():
        found = _ids(_search(akeneo, updated=[{"operator": operator, "value": text}]))
        assert found == {p["identifier"] for p in catalog if keep(indexed(p))}, operator
    between = _ids(_search(akeneo, updated=[{"operator": "BETWEEN", "value": [low, high]}]))
    assert between == {p["identifier"] for p in catalog if low_at <= indexed(p) <= high_at} != set()
    outside = _ids(_search(akeneo, updated=[{"operator": "NOT BETWEEN", "value": [low, high]}]))
    assert outside == _ids(catalog) - between


def test_a_variant_is_found_by_its_models_update_date(akeneo, catalog):
    models = {m["code"]: m for m in _all(akeneo, "/api/rest/v1/product-models")}
    variant = next(p for p in catalog if p["parent"] and models[p["parent"]]["updated"] > p["updated"])
    since = _moment(variant["updated"]).strftime("%Y-%m-%d %H:%M:%S")
    found = _ids(_search(akeneo, updated=[{"operator": ">", "value": since}],
                         identifier=[{"operator": "IN", "value": [variant["identifier"]]}]))
    assert found == {variant["identifier"]}


def test_since_last_n_days_uses_the_clock(akeneo, catalog):
    target = catalog[5]["identifier"]
    assert akeneo.patch(f"/api/rest/v1/products/{target}", {"enabled": not catalog[5]["enabled"]}).status_code == 204
    assert _ids(_search(akeneo, updated=[{"operator": "SINCE LAST N DAYS", "value": 1}])) == {target}


def test_created_filter(akeneo, catalog):
    pivot = sorted(_moment(p["created"]) for p in catalog)[40]
    found = _ids(_search(akeneo, created=[{"operator": "<", "value": pivot.strftime("%Y-%m-%d %H:%M:%S")}]))
    assert found == {p["identifier"] for p in catalog if _moment(p["created"]) < pivot}


def test_identifier_and_uuid_in_choose_a_set(akeneo, catalog):
    chosen = catalog[3:7]
    by_identifier = _search(akeneo, identifier=[{"operator": "IN", "value": [p["identifier"] for p in chosen]}])
    assert _ids(by_identifier) == _ids(chosen)
    by_uuid = _search(akeneo, "/api/rest/v1/products-uuid", uuid=[{"operator": "IN", "value": [p["uuid"] for p in chosen]}])
    assert {p["uuid"] for p in by_uuid} == {p["uuid"] for p in chosen}


def test_attribute_value_filters(akeneo, catalog):
    reds = _search(akeneo, color=[{"operator": "IN", "value": ["red"]}])
    assert reds and all(p["values"]["color"][0]["data"] == "red" for p in reds)
    assert len(reds) == sum(1 for p in catalog if p["values"]["color"][0]["data"] == "red")
    named = _all(akeneo, search=json.dumps({"name": [{"operator": "CONTAINS", "value": "(de)"}]}), search_locale="de_DE")
    assert len(named) == len(catalog)
    assert _search(akeneo, name=[{"operator": "CONTAINS", "value": "(de)", "locale": "en_US"}]) == []


def test_scope_keeps_products_of_the_channel_tree_and_values_of_the_channel(akeneo, catalog):
    mobile = _all(akeneo, scope="mobile")
    sales = {"sales", "new_arrivals", "clearance", "bestsellers", "clearance_winter", "clearance_summer"}
    assert _ids(mobile) == {p["identifier"] for p in catalog if sales & set(p["categories"])} != set()
    for product in mobile:
        for entries in product["values"].values():
            for entry in entries:
                assert entry["scope"] in (None, "mobile") and entry["locale"] in (None, "en_US", "de_DE")


def test_locales_and_attributes_narrow_the_values(akeneo):
    product = _all(akeneo, locales="fr_FR", attributes="name,description,color")[0]
    assert set(product["values"]) == {"name", "description", "color"}
    assert {e["locale"] for e in product["values"]["name"]} == {"fr_FR"}
    assert {e["scope"] for e in product["values"]["description"]} == {"ecommerce"}


@pytest.mark.parametrize("params, message", [
    ({"search": "{not json"}, "Search query parameter should be valid JSON."),
    ({"search": '{"categories": {"operator": "IN"}}'}, 'Structure of filter "categories" should respect this '
     'structure: {"categories":[{"operator": "my_operator", "value": "my_value"}]}'),
    ({"search": '{"enabled": [{"value": true}]}'}, 'Operator is missing for the property "enabled".'),
    ({"search": '{"categories": [{"operator": "IN", "value": ["nope"]}]}'}, 'Category "nope" does not exist.'),
    ({"search": '{"colour": [{"operator": "IN", "value": ["red"]}]}'},
     'Filter on property "colour" is not supported or does not support operator "IN"'),
    ({"search": '{"enabled": [{"operator": "IN", "value": [true]}]}'},
     'Filter on property "enabled" is not supported or does not support operator "IN"'),
    ({"search": '{"updated": [{"operator": ">", "value": "2025-12-01"}]}'},
     'Property "updated" expects a string with the format "yyyy-mm-dd H:i:s" as data, "2025-12-01" given.'),
    ({"search": '{"name": [{"operator": "CONTAINS", "value": "a"}]}'}, 'Attribute "name" expects a locale, none given.'),
    ({"search": '{"family": [{"operator": "IN", "value": ["nope"]}]}'},
     'Property "family" expects a valid family code. The family does not exist, "nope" given.'),
    ({"scope": "print"}, 'Scope "print" does not exist.'),
    ({"locales": "es_ES"}, 'Locale "es_ES" does not exist or is not activated.'),
    ({"scope": "mobile", "locales": "fr_FR"}, 'Locale "fr_FR" is not activated for the scope "mobile".'),
    ({"attributes": "nope,name"}, 'Attribute "nope" does not exist.'),
])
def test_invalid_queries_are_422_with_akeneos_messages(akeneo, params, message):
    answer = akeneo.get("/api/rest/v1/products", **params)
    assert answer.status_code == 422
    assert answer.json() == {"code": 422, "message": message}


def test_product_models_filter_on_categories_and_parent(akeneo):
    models = _all(akeneo, "/api/rest/v1/product-models")
    tshirts = _search(akeneo, "/api/rest/v1/product-models", categories=[{"operator": "IN", "value": ["tshirts"]}])
    assert {m["code"] for m in tshirts} == {m["code"] for m in models if "tshirts" in m["categories"]}
    roots = _search(akeneo, "/api/rest/v1/product-models", parent=[{"operator": "EMPTY"}])
    assert len(roots) == len(models)
