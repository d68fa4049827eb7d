"""Lines of one run that Akeneo cannot both accept: the earlier line wins, whatever the batches."""
from __future__ import annotations

from pimflow.kinds.akeneo_claims import CONFLICT_CODE, ClaimedAttributes, canonical, settle

RAW = {
    "attributes": [{"code": "sku", "type": "pim_catalog_identifier", "unique": True},
                   {"code": "ean", "type": "pim_catalog_text", "unique": True},
                   {"code": "name", "type": "pim_catalog_text"},
                   {"code": "size", "type": "pim_catalog_simpleselect"},
                   {"code": "color", "type": "pim_catalog_simpleselect"},
                   {"code": "length", "type": "pim_catalog_metric"}],
    "family_variants": {"clothing": [
        {"code": "by_size", "variant_attribute_sets": [{"level": 1, "axes": ["size"], "attributes": ["sku"]}]},
        {"code": "by_color_size", "variant_attribute_sets": [
            {"level": 1, "axes": ["color"], "attributes": ["color"]},
            {"level": 2, "axes": ["size"], "attributes": ["sku", "size"]}]},
        {"code": "by_length", "variant_attribute_sets": [{"level": 1, "axes": ["length"], "attributes": []}]},
    ]},
}
ATTRIBUTES = ClaimedAttributes.from_metadata(RAW)


def values(**data) -> dict:
    return {code: [{"locale": None, "scope": None, "data": value}] for code, value in data.items()}


def variant(n, key, parent, **data):
    return ATTRIBUTES.claim(n, key, {"parent": parent, "values": values(**data)}, model=False)


def refused(claims, family_variant_of) -> dict[int, dict[int, str]]:
    return {chunk: {r.n: r.message for r in results}
            for chunk, results in settle(claims, ATTRIBUTES, family_variant_of).items()}


def test_the_earlier_line_wins_an_axis_value_across_chunks_and_is_named():
    claims = [(0, variant(3, "TEE-S", "tee", size="s", name="first")),
              (0, variant(4, "TEE-M", "tee", size="m")),
              (1, variant(0, "TEE-S2", "tee", size="S")),  # option codes compare without case
              (1, variant(1, "OTHER-S", "other_tee", size="s"))]
    found = settle(claims, ATTRIBUTES, {"tee": "by_size", "other_tee": "by_size"})
    assert list(found) == [1] and [(r.n, r.code) for r in found[1]] == [(0, CONFLICT_CODE)]
    assert found[1][0].message == (
        "an earlier line of this run, 'TEE-S', gives the variant product under product model 'tee' the same "
        "variant axis values (size = 's'); Akeneo accepts one variant product per axis values under a model, "
        "and the earlier line wins")


def test_a_variant_of_a_two_level_model_claims_its_last_levels_axes_and_a_sub_model_its_first():
    sub = lambda n, key, parent, colour: ATTRIBUTES.claim(  # noqa: E731
        n, key, {"parent": parent, "family_variant": "by_color_size", "values": values(color=colour)}, model=True)
    claims = [(0, sub(0, "hood_blue", "hood", "blue")), (0, sub(1, "hood_red", "hood", "red")),
              (0, sub(2, "hood_blue2", "hood", "blue")),
              (0, variant(3, "H-S", "hood_blue", color="blue", size="s")),
              (0, variant(4, "H-S-RED", "hood_red", color="blue", size="s")),  # another sub-model: no clash
              (0, variant(5, "H-S2", "hood_blue", size="s"))]
    messages = refused(claims, {"hood": "by_color_size", "hood_blue": "by_color_size", "hood_red": "by_color_size"})
    assert set(messages[0]) == {2, 5}
    assert "'hood_blue', gives the sub-model under product model 'hood' the same variant axis values " \
           "(color = 'blue')" in messages[0][2]
    assert "'H-S', gives the variant product under product model 'hood_blue'" in messages[0][5]


def test_a_refused_line_takes_nothing_and_a_line_without_its_axes_claims_none():
    claims = [(0, variant(0, "A", "tee", size="s")), (0, variant(1, "B", "tee", size="s", ean="111")),
              (0, ATTRIBUTES.claim(2, "C", {"values": values(ean="111")}, model=False)),
              (0, variant(3, "D", "tee", name="no size given")), (0, variant(4, "E", "tee", name="nor here"))]
    assert claims[3][1] is None and claims[4][1] is None  # nothing an axis or unique
    assert set(refused([c for c in claims if c[1]], {"tee": "by_size"})[0]) == {1}


def test_unique_attribute_values_are_claimed_by_any_line_and_the_identifier_is_not():
    first = ATTRIBUTES.claim(0, "A", {"values": values(sku="A", ean="4006381333931")}, model=False)
    second = ATTRIBUTES.claim(1, "B", {"values": values(sku="B", ean=" 4006381333931")}, model=False)
    assert first["values"] == {"ean": "4006381333931"}
    assert refused([(0, first), (0, second)], {}) == {0: {1: (
        "an earlier line of this run, 'A', has the same ean ('4006381333931'); 'ean' is unique in Akeneo, "
        "and the earlier line wins")}}


def test_a_parent_of_unknown_family_variant_claims_no_axes_and_metric_axes_compare_as_amounts():
    claims = [(0, variant(0, "A", "nowhere", size="s")), (0, variant(1, "B", "nowhere", size="s"))]
    assert refused(claims, {}) == {}
    claims = [(0, variant(0, "A", "rope", length={"amount": "3.50", "unit": "METER"})),
              (0, variant(1, "B", "rope", length={"amount": "3.5000", "unit": "METER"}))]
    assert set(refused(claims, {"rope": "by_length"})[0]) == {1}
    assert canonical({"amount": 3.5, "unit": "METER"}) == canonical({"amount": "3.50", "unit": "meter"})


def test_values_with_braces_are_named_as_given():
    """Messages are written only for losing lines, with the values as they are (braces included)."""
    claims = [(0, variant(0, "A-1", None, ean="{4006381333931}")), (0, variant(1, "A-2", None, ean="{4006381333931}")),
              (0, variant(2, "A-3", None, ean="{0}"))]
    assert refused(claims, {}) == {0: {1: "an earlier line of this run, 'A-1', has the same ean ('{4006381333931}'); "
                                          "'ean' is unique in Akeneo, and the earlier line wins"}}
