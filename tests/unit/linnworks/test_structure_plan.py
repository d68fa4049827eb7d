"""Desired structures and their plans against the current state (no HTTP)."""
from __future__ import annotations

import pytest

from linnworks.api import ids
from linnworks.api.compositions import CompositionRow
from linnworks.common.report import Tally
from linnworks.items.checks import refuse_missing_required, required_extra
from linnworks.items.desired import DesiredItem
from linnworks.structure.desired import DesiredComposition, DesiredVariationGroup
from linnworks.structure.plan import CurrentGroup, plan_composition, plan_group
from linnworks.structure.report import Membership

P, A, B, C = (ids.stock_item_id(sku) for sku in ("P", "A", "B", "C"))


def test_a_group_can_not_hold_its_parent_and_keeps_its_variations_once():
    with pytest.raises(ValueError, match="own variations"):
        DesiredVariationGroup("P", "Tee", ("A", "p"))
    assert DesiredVariationGroup("P", " Tee ", ("A", "B", "a")).variation_skus == ("A", "B")
    with pytest.raises(ValueError, match="name"):
        DesiredVariationGroup("P", " ", ())


@pytest.mark.parametrize("quantity", [0, -2, 1.5, True, "2"])
def test_component_quantities_are_whole_numbers_above_zero(quantity):
    with pytest.raises(ValueError, match="quantity"):
        DesiredComposition("KIT", {"A": quantity})


def test_a_kit_can_not_contain_itself_or_list_a_component_twice():
    with pytest.raises(ValueError, match="itself"):
        DesiredComposition("KIT", {"kit": 1})
    with pytest.raises(ValueError, match="twice"):
        DesiredComposition("KIT", {"A": 1, "a": 2})


def test_a_new_group_is_one_create_with_its_variations():
    plan = plan_group("P", P, "Tee", {"A": A, "B": B}, None, remove_unlisted=True)
    assert (plan.create, plan.adds, plan.rename, plan.removes) == (True, [A, B], False, [])
    assert [(row.field, row.action) for row in plan.diff] == [
        ("variation_group", "create"), ("variation[A]", "add"), ("variation[B]", "add")]


def test_an_existing_group_is_renamed_and_its_members_matched_by_id_ignoring_case():
    current = CurrentGroup("T-shirt", {A.upper().lower(): "A", C: "C"})
    plan = plan_group("P", P, "Tee", {"A": A.upper(), "B": B}, current, remove_unlisted=True)
    assert (plan.rename, plan.adds, plan.removes) == (True, [B], [C])
    kept = plan_group("P", P, "T-shirt", {"A": A}, current, remove_unlisted=False)
    assert not kept.has_writes()


def test_composition_rows_are_created_updated_and_deleted_to_match():
    current = [CompositionRow(stock_item_id=P, linked_stock_item_id=A, quantity=1, sku="A"),
               CompositionRow(stock_item_id=P, linked_stock_item_id=C, quantity=4, sku="C")]
    plan = plan_composition("P", P, {"A": (A, 3), "B": (B, 1)}, current, remove_unlisted=True)
    assert [(r.linked_stock_item_id, r.quantity) for r in plan.creates] == [(B, 1)]
    assert [(r.linked_stock_item_id, r.quantity) for r in plan.updates] == [(A, 3)]
    assert plan.deletes == [C]
    assert {(row.field, row.old, row.new, row.action) for row in plan.diff} == {
        ("component[B]", None, 1, "create"), ("component[A]", 1, 3, "update"), ("component[C]", 4, None, "delete")}


def test_members_say_whether_they_were_kept_joined_or_updated():
    group = plan_group("P", P, "Tee", {"A": A, "B": B}, CurrentGroup("Tee", {A: "A"}), remove_unlisted=True)
    assert group.members == {"A": Membership.KEPT, "B": Membership.JOINED}
    assert plan_group("P", P, "Tee", {"A": A}, None, remove_unlisted=True).members == {"A": Membership.JOINED}
    current = [CompositionRow(stock_item_id=P, linked_stock_item_id=A, quantity=1, sku="A"),
               CompositionRow(stock_item_id=P, linked_stock_item_id=B, quantity=2, sku="B")]
    kit = plan_composition("P", P, {"A": (A, 1), "B": (B, 3), "C": (C, 1)}, current, remove_unlisted=True)
    assert kit.members == {"A": Membership.KEPT, "B": Membership.UPDATED, "C": Membership.JOINED}


def test_a_member_whose_sku_the_input_lists_is_never_removed_even_without_its_id():
    """The input lists B (its lookup found nothing, e.g. an archived item still in the group): only
    what the input leaves out goes."""
    group = plan_group("P", P, "Tee", {"A": A}, CurrentGroup("Tee", {A: "A", B: "b", C: "C"}),
                       remove_unlisted=True, keep=("B",))
    assert group.removes == [C] and [row.field for row in group.diff] == ["variation[C]"]
    current = [CompositionRow(stock_item_id=P, linked_stock_item_id=B, quantity=1, sku="B"),
               CompositionRow(stock_item_id=P, linked_stock_item_id=C, quantity=1, sku="C")]
    kit = plan_composition("P", P, {"A": (A, 1)}, current, remove_unlisted=True, keep=("b",))
    assert kit.deletes == [C]


def test_required_skus_written_here_are_not_looked_up_again():
    items = {"A": DesiredItem("A", required_skus={"related": ("b", "X")}), "B": DesiredItem("B")}
    assert required_extra(items) == ["X"]


def test_an_item_is_refused_with_the_missing_skus_per_label():
    items = {"A": DesiredItem("A", required_skus={"related products": ("X", "B"), "parts": ("Y",)}),
             "B": DesiredItem("B", required_skus={"related products": ("A",)})}
    tally = Tally()
    refuse_missing_required(items, found={"Y": "id"}, unchecked=(), create_products=True, tally=tally)
    assert list(tally.refusals) == ["A"]
    assert tally.refusals["A"][0].message.endswith("related products: X")
