"""PATCH payloads Akeneo refuses, one by one: its statuses, shapes and messages."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

PRODUCT = "/api/rest/v1/products/PF-000002"
HINT = " Check the expected format on the API documentation."


def _values(code, data, locale=None, scope=None) -> dict:
    return {"values": {code: [{"locale": locale, "scope": scope, "data": data}]}}


# (payload, message) refused by the updater: 422 with a message and a documentation link.
PAYLOAD_ERRORS = [
    (_values("colour", "red"), 'Attribute "colour" does not exist.'),
    (_values("name", "Shirt"), "The name attribute requires a locale."),
    (_values("color", "red", locale="en_US"), "The color attribute is not localisable."),
    (_values("description", "Text", locale="en_US"), "The description attribute requires a value per channel."),
    (_values("name", "Shirt", locale="en_US", scope="ecommerce"),
     "The name attribute does not require a value per channel."),
    (_values("name", ["Shirt"], locale="en_US"), "The name attribute requires a string, a array was detected."),
    (_values("stock_quantity", [3]), 'Property "stock_quantity" expects a numeric as data, "array" given.'),
    (_values("is_new", "yes"), 'Property "is_new" expects a boolean as data, "string" given.'),
    (_values("release_date", "31/01/2026"),
     "The release_date attribute requires a valid date. Please use the following format yyyy-mm-dd for dates."),
    (_values("material", "cotton"), 'Property "material" expects an array as data, "string" given.'),
    (_values("weight", "12 KILOGRAM"), 'Property "weight" expects an array as data, "string" given.'),
    (_values("price", [{"amount": "12.00"}]), 'Property "price" expects an array with the key "currency".'),
    (_values("image_1", "a/b/c/d/nope.png"),
     'Property "image_1" expects a valid fileinfo key. The media does not exist, "a/b/c/d/nope.png" given.'),
    ({"family": "unknown"}, 'Property "family" expects a valid family code. The family does not exist, "unknown" given.'),
    ({"categories": ["tshirts", "nope"]}, "The nope category does not exist in your PIM."),
    ({"categories": "tshirts"}, 'Property "categories" expects an array as data, "string" given.'),
    ({"enabled": "true"}, 'Property "enabled" expects a boolean as data, "string" given.'),
    ({"colour": "red"}, 'Property "colour" does not exist.'),
]

# (payload, message, attribute, locale, scope) refused by the validator: "Validation failed." with errors.
VIOLATIONS = [
    (_values("color", "turquoise"), "The turquoise value is not in the color attribute option list.", "color", None, None),
    (_values("material", ["cotton", "gold", "silk"]),
     "The gold, silk values are not in the material attribute option list.", "material", None, None),
    (_values("name", "Camisa", locale="es_ES"),
     "The name attribute requires a valid locale. The es_ES locale does not exist.", "name", "es_ES", None),
    (_values("description", "Texte", locale="fr_FR", scope="mobile"),
     "The description attribute requires a valid locale. The fr_FR locale is not bound to the mobile channel or does "
     "not exist.", "description", "fr_FR", "mobile"),
    (_values("description", "Text", locale="en_US", scope="print"),
     'Value "description" expects an existing channel, "print" given', "description", "en_US", "print"),
    (_values("de_tax_note", "Tax", locale="en_US"),
     '"en_US" is not part of the available locales for the locale specific attribute "de_tax_note".',
     "de_tax_note", "en_US", None),
    (_values("price", [{"amount": "10.00", "currency": "CHF"}]), "Please specify a valid currency", "price", None, None),
    (_values("weight", {"amount": "2", "unit": "METER"}), "Please specify a valid metric unit", "weight", None, None),
    (_values("stock_quantity", "many"),
     "The stock_quantity attribute requires a number, and the submitted many value is not.", "stock_quantity", None, None),
    (_values("stock_quantity", 2.5),
     "The stock_quantity attribute requires a non-decimal value, and 2.5 is not a valid value.",
     "stock_quantity", None, None),
    (_values("stock_quantity", -1), "The stock_quantity attribute requires an equal or greater than 0 value.",
     "stock_quantity", None, None),
]


@pytest.mark.parametrize("payload, message", PAYLOAD_ERRORS, ids=[m[:50] for _, m in PAYLOAD_ERRORS])
def test_payload_errors_are_422_with_message_and_documentation_link(akeneo, payload, message):
    before = akeneo.stored("PF-000002")
    answer = akeneo.patch(PRODUCT, payload)
    assert answer.status_code == 422
    assert answer.json() == {"code": 422, "message": message + HINT, "_links": {"documentation": {
        "href": "http://api.akeneo.com/api-reference.html#patch_products__code_"}}}
    assert akeneo.stored("PF-000002") == before


@pytest.mark.parametrize("payload, message, attribute, locale, scope", VIOLATIONS, ids=[v[1][:50] for v in VIOLATIONS])
def test_violations_are_listed_under_validation_failed(akeneo, payload, message, attribute, locale, scope):
    before = akeneo.stored("PF-000002")
    answer = akeneo.patch(PRODUCT, payload)
    assert answer.status_code == 422
    assert answer.json() == {"code": 422, "message": "Validation failed.", "errors": [
        {"property": "values", "message": message, "attribute": attribute, "locale": locale, "scope": scope}]}
    assert akeneo.stored("PF-000002") == before


def test_all_violations_of_a_payload_are_reported_together(akeneo):
    payload = {"values": {"color": [{"locale": None, "scope": None, "data": "turquoise"}],
                          "weight": [{"locale": None, "scope": None, "data": {"amount": "x", "unit": "METER"}}]}}
    errors = akeneo.patch(PRODUCT, payload).json()["errors"]
    assert [(e["attribute"], e["message"]) for e in errors] == [
        ("color", "The turquoise value is not in the color attribute option list."),
        ("weight", "Please specify a valid metric unit"),
        ("weight", "The weight attribute requires a number, and the submitted x value is not."),
    ]


def test_the_first_payload_error_wins_over_violations(akeneo):
    payload = {"values": {"color": [{"locale": None, "scope": None, "data": "turquoise"}],
                          "name": [{"locale": None, "scope": None, "data": "x"}]}}
    assert akeneo.patch(PRODUCT, payload).json()["message"] == "The name attribute requires a locale." + HINT


def test_renaming_to_a_taken_identifier_is_a_violation(akeneo):
    answer = akeneo.patch(PRODUCT, {"identifier": "PF-000003"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"property": "identifier",
                                        "message": "The same identifier is already set on another product"}]


def test_creating_with_a_different_identifier_in_the_body_is_refused(akeneo):
    answer = akeneo.patch("/api/rest/v1/products/NEW-1", {"identifier": "NEW-2"})
    assert answer.status_code == 422
    assert answer.json() == {"code": 422, "message": 'The identifier "NEW-2" provided in the request body must match '
                                                     'the identifier "NEW-1" provided in the url.'}


def test_empty_identifier_is_refused_with_a_pointer_to_products_uuid(akeneo):
    answer = akeneo.patch(PRODUCT, {"identifier": None})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Validation failed. The identifier field is required")


def test_products_uuid_refuses_a_non_version_4_uuid(akeneo):
    answer = akeneo.patch("/api/rest/v1/products-uuid/9b2c8d7e-1f3a-5b4c-8d9e-0a1b2c3d4e5f", {"enabled": True})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"] == \
        'The version of the uuid "9b2c8d7e-1f3a-5b4c-8d9e-0a1b2c3d4e5f" should be 4, 5 given.'


@pytest.mark.parametrize("content_type, message", [
    (None, 'The "Content-Type" header is missing. "application/json" has to be specified as value.'),
    ("text/plain", '"text/plain" in "Content-Type" header is not valid. Only "application/json" is allowed.'),
])
def test_single_patch_needs_json_content_type(akeneo, content_type, message):
    headers = {"Content-Type": content_type} if content_type else {}
    answer = akeneo.http.patch(PRODUCT, content=b'{"enabled": true}', headers=headers)
    assert answer.status_code == 415 and answer.json()["message"] == message


def test_malformed_json_body_is_400(akeneo):
    answer = akeneo.http.patch(PRODUCT, content=b'{"enabled": tru', headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json() == {"code": 400, "message": "Invalid json message received"}
