"""The run ledger: typed results written per step and chunk, read back with one deciding result per
record, and nothing dropped."""
from __future__ import annotations

import pytest

from pimflow import ledger
from pimflow.ledger import NO_RESULT, RecordResult, RunLedger, Status
from pimflow.staging import RunStaging, as_storage_path


@pytest.fixture
def staging(tmp_path) -> RunStaging:
    return RunStaging(as_storage_path(tmp_path), "dag", "run-1")


def test_results_round_trip_with_their_step_chunk_and_every_field(staging):
    written = ledger.record(staging, "load", 3, [
        RecordResult(n=2, status=Status.CREATED, code="201", target_id="5e1c0d3a-0000-4000-8000-000000000001"),
        RecordResult.refused(0, "503", "Service Unavailable", transient=True),
    ], keys={0: "SKU-A", 2: "SKU-C"})
    assert [r.n for r in written] == [0, 2]  # sorted by position
    read = ledger.read(staging, "load", 3)
    assert read == written
    first, second = read
    assert (first.key, first.step, first.chunk, first.status, first.code, first.transient) == (
        "SKU-A", "load", 3, Status.REFUSED, "503", True)
    assert (second.key, second.target_id, second.transient) == (
        "SKU-C", "5e1c0d3a-0000-4000-8000-000000000001", False)


def test_a_retried_step_replaces_its_earlier_attempt(staging):
    ledger.record(staging, "load", 0, [RecordResult.refused(0, "500", "boom", transient=True),
                                       RecordResult.refused(1, "500", "boom", transient=True)])
    ledger.record(staging, "load", 0, [RecordResult(n=0, status=Status.UPDATED)])
    assert [(r.n, r.status) for r in ledger.read(staging, "load", 0)] == [(0, Status.UPDATED)]


def test_link_outranks_transform_parents_and_load_and_missing_records_are_flagged(staging):
    ledger.record(staging, "transform", 0, [RecordResult.refused(1, "invalid_value", "price: not a number")])
    ledger.record(staging, "parents", 0, [RecordResult(n=4, status=Status.CREATED)])
    ledger.record(staging, "load", 0, [RecordResult(n=0, status=Status.UNCHANGED),
                                       RecordResult(n=2, status=Status.CREATED),
                                       RecordResult(n=4, status=Status.UNCHANGED)])
    ledger.record(staging, "link", 0, [RecordResult(n=0, status=Status.UPDATED)])
    outcomes = RunLedger(staging).outcomes(0, [0, 1, 2, 3, 4], keys={3: "LOST-SKU"})
    assert [(r.n, r.status, r.step) for r in outcomes] == [
        (0, Status.UPDATED, "link"), (1, Status.REFUSED, "transform"), (2, Status.CREATED, "load"),
        (3, Status.REFUSED, "feedback"), (4, Status.CREATED, "parents")]
    lost = outcomes[3]
    assert (lost.code, lost.key) == (NO_RESULT, "LOST-SKU")


def test_a_records_warnings_reach_its_deciding_result_whichever_step_decides(staging):
    ledger.record(staging, "load", 0, [RecordResult(n=0, status=Status.UNCHANGED, warnings=("weight rounds to 0",)),
                                       RecordResult(n=1, status=Status.CREATED, warnings=("price rounds to 0",))])
    ledger.record(staging, "link", 0, [RecordResult(n=0, status=Status.UPDATED, warnings=("weight rounds to 0",))])
    first, second = RunLedger(staging).outcomes(0, [0, 1])
    assert (first.step, first.status, first.warnings) == ("link", Status.UPDATED, ("weight rounds to 0",))
    assert (second.step, second.warnings) == ("load", ("price rounds to 0",))
    ledger.record(staging, "link", 0, [RecordResult(n=1, status=Status.UPDATED)])  # a link result says none
    assert RunLedger(staging).outcomes(0, [1])[0].warnings == ("price rounds to 0",)


def test_counts_add_written_only_when_something_was_written():
    results = [RecordResult(n=0, status=Status.CREATED), RecordResult(n=1, status=Status.UPDATED),
               RecordResult.refused(2, "422", "bad")]
    assert ledger.counts(results) == {"created": 1, "updated": 1, "refused": 1, "written": 2}
    assert ledger.counts([RecordResult.would_write(0, "create")]) == {"would_write": 1}


@pytest.mark.parametrize("status_code, sent, transient", [
    (500, True, True), (503, True, True), (429, True, True), (408, True, True),
    (None, True, True),  # sent, no answer
    (None, False, False),  # refused before sending
    (422, True, False), (400, True, False), (404, True, False)])
def test_transient_statuses_are_those_worth_another_try(status_code, sent, transient):
    assert ledger.transient_status(status_code, sent) is transient


def test_a_dry_run_result_says_what_a_real_run_would_do():
    result = RecordResult.would_write(7, "update", key="SKU-7")
    assert (result.status, result.code, result.message) == (
        Status.WOULD_WRITE, "dry_run", "not sent (dry run): would update")
    assert result.reached_target and not result.is_written


def test_a_dry_run_diff_lists_each_records_item_then_structure_changes_from_the_ledger(staging):
    import csv

    from pimflow.ledger import Change

    ledger.record(staging, "load", 0, [
        RecordResult(n=2, status=Status.WOULD_WRITE, changes=(Change.of("title", "Old", "New", "update", "Inventory/Update"),)),
        RecordResult(n=0, status=Status.WOULD_WRITE, key="A-1", changes=(
            Change.of("price", 1.5, {"GBP": 2}, "update"), Change.of("image", None, "a.jpg", "add"))),
        RecordResult(n=1, status=Status.UNCHANGED)])
    ledger.record(staging, ledger.STRUCTURE, 0, [
        RecordResult(n=0, status=Status.WOULD_WRITE, changes=(Change.of("variation_group", "", "TEE", "create"),))])
    # a deciding link result carries no changes of its own: the structure result above holds them
    ledger.record(staging, "link", 0, [RecordResult(n=1, status=Status.WOULD_WRITE)])

    rows = RunLedger(staging).write_diff(0, keys={0: "A-1", 2: "B-2"})

    with staging.dry_run("diff-00000.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert table == [
        ["sku", "field", "old", "new", "action", "endpoint"],
        ["A-1", "price", "1.5", '{"GBP": 2}', "update", ""],
        ["A-1", "image", "", "a.jpg", "add", ""],
        ["A-1", "variation_group", "", "TEE", "create", ""],
        ["B-2", "title", "Old", "New", "update", "Inventory/Update"],
    ]
    assert rows == 4
    assert RunLedger(staging).write_diff(1) == 0 and not staging.dry_run("diff-00001.csv").exists()
