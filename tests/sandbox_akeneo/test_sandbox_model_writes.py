"""Writing product models and variant products: Akeneo's level, parent and axis rules."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

MODELS = "/api/rest/v1/product-models"


def _value(data, locale=None, scope=None) -> list[dict]:
    return [{"locale": locale, "scope": scope, "data": data}]


def _errors(answer) -> list[str]:
    assert answer.status_code == 422, answer.text
    body = answer.json()
    return [e["message"] for e in body.get("errors", [])] or [body["message"]]


def test_root_and_sub_model_are_created_and_a_sub_model_takes_its_parents_family_variant(structured):
    answer = structured.post(MODELS, {"code": "jacket", "family_variant": "clothing_by_color_size",
                                      "categories": ["jackets"], "values": {"brand": _value("acme")}})
    assert answer.status_code == 201 and answer.headers["location"].endswith("/product-models/jacket")
    answer = structured.patch(f"{MODELS}/jacket_red", {"parent": "jacket", "values": {"color": _value("red")}})
    assert answer.status_code == 201, answer.text
    sub = structured.stored_model("jacket_red")
    assert (sub["family"], sub["family_variant"], sub["parent"]) == ("clothing", "clothing_by_color_size", "jacket")
    assert sub["values"]["brand"] == _value("acme") and sub["values"]["color"] == _value("red")
    assert structured.patch(f"{MODELS}/jacket_red", {"values": {"color": _value("red")}}).status_code == 204
    assert structured.post(MODELS, {"code": "jacket", "family_variant": "clothing_by_size"}).status_code == 422


@pytest.mark.parametrize("body, message", [
    ({"values": {}}, "The product model family variant must not be empty."),
    ({"family_variant": "nope"}, 'Property "family_variant" expects a valid family variant code. The family variant '
                                 'does not exist, "nope" given. Check the expected format on the API documentation.'),
    ({"family_variant": "clothing_by_size", "family": "sports"},
     'The family "sports" does not match the family of the variant "clothing_by_size". Check the expected format on '
     'the API documentation.'),
    ({"family_variant": "clothing_by_size", "values": {"size": _value("m")}},
     'Cannot set the property "size" to this entity as it is not in the attribute set'),
    ({"family_variant": "clothing_by_size", "values": {"power": _value({"amount": 5, "unit": "WATT"})}},
     'Attribute "power" does not belong to the family "clothing"'),
    ({"family_variant": "clothing_by_size", "parent": "model_00002"},
     'The product model "new_model" cannot have a parent'),
    ({"parent": "model2_00002_black"}, 'Property "parent" expects a valid parent code. The new parent of the product '
                                       'model must be a root product model, "model2_00002_black" given. Check the '
                                       'expected format on the API documentation.'),
    ({"parent": "model_00002", "family_variant": "clothing_by_color_size"},
     'The parent is not a product model of the family variant "clothing_by_color_size" but belongs to the family '
     '"clothing_by_size". Check the expected format on the API documentation.'),
    ({"parent": "model2_00002"}, 'Attribute "color" cannot be empty, as it is defined as an axis for this entity'),
    ({"parent": "model2_00002", "values": {"color": _value("black")}},
     'Cannot set value "[black]" for the attribute axis "color" on product model "new_model", as the product model '
     '"model2_00002_black" already has this value'),
])
def test_product_model_refusals_use_akeneos_messages(structured, body, message):
    assert _errors(structured.patch(f"{MODELS}/new_model", body)) == [message]


def test_axis_value_of_a_sub_model_cannot_change_and_family_variant_is_immutable(structured):
    assert _errors(structured.patch(f"{MODELS}/model2_00002_black", {"values": {"color": _value("red")}})) == [
        'Variant axis "color" cannot be modified, "[red]" given']
    assert "cannot be modified" in _errors(structured.patch(f"{MODELS}/model_00002",
                                                            {"family_variant": "clothing_by_color_size"}))[0]


def test_patch_collection_answers_each_line(structured):
    answer = structured.patch_lines(MODELS, [
        {"code": "model_00002", "values": {"brand": _value("globex")}},
        {"code": "coat", "family_variant": "clothing_by_size"},
        {"code": "coat_bad", "family_variant": "clothing_by_size", "values": {"size": _value("s")}},
        {"family_variant": "clothing_by_size"},
    ])
    lines = [__import__("json").loads(line) for line in answer.text.splitlines()]
    assert [(line["line"], line.get("code"), line["status_code"]) for line in lines] == [
        (1, "model_00002", 204), (2, "coat", 201), (3, "coat_bad", 422), (4, None, 422)]
    assert lines[2]["errors"][0]["property"] == "attribute" and lines[3]["message"] == "Code is missing."
    assert structured.stored_model("model_00002")["values"]["brand"] == _value("globex")
    assert structured.stored("PF-000007")["values"]["brand"] == _value("globex")


def test_variant_product_needs_a_last_level_parent_its_axis_and_only_its_own_attributes(structured):
    assert _errors(structured.patch("/api/rest/v1/products/NEW-V1", {"parent": "model2_00002"})) == [
        'The variant product "NEW-V1" cannot have product model "model2_00002" as parent, (this product model can '
        'only have other product models as children)']
    assert _errors(structured.patch("/api/rest/v1/products/NEW-V1", {"parent": "model_00002"})) == [
        'Attribute "size" cannot be empty, as it is defined as an axis for this entity']
    assert _errors(structured.patch("/api/rest/v1/products/NEW-V1", {
        "parent": "model_00002", "values": {"size": _value("m")}})) == [
        'Cannot set value "[m]" for the attribute axis "size" on variant product "NEW-V1", as the variant product '
        '"PF-000008" already has this value']
    assert _errors(structured.patch("/api/rest/v1/products/PF-000008", {
        "values": {"description": _value("<p>x</p>", "en_US", "ecommerce")}})) == [
        'Cannot set the property "description" to this entity as it is not in the attribute set']
    answer = structured.patch("/api/rest/v1/products/NEW-V1", {"parent": "model_00002", "values": {
        "size": _value("xl"), "name": _value("New", "en_US")}})
    assert answer.status_code == 201, answer.text
    stored = structured.stored("NEW-V1")
    model = structured.stored_model("model_00002")
    assert stored["family"] == "clothing" and set(model["categories"]) <= set(stored["categories"])
    assert stored["values"]["brand"] == model["values"]["brand"] and stored["values"]["size"] == _value("xl")


def test_a_simple_product_that_gets_a_parent_keeps_only_its_variant_values(structured):
    simple = structured.stored("PF-000001")
    assert simple["parent"] is None and simple["values"]["description"]
    answer = structured.patch("/api/rest/v1/products/PF-000001", {
        "family": "clothing", "parent": "model2_00002_black", "values": {"size": _value("xl")}})
    assert answer.status_code == 204, answer.text
    variant = structured.stored("PF-000001")
    root = structured.stored_model("model2_00002")
    assert variant["values"]["description"] == root["values"]["description"]
    assert variant["values"]["price"] == simple["values"]["price"]
    answer = structured.patch("/api/rest/v1/products/PF-000001", {"parent": None})
    assert answer.status_code == 204 and structured.stored("PF-000001")["values"]["color"] == _value("black")


def test_a_sub_model_and_its_variants_are_in_their_root_models_categories(structured):
    """Akeneo classifies an entity with a family variant in its own categories and in every one of
    its models': a sub-model created with its own category shows its root's too, keeps showing them
    when a PATCH gives it others, and follows its root's classification when that changes."""
    assert structured.post(MODELS, {"code": "parka", "family_variant": "clothing_by_color_size",
                                    "categories": ["jackets"]}).status_code == 201
    answer = structured.patch(f"{MODELS}/parka_red", {"parent": "parka", "categories": ["tshirts"],
                                                     "values": {"color": _value("red")}})
    assert answer.status_code == 201, answer.text
    assert sorted(structured.stored_model("parka_red")["categories"]) == ["jackets", "tshirts"]
    answer = structured.patch("/api/rest/v1/products/PARKA-RED-S", {"parent": "parka_red",
                                                                    "values": {"size": _value("s")}})
    assert answer.status_code == 201, answer.text
    assert sorted(structured.stored("PARKA-RED-S")["categories"]) == ["jackets", "tshirts"]

    assert structured.patch(f"{MODELS}/parka_red", {"categories": []}).status_code == 204
    assert structured.stored_model("parka_red")["categories"] == ["jackets"]  # the root's cannot be dropped
    assert structured.patch(f"{MODELS}/parka", {"categories": ["bestsellers"]}).status_code == 204
    assert structured.stored_model("parka_red")["categories"] == ["bestsellers"]
    assert "bestsellers" in structured.stored("PARKA-RED-S")["categories"]
    found = structured.items(MODELS, search='{"categories":[{"operator":"IN","value":["bestsellers"]}]}')
    assert {"parka", "parka_red"} <= {model["code"] for model in found}
    found = structured.items(MODELS, search='{"categories":[{"operator":"IN","value":["jackets"]}]}')
    assert "parka_red" not in {model["code"] for model in found}
