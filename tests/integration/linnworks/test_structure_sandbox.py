"""The structure writer (variation groups, compositions) over real HTTP against the Linnworks sandbox."""
from __future__ import annotations

import pytest

from linnworks.api import ids
from linnworks.structure.desired import DesiredComposition, DesiredVariationGroup, StructureOptions
from linnworks.structure.report import Membership, StructureStatus
from linnworks.structure.writer import StructureWriter

pytestmark = pytest.mark.integration

READS = {"Inventory/GetStockItemIdsBySKU", "Stock/GetStockItemTypeInfo", "Stock/GetVariationGroupByParentId",
         "Stock/GetVariationItems", "Inventory/GetInventoryItemsCompositionByIds"}


def tee(name="T-shirt", variations=("SKU-000002", "SKU-000003", "SKU-000004")) -> DesiredVariationGroup:
    return DesiredVariationGroup("SKU-000001", name, variations)


def kit(components=None) -> DesiredComposition:
    return DesiredComposition("SKU-000005", {"SKU-000006": 2, "SKU-000007": 1} if components is None else components)


def writes(stats: dict) -> dict:
    return {method: n for method, n in stats["calls"].items() if method not in READS}


def test_groups_and_kits_are_created_one_call_per_method(client, control):
    report = StructureWriter(client).write([tee()], [kit()])

    assert [(r.parent_sku, r.kind, r.status, r.stock_item_id) for r in report.results] == [
        ("SKU-000001", "variation_group", StructureStatus.WRITTEN, control.item("SKU-000001")["item"]["StockItemId"]),
        ("SKU-000005", "composition", StructureStatus.WRITTEN, control.item("SKU-000005")["item"]["StockItemId"])]
    assert control.variation_groups() == [{
        "pkVariationItemId": report.results[0].stock_item_id, "VariationSKU": "SKU-000001",
        "VariationGroupName": "T-shirt", "Items": ["SKU-000002", "SKU-000003", "SKU-000004"]}]
    assert control.compositions() == {"SKU-000005": {"SKU-000006": 2, "SKU-000007": 1}}
    parent = control.item("SKU-000001")["item"]
    assert parent["IsVariationParent"] is True and parent["VariationGroupName"] == "T-shirt"
    assert control.item("SKU-000005")["item"]["IsCompositeParent"] is True
    assert control.stats()["calls"] == {
        "Inventory/GetStockItemIdsBySKU": 1, "Stock/GetStockItemTypeInfo": 1, "Stock/CreateVariationGroup": 1,
        "Inventory/CreateInventoryItemCompositions": 1}


def test_second_structure_write_makes_no_write_call(client, control):
    writer = StructureWriter(client)
    writer.write([tee()], [kit()])
    control.reset_stats()

    report = writer.write([tee()], [kit()])

    assert [r.status for r in report.results] == [StructureStatus.UNCHANGED] * 2 and report.diff == []
    assert control.stats()["calls"] == {
        "Inventory/GetStockItemIdsBySKU": 1, "Stock/GetStockItemTypeInfo": 1, "Stock/GetVariationGroupByParentId": 1,
        "Stock/GetVariationItems": 1, "Inventory/GetInventoryItemsCompositionByIds": 1}


def test_only_the_differences_are_written(client, control):
    writer = StructureWriter(client)
    writer.write([tee()], [kit()])
    control.reset_stats()

    report = writer.write([tee("Tee", ("SKU-000002", "SKU-000004", "SKU-000008"))],
                          [kit({"SKU-000006": 3, "SKU-000009": 1})])

    assert [r.status for r in report.results] == [StructureStatus.WRITTEN] * 2
    assert control.variation_groups()[0]["VariationGroupName"] == "Tee"
    assert control.variation_groups()[0]["Items"] == ["SKU-000002", "SKU-000004", "SKU-000008"]
    assert control.compositions() == {"SKU-000005": {"SKU-000006": 3, "SKU-000009": 1}}
    assert writes(control.stats()) == {
        "Stock/RenameVariationGroup": 1, "Stock/AddVariationItems": 1, "Stock/DeleteVariationItems": 1,
        "Inventory/CreateInventoryItemCompositions": 1, "Inventory/UpdateInventoryItemCompositions": 1,
        "Inventory/DeleteInventoryItemCompositions": 1}
    assert {(row.field, row.old, row.new, row.action) for row in report.results[0].diff} == {
        ("variation_group", "T-shirt", "Tee", "update"), ("variation[SKU-000003]", "SKU-000003", None, "delete"),
        ("variation[SKU-000008]", None, "SKU-000008", "add")}


def test_without_remove_unlisted_nothing_is_taken_out(client, control):
    StructureWriter(client).write([tee()], [kit()])
    report = StructureWriter(client, StructureOptions(remove_unlisted=False)).write(
        [tee(variations=("SKU-000002",))], [kit({"SKU-000006": 2})])

    assert [r.status for r in report.results] == [StructureStatus.UNCHANGED] * 2
    assert len(control.variation_groups()[0]["Items"]) == 3 and len(control.compositions()["SKU-000005"]) == 2


def test_bundle_with_missing_components_is_refused_with_their_skus(client, control):
    report = StructureWriter(client).write([], [kit({"SKU-000006": 1, "GHOST-1": 2, "GHOST-2": 1})])

    result = report.results[0]
    assert result.status is StructureStatus.REFUSED and result.message == "missing components: GHOST-1, GHOST-2"
    assert control.compositions() == {} and control.item("GHOST-1") is None
    assert writes(control.stats()) == {}


def test_missing_components_are_created_first_when_allowed(client, control):
    options = StructureOptions(create_missing_components=True)
    report = StructureWriter(client, options).write([], [kit({"SKU-000006": 1, "GHOST-1": 2, "GHOST-2": 1})])

    result = report.results[0]
    assert result.status is StructureStatus.WRITTEN and result.created_components == ("GHOST-1", "GHOST-2")
    assert control.item("GHOST-1")["item"]["StockItemId"] == ids.stock_item_id("GHOST-1")
    assert control.compositions() == {"SKU-000005": {"SKU-000006": 1, "GHOST-1": 2, "GHOST-2": 1}}
    assert writes(control.stats()) == {"Inventory/AddInventoryItemBulk": 1,
                                       "Inventory/CreateInventoryItemCompositions": 1}


def test_a_group_whose_parent_is_missing_is_refused_and_one_missing_a_variation_is_written_without_it(client, control):
    report = StructureWriter(client).write([
        DesiredVariationGroup("NO-PARENT", "X", ("SKU-000002", "NO-VARIANT")),
        DesiredVariationGroup("SKU-000001", "Y", ("SKU-000002", "NO-VARIANT"))], [])

    assert [(r.status, r.message) for r in report.results] == [
        (StructureStatus.REFUSED, "missing in Linnworks: NO-PARENT (parent), NO-VARIANT"),
        (StructureStatus.WRITTEN, None)]
    assert report.results[1].members == {"SKU-000002": Membership.JOINED, "NO-VARIANT": Membership.MISSING}
    assert [(g["VariationSKU"], g["Items"]) for g in control.variation_groups()] == [("SKU-000001", ["SKU-000002"])]


def test_a_variation_that_cannot_be_looked_up_refuses_its_group_and_nothing_is_removed(client, control):
    StructureWriter(client).write([tee()], [kit()])
    control.settings(fail_next=[{"method": "Inventory/GetStockItemIdsBySKU", "status": 400, "skus": ["SKU-000003"]}])
    report = StructureWriter(client).write([tee(variations=("SKU-000002", "SKU-000003"))], [])
    assert report.results[0].status is StructureStatus.REFUSED
    assert control.variation_groups()[0]["Items"] == ["SKU-000002", "SKU-000003", "SKU-000004"]

    report = StructureWriter(client).write([tee(variations=("SKU-000002", "SKU-000003"))], [kit({"SKU-000006": 2})])
    assert [r.status for r in report.results] == [StructureStatus.WRITTEN] * 2  # what the input left out goes
    assert control.variation_groups()[0]["Items"] == ["SKU-000002", "SKU-000003"]
    assert report.results[0].members == {"SKU-000002": Membership.KEPT, "SKU-000003": Membership.KEPT}
    assert control.compositions() == {"SKU-000005": {"SKU-000006": 2}}


def test_a_dry_run_counts_the_items_its_loads_would_create_as_there(client, control):
    options = StructureOptions(dry_run=True)
    report = StructureWriter(client, options).write(
        [DesiredVariationGroup("NEW-PARENT", "New", ("SKU-000002", "NEW-VARIANT", "NOT-PLANNED"))],
        [DesiredComposition("NEW-KIT", {"NEW-VARIANT": 1, "SKU-000006": 2})],
        would_create={"NEW-PARENT", "NEW-VARIANT", "NEW-KIT"})

    group, composition = report.results
    assert (group.status, group.stock_item_id) == (StructureStatus.WRITTEN, ids.stock_item_id("NEW-PARENT"))
    assert group.members == {"SKU-000002": Membership.JOINED, "NEW-VARIANT": Membership.JOINED,
                             "NOT-PLANNED": Membership.MISSING}
    assert composition.status is StructureStatus.WRITTEN
    assert {(row.sku, row.field, row.action) for row in report.diff} == {
        ("NEW-PARENT", "variation_group", "create"), ("NEW-PARENT", "variation[SKU-000002]", "add"),
        ("NEW-PARENT", "variation[NEW-VARIANT]", "add"),
        ("NEW-KIT", "component[NEW-VARIANT]", "create"), ("NEW-KIT", "component[SKU-000006]", "create")}
    assert writes(control.stats()) == {} and control.variation_groups() == []
    # a real run never takes them on trust
    real = StructureWriter(client).write([DesiredVariationGroup("NEW-PARENT", "New", ("SKU-000002",))], [],
                                         would_create={"NEW-PARENT"})
    assert real.results[0].message == "missing in Linnworks: NEW-PARENT (parent)"


def test_retried_group_create_does_not_duplicate(client, control):
    control.settings(fail_next=[{"method": "Stock/CreateVariationGroup", "status": 500, "after_commit": True}])

    report = StructureWriter(client).write([tee()], [])

    assert report.results[0].status is StructureStatus.WRITTEN
    assert len(control.variation_groups()) == 1
    assert control.stats()["calls"]["Stock/CreateVariationGroup"] == 1  # the landed one was read, not resent


def test_retried_composition_create_does_not_duplicate(client, control):
    control.settings(fail_next=[{"method": "Inventory/CreateInventoryItemCompositions", "status": 500,
                                 "after_commit": True}])

    report = StructureWriter(client).write([], [kit()])

    assert report.results[0].status is StructureStatus.WRITTEN
    assert control.compositions() == {"SKU-000005": {"SKU-000006": 2, "SKU-000007": 1}}
    assert control.stats()["calls"]["Inventory/CreateInventoryItemCompositions"] == 1  # read back, not resent


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(client, control):
    options = StructureOptions(dry_run=True, create_missing_components=True)
    report = StructureWriter(client, options).write([tee()], [kit({"GHOST-1": 2})])

    assert report.dry_run and [r.status for r in report.results] == [StructureStatus.WRITTEN] * 2
    assert report.results[1].created_components == ("GHOST-1",)
    assert {(row.sku, row.field, row.action) for row in report.diff} == {
        ("SKU-000001", "variation_group", "create"), ("SKU-000001", "variation[SKU-000002]", "add"),
        ("SKU-000001", "variation[SKU-000003]", "add"), ("SKU-000001", "variation[SKU-000004]", "add"),
        ("SKU-000005", "component_item[GHOST-1]", "create"), ("SKU-000005", "component[GHOST-1]", "create")}
    assert writes(control.stats()) == {} and control.variation_groups() == [] and control.item("GHOST-1") is None


def test_a_parent_listed_twice_is_refused_the_second_time(client, control):
    report = StructureWriter(client).write([tee(), tee("Other")], [DesiredComposition("sku-000001", {"SKU-000006": 1})])

    assert [r.status for r in report.results] == [StructureStatus.WRITTEN, StructureStatus.REFUSED,
                                                   StructureStatus.REFUSED]
    assert control.variation_groups()[0]["VariationGroupName"] == "T-shirt"
