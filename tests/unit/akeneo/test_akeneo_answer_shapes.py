"""Answers of an unexpected shape (a proxy's page, another API version) become an
`AkeneoAnswerError` naming the endpoint, never an AttributeError inside a caller."""
import pytest
from akeneo_unit_helpers import BASE, make_settings, page

from akeneo.client import AkeneoClient
from akeneo.errors import AkeneoAnswerError, AkeneoError
from akeneo.search import ProductQuery

MEASUREMENT_FAMILIES = BASE + "/api/rest/v1/measurement-families"


def client() -> AkeneoClient:
    return AkeneoClient(make_settings(product_id_format="identifier"))


def listings(token, measurement_families) -> None:
    """Every metadata listing answers normally but the measurement families."""
    for name in ("attributes", "families", "channels", "locales", "currencies", "categories", "association-types"):
        token.get(BASE + f"/api/rest/v1/{name}", json=page([]))
    token.get(MEASUREMENT_FAMILIES, **measurement_families)


@pytest.mark.parametrize("answer, said", [
    ({"json": {"Length": {"code": "Length", "units": {}}}}, "an object"),
    ({"json": ["Length"]}, "a string ('Length')"),
    ({"body": "null", "content_type": "application/json"}, "null"),
    ({"body": "<html>maintenance</html>", "content_type": "text/html"}, "not JSON"),
])
def test_a_measurement_families_answer_that_is_not_a_list_of_objects_names_the_endpoint(token, answer, said):
    listings(token, answer)
    with pytest.raises(AkeneoAnswerError) as raised:
        client().fetch_catalog_metadata()
    assert raised.value.endpoint == "GET /api/rest/v1/measurement-families"
    assert said in str(raised.value) and "GET /api/rest/v1/measurement-families" in str(raised.value)


@pytest.mark.parametrize("body, said", [
    ([{"code": "x"}], "where a page (a JSON object) was expected"),
    ({"_embedded": [{"code": "x"}]}, "_embedded is a list"),
    ({"_embedded": {"items": {"code": "x"}}}, "_embedded.items is an object"),
    ({"_embedded": {"items": ["x"]}}, "holds a string"),
])
@pytest.mark.parametrize("raw", [False, True])
def test_a_listing_page_of_another_shape_names_the_endpoint(token, body, said, raw):
    token.get(BASE + "/api/rest/v1/products", json=body)
    with pytest.raises(AkeneoAnswerError) as raised:
        list(client().iter_products(ProductQuery(), raw=raw))
    assert raised.value.endpoint == "GET /api/rest/v1/products" and raised.value.status == 200
    assert said in str(raised.value)


def test_a_count_without_a_number_names_the_endpoint(token):
    token.get(BASE + "/api/rest/v1/products", json={**page([]), "items_count": "many"})
    with pytest.raises(AkeneoAnswerError, match=r"items_count a string.*GET /api/rest/v1/products"):
        client().count_products()
    token.replace("GET", BASE + "/api/rest/v1/products", json=[])
    with pytest.raises(AkeneoAnswerError, match="a list"):
        client().count_products()


def test_reference_entity_attributes_must_be_a_list(token):
    token.get(BASE + "/api/rest/v1/reference-entities/brands/attributes", json={"code": "label"})
    with pytest.raises(AkeneoAnswerError) as raised:
        client().fetch_reference_entity_attributes("brands")
    assert raised.value.endpoint == "GET /api/rest/v1/reference-entities/brands/attributes"
    assert isinstance(raised.value, AkeneoError)


def test_an_error_answer_whose_errors_are_not_a_list_still_gives_akeneos_message(token):
    from akeneo.errors import AkeneoValidationError

    token.get(BASE + "/api/rest/v1/products", status=422, json={"code": 422, "message": "Bad search", "errors": 5})
    with pytest.raises(AkeneoValidationError) as raised:
        client().count_products()
    assert raised.value.akeneo_message == "Bad search" and raised.value.errors == []
