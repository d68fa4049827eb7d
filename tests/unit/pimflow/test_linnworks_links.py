"""The link step of the `linnworks` target (issue 15): groups and kits list every record the source
puts in them, whatever became of the record in this run, and a record the load refused or skipped
keeps its result with a note on what became of its links. The structure writer is faked here (the
sandbox tests drive the real one)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from linnworks.common.report import DiffRow, Refusal
from linnworks.structure.report import Membership, StructureKind, StructureReport, StructureResult, StructureStatus
from pimflow import ledger
from pimflow.kinds.linnworks_structure import gather, link_entries_path, write_links
from pimflow.ledger import RecordResult, RunLedger, Status
from pimflow.profile import LinnworksTarget
from pimflow.staging import RunStaging, as_storage_path, write_jsonl

CONFIG = LinnworksTarget.model_validate({"kind": "linnworks", "variations": {}, "compositions": {"association": "PACK"}})
ROOT_ID, V1_ID = "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
ENTRIES = [
    {"n": 0, "sku": "ROOT", "model": True},
    {"n": 1, "sku": "V1", "parent": "ROOT"},
    {"n": 2, "sku": "V2", "parent": "ROOT"},
    {"n": 3, "sku": "V3", "parent": "ROOT"},
    {"n": 4, "sku": "V4", "parent": "ROOT"},
    {"n": 5, "sku": "K", "components": {"V2": 1}},
    {"n": 6, "sku": "SUB", "model": True, "parent": "ROOT"},
]
TITLE_FAILED = RecordResult.refused(2, "Inventory/UpdateInventoryItemField", "HTTP 503: busy", transient=True)


@pytest.fixture
def ctx(tmp_path):
    return SimpleNamespace(staging=RunStaging(as_storage_path(tmp_path), "dag", "run-1"),
                           params=SimpleNamespace(dry_run=False), window=SimpleNamespace(mode="full"))


def stage(ctx, dry_run=False):
    """One chunk: a root model, four variants (created, refused at load, refused at transform,
    skipped), a kit whose only component is the refused variant, and a sub-model."""
    write_jsonl(link_entries_path(ctx, 0), ENTRIES)
    ledger.record(ctx.staging, "transform", 0, [
        RecordResult.refused(3, "invalid_value", "price: not a number"),
        RecordResult(n=6, status=Status.SKIPPED, code="product_model", message="a sub-model")])
    if dry_run:
        loads = [RecordResult.would_write(0, "create"), RecordResult.would_write(1, "create"),
                 RecordResult(n=5, status=Status.UNCHANGED)]
    else:
        loads = [RecordResult(n=0, status=Status.CREATED, target_id=ROOT_ID),
                 RecordResult(n=1, status=Status.CREATED, target_id=V1_ID), RecordResult(n=5, status=Status.UNCHANGED)]
    ledger.record(ctx.staging, "load", 0, [*loads, TITLE_FAILED,
                                           RecordResult(n=4, status=Status.SKIPPED, code="missing",
                                                        message="not in Linnworks (create_products off)")])


class FakeWriter:
    """Answers what a test sets in `answer`; remembers what it was asked."""

    seen: dict = {}
    answer: list[StructureResult] = []

    def __init__(self, client, options):
        FakeWriter.seen = {"options": options}

    def write(self, groups, compositions, known_ids=None, would_create=()):
        FakeWriter.seen.update(groups=list(groups), compositions=list(compositions), known_ids=dict(known_ids),
                               would_create=set(would_create))
        return StructureReport(FakeWriter.answer, dry_run=FakeWriter.seen["options"].dry_run)


@pytest.fixture
def writer(monkeypatch):
    import linnworks.structure.writer

    monkeypatch.setattr(linnworks.structure.writer, "StructureWriter", FakeWriter)
    return FakeWriter


def group_result(status=StructureStatus.WRITTEN, **members) -> StructureResult:
    diff = [DiffRow("ROOT", "variation_group", None, "ROOT", "create", "Stock/CreateVariationGroup")]
    refusals = [Refusal("Stock/CreateVariationGroup", "HTTP 400: no")] if status is StructureStatus.REFUSED else []
    return StructureResult("ROOT", StructureKind.VARIATION_GROUP, status, ROOT_ID, refusals, diff=diff,
                           members={sku: Membership(fate) for sku, fate in members.items()})


def kit_result(status=StructureStatus.UNCHANGED, **members) -> StructureResult:
    return StructureResult("K", StructureKind.COMPOSITION, status, members={
        sku: Membership(fate) for sku, fate in members.items()})


def test_groups_and_kits_list_every_record_the_source_puts_in_them_whatever_its_outcome(ctx, writer):
    stage(ctx)
    links = gather(ctx, CONFIG, [{"index": 0}])
    writer.answer = [group_result(V1="joined", V2="kept", V3="kept", V4="missing"), kit_result(V2="kept")]
    write_links(ctx, CONFIG, None, links)

    (group,), (kit,) = writer.seen["groups"], writer.seen["compositions"]
    assert (group.parent_sku, group.variation_skus) == ("ROOT", ("V1", "V2", "V3", "V4"))
    assert (kit.parent_sku, dict(kit.components)) == ("K", {"V2": 1})
    assert writer.seen["options"].remove_unlisted is True
    assert writer.seen["known_ids"] == {"ROOT": ROOT_ID, "V1": V1_ID}
    assert writer.seen["would_create"] == set()


def test_a_refused_or_skipped_record_keeps_its_result_and_says_what_became_of_its_links(ctx, writer):
    stage(ctx)
    writer.answer = [group_result(V1="joined", V2="kept", V3="kept", V4="missing"), kit_result(V2="kept")]
    write_links(ctx, CONFIG, None, gather(ctx, CONFIG, [{"index": 0}]))

    final = {result.key or result.n: result for result in RunLedger(ctx.staging).outcomes(0, range(7), keys={
        entry["n"]: entry["sku"] for entry in ENTRIES})}
    refused = final["V2"]
    assert (refused.step, refused.status, refused.code, refused.transient) == (
        "link", Status.REFUSED, "Inventory/UpdateInventoryItemField", True)
    assert refused.message == ("HTTP 503: busy; variation group ROOT: kept as it was; "
                               "composition of K: kept as it was")
    skipped = final["V4"]
    assert (skipped.status, skipped.code) == (Status.SKIPPED, "missing")
    assert skipped.message == ("not in Linnworks (create_products off); "
                               "could not join variation group ROOT: missing in Linnworks")
    # never sent: the transform's result stands (the summary counts it as refused before sending)
    assert (final["V3"].step, final["V3"].message) == ("transform", "price: not a number")
    # the others keep their load's word: a created parent whose group was written, an unchanged kit
    assert [(final[sku].step, final[sku].status) for sku in ("ROOT", "V1", "K")] == [
        ("load", Status.CREATED), ("load", Status.CREATED), ("load", Status.UNCHANGED)]
    # what the structure writer did is kept per parent record, with its changes (a dry run's diff)
    structure = {result.n: result for result in ledger.read(ctx.staging, ledger.STRUCTURE, 0)}
    assert [change.field for change in structure[0].changes] == ["variation_group"]
    assert structure[5].status is Status.UNCHANGED


def test_a_group_refusal_is_the_parents_and_a_refused_parent_keeps_its_own_code(ctx, writer):
    stage(ctx)
    ledger.record(ctx.staging, "load", 0, [
        RecordResult.refused(0, "Inventory/UpdateInventoryItemField", "HTTP 500: down", transient=True),
        RecordResult(n=1, status=Status.CREATED, target_id=V1_ID), TITLE_FAILED,
        RecordResult(n=5, status=Status.UNCHANGED)])
    writer.answer = [group_result(StructureStatus.REFUSED, V1="refused", V2="kept"), kit_result(V2="kept")]
    write_links(ctx, CONFIG, None, gather(ctx, CONFIG, [{"index": 0}]))

    links = {result.key: result for result in ledger.read(ctx.staging, "link", 0)}
    assert set(links) == {"ROOT", "V2"}  # V1 loaded fine: the group's refusal is reported on its parent
    root = links["ROOT"]
    assert (root.code, root.transient) == ("Inventory/UpdateInventoryItemField", True)
    assert root.message == "HTTP 500: down; variation group ROOT: not written: HTTP 400: no"
    assert links["V2"].message.endswith("; variation group ROOT: kept as it was; composition of K: kept as it was")


def test_a_group_refused_on_a_parent_that_loaded_is_refused_with_the_groups_words(ctx, writer):
    stage(ctx)
    writer.answer = [group_result(StructureStatus.REFUSED, V1="refused", V2="refused"), kit_result(V2="kept")]
    write_links(ctx, CONFIG, None, gather(ctx, CONFIG, [{"index": 0}]))

    links = {result.key: result for result in ledger.read(ctx.staging, "link", 0)}
    assert (links["ROOT"].status, links["ROOT"].code, links["ROOT"].message) == (
        Status.REFUSED, "Stock/CreateVariationGroup", "HTTP 400: no")
    assert links["V2"].message.startswith("HTTP 503: busy; could not join variation group ROOT: HTTP 400: no")


def test_a_dry_run_hands_the_writer_the_items_its_loads_would_create(ctx, writer):
    ctx.params.dry_run = True
    stage(ctx, dry_run=True)
    writer.answer = [group_result(V1="joined", V2="joined", V3="kept", V4="missing"), kit_result(V2="kept")]
    write_links(ctx, CONFIG, None, gather(ctx, CONFIG, [{"index": 0}]))

    assert writer.seen["would_create"] == {"ROOT", "V1"} and writer.seen["known_ids"] == {}
    links = {result.key: result for result in ledger.read(ctx.staging, "link", 0)}
    assert links["V2"].message == "HTTP 503: busy; would join variation group ROOT; composition of K: kept as it was"
    assert "ROOT" not in links  # a would-be write on a would-be write changes nothing
