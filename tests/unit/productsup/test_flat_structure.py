"""Catalog structure in the flat format: models, parents, families, categories and associations."""
from __future__ import annotations

import pytest
from productsup.codec import FlatCodec
from productsup_catalog import catalog

ASSOCIATION_TYPES = [{"code": "UPSELL", "is_quantified": False}, {"code": "X_SELL", "is_quantified": False},
                     {"code": "PACK", "is_quantified": True}]


@pytest.fixture(scope="module")
def structured():
    return FlatCodec(catalog(association_types=ASSOCIATION_TYPES, families=[{"code": "clothing"}],
                             categories=[{"code": "master"}, {"code": "tshirts"}]))


def test_associations_and_quantified_associations_round_trip(structured):
    product = {
        "identifier": "KIT-1", "family": "clothing", "categories": ["master", "tshirts"], "parent": None,
        "values": {},
        "associations": {"UPSELL": {"products": ["A", "B"], "product_models": ["M1"], "groups": []}},
        "quantified_associations": {"PACK": {"products": [{"identifier": "A", "quantity": 2},
                                                          {"identifier": "C", "quantity": 1}],
                                             "product_models": []}},
    }
    row = structured.encode(product)
    assert row["UPSELL-products"] == "A<###>B"
    assert row["UPSELL-product_models"] == "M1"
    assert "UPSELL-groups" not in row  # nothing to say: no column
    assert row["PACK-products"] == "A|2<###>C|1"
    decoded = structured.decode(row)
    assert decoded.problems == []
    assert decoded.product["associations"] == {"UPSELL": {"products": ["A", "B"], "product_models": ["M1"]}}
    assert decoded.product["quantified_associations"] == {
        "PACK": {"products": [{"identifier": "A", "quantity": 2}, {"identifier": "C", "quantity": 1}]}}
    assert decoded.product["categories"] == ["master", "tshirts"]
    assert decoded.product["family"] == "clothing"


@pytest.mark.parametrize(("column", "cell", "reason"), [
    ("PACK-products", "A", "needs code|quantity"),
    ("PACK-products", "A|0", "at least 1"),
    ("PACK-products", "A|two", "at least 1"),
    ("UPSELL-products", "A|2", "has no quantities"),
])
def test_malformed_association_cells_are_refused_with_the_reason(structured, column, cell, reason):
    decoded = structured.decode({"sku": "KIT-1", column: cell})
    assert len(decoded.problems) == 1
    assert decoded.problems[0].column == column
    assert reason in decoded.problems[0].reason


def test_unknown_association_type_is_an_unknown_column(structured):
    decoded = structured.decode({"sku": "KIT-1", "NOPE-products": "A"})
    assert [p.column for p in decoded.problems] == ["NOPE-products"]


def test_blank_association_cell_changes_nothing_unless_blank_cells_clear():
    meta = catalog(association_types=ASSOCIATION_TYPES)
    assert "associations" not in FlatCodec(meta).decode({"sku": "A", "UPSELL-products": ""}).product
    cleared = FlatCodec(meta, empty_cell="clear").decode({"sku": "A", "UPSELL-products": "", "PACK-products": ""})
    assert cleared.product["associations"] == {"UPSELL": {"products": []}}
    assert cleared.product["quantified_associations"] == {"PACK": {"products": []}}


def test_product_model_row_carries_its_code_family_variant_and_parent(structured):
    model = {"code": "tshirt_blue", "family": "clothing", "family_variant": "clothing_color_size",
             "parent": "tshirt", "categories": ["tshirts"], "values": {}}
    row = structured.encode(model)
    assert row["sku"] == "tshirt_blue"
    assert row["family_variant"] == "clothing_color_size"
    assert row["parent"] == "tshirt"
    assert structured.columns_of([row])[:5] == ["sku", "family", "family_variant", "categories", "parent"]
    decoded = structured.decode(row).product
    assert (decoded["identifier"], decoded["family_variant"], decoded["parent"]) == (
        "tshirt_blue", "clothing_color_size", "tshirt")


def test_quantified_products_are_uuids_on_the_uuid_api():
    codec = FlatCodec(catalog(association_types=ASSOCIATION_TYPES), product_id="uuid")
    uuid = "0b5d3bd8-6c41-4d6a-9f2b-2d7e0c5c1a7e"
    decoded = codec.decode({"sku": "A", "PACK-products": f"{uuid}|3", "PACK-product_models": "M1|1"})
    assert decoded.product["quantified_associations"] == {
        "PACK": {"products": [{"uuid": uuid, "quantity": 3}], "product_models": [{"identifier": "M1", "quantity": 1}]}}
