"""Reference data as served: attributes, options, families, channels, locales, currencies,
categories, measurement families, media files, product models."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def _all(akeneo, path: str, **params) -> list[dict]:
    return akeneo.items(path, limit=100, **params)


def test_attributes_describe_type_scope_locale_and_units(akeneo):
    attributes = {a["code"]: a for a in _all(akeneo, "/api/rest/v1/attributes")}
    assert attributes["sku"]["type"] == "pim_catalog_identifier"
    assert attributes["description"]["localizable"] and attributes["description"]["scopable"]
    weight = attributes["weight"]
    assert (weight["type"], weight["metric_family"], weight["default_metric_unit"]) == \
        ("pim_catalog_metric", "Weight", "KILOGRAM")
    assert weight["decimals_allowed"] is True and weight["negative_allowed"] is False
    assert attributes["de_tax_note"]["available_locales"] == ["de_DE"]
    assert attributes["stock_quantity"]["decimals_allowed"] is False
    assert akeneo.get("/api/rest/v1/attributes/price").json()["type"] == "pim_catalog_price_collection"
    types = {a["type"] for a in attributes.values()}
    assert {"pim_catalog_text", "pim_catalog_textarea", "pim_catalog_number", "pim_catalog_boolean",
            "pim_catalog_date", "pim_catalog_simpleselect", "pim_catalog_multiselect", "pim_catalog_metric",
            "pim_catalog_price_collection", "pim_catalog_image"} <= types


def test_attribute_search_by_code_and_type(akeneo):
    found = _all(akeneo, "/api/rest/v1/attributes", search=json.dumps({"type": [{"operator": "IN", "value": [
        "pim_catalog_metric"]}]}))
    assert found and all(a["type"] == "pim_catalog_metric" for a in found)


def test_attribute_options_belong_to_select_attributes_only(akeneo):
    options = _all(akeneo, "/api/rest/v1/attributes/color/options")
    assert {"red", "blue"} <= {o["code"] for o in options} and all(o["attribute"] == "color" for o in options)
    assert akeneo.get("/api/rest/v1/attributes/color/options/red").json()["labels"]["en_US"] == "Red"
    not_select = akeneo.get("/api/rest/v1/attributes/name/options")
    assert not_select.status_code == 404 and "does not support options" in not_select.json()["message"]
    assert akeneo.get("/api/rest/v1/attributes/nope/options").status_code == 404


def test_channels_locales_and_currencies_match_the_demo_setup(akeneo):
    channels = {c["code"]: c for c in _all(akeneo, "/api/rest/v1/channels")}
    assert channels["ecommerce"]["locales"] == ["en_US", "de_DE", "fr_FR"]
    assert channels["ecommerce"]["currencies"] == ["EUR", "USD", "GBP"]
    assert (channels["mobile"]["locales"], channels["mobile"]["currencies"]) == (["en_US", "de_DE"], ["EUR", "USD"])
    enabled = _all(akeneo, "/api/rest/v1/locales", search='{"enabled":[{"operator":"=","value":true}]}')
    assert {locale["code"] for locale in enabled} == {"en_US", "de_DE", "fr_FR"}
    assert len(_all(akeneo, "/api/rest/v1/locales")) > 3
    currencies = {c["code"]: c["enabled"] for c in _all(akeneo, "/api/rest/v1/currencies")}
    assert currencies["GBP"] is True and currencies["CHF"] is False


def test_categories_form_two_trees_with_three_levels_in_master(akeneo):
    categories = {c["code"]: c for c in _all(akeneo, "/api/rest/v1/categories")}
    roots = {code for code, c in categories.items() if c["parent"] is None}
    assert roots == {"master", "sales"}
    children = [code for code, c in categories.items() if c["parent"] == "master"]
    assert 3 <= len(children) <= 4
    assert all(any(c["parent"] == child for c in categories.values()) for child in children)
    roots_only = _all(akeneo, "/api/rest/v1/categories", search='{"is_root":[{"operator":"=","value":true}]}')
    assert {c["code"] for c in roots_only} == roots
    assert akeneo.get("/api/rest/v1/categories/tshirts", with_position="true").json()["position"] == 1


def test_measurement_families_list_akeneo_unit_codes(akeneo):
    answer = akeneo.get("/api/rest/v1/measurement-families")
    families = {f["code"]: f for f in answer.json()}
    assert isinstance(answer.json(), list)
    assert {"MILLIMETER", "CENTIMETER", "METER"} <= set(families["Length"]["units"])
    assert {"GRAM", "KILOGRAM"} <= set(families["Weight"]["units"])
    assert {"Volume", "Area", "Temperature"} <= set(families)
    assert families["Length"]["units"]["CENTIMETER"]["convert_from_standard"] == [{"operator": "mul", "value": "0.01"}]
    used = {a["metric_family"] for a in _all(akeneo, "/api/rest/v1/attributes") if a["metric_family"]}
    assert used <= set(families)


def test_media_files_are_listed_described_and_downloadable(akeneo):
    media = _all(akeneo, "/api/rest/v1/media-files")[0]
    assert media["code"].count("/") == 4 and media["mime_type"] == "image/png"
    described = akeneo.get(f"/api/rest/v1/media-files/{media['code']}").json()
    download = akeneo.http.get(described["_links"]["download"]["href"])
    assert download.status_code == 200 and download.headers["content-type"] == "image/png"
    assert download.content.startswith(b"\x89PNG") and len(download.content) == described["size"]


def test_product_images_point_to_existing_media_files(akeneo):
    product = akeneo.items("/api/rest/v1/products", limit=1)[0]
    code = product["values"]["image_1"][0]["data"]
    assert akeneo.get(f"/api/rest/v1/media-files/{code}/download").status_code == 200


def test_families_and_product_models(akeneo):
    families = {f["code"]: f for f in _all(akeneo, "/api/rest/v1/families")}
    assert families["clothing"]["attribute_as_label"] == "name" and "size" in families["clothing"]["attributes"]
    model = _all(akeneo, "/api/rest/v1/product-models")[0]
    assert model["family_variant"] == "clothing_by_size" and model["family"] == "clothing"
    variants = [p for p in akeneo.items("/api/rest/v1/products", limit=100) if p["parent"] == model["code"]]
    assert variants and all(v["values"]["brand"] == model["values"]["brand"] for v in variants)
    assert len({v["values"]["size"][0]["data"] for v in variants}) == len(variants)


@pytest.mark.parametrize("path, message", [
    ("/api/rest/v1/attributes/nope", 'Attribute "nope" does not exist.'),
    ("/api/rest/v1/families/nope", 'Family "nope" does not exist.'),
    ("/api/rest/v1/channels/nope", 'Channel "nope" does not exist.'),
    ("/api/rest/v1/locales/xx_XX", 'Locale "xx_XX" does not exist.'),
    ("/api/rest/v1/currencies/XXX", 'Currency "XXX" does not exist.'),
    ("/api/rest/v1/categories/nope", 'Category "nope" does not exist.'),
    ("/api/rest/v1/products/NOPE", 'Product "NOPE" does not exist or you do not have permission to access it.'),
    ("/api/rest/v1/product-models/nope",
     'Product model "nope" does not exist or you do not have permission to access it.'),
])
def test_unknown_codes_are_404(akeneo, path, message):
    answer = akeneo.get(path)
    assert answer.status_code == 404 and answer.json() == {"code": 404, "message": message}
