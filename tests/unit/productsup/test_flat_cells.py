"""Cell text rules: the escaping of multi-value cells, amounts and dates."""
from __future__ import annotations

import pytest
from productsup.cells import amount_text, date_text, join_values, parse_date, split_values

SEP = "<###>"


@pytest.mark.parametrize(
    ("values", "cell"),
    [
        (["a", "b"], "a<###>b"),
        (["a<###>b", "c"], "a\\<###>b<###>c"),
        (["x<y"], "x\\<y"),
        (["back\\slash"], "back\\\\slash"),
        (["ends with \\", "x"], "ends with \\\\<###>x"),
        (["~@\"'\n\u00e9\u4e2d"], "~@\"'\n\u00e9\u4e2d"),
    ],
)
def test_values_are_joined_with_escapes_and_split_back(values, cell):
    assert join_values(values, SEP) == cell
    assert split_values(cell, SEP) == values


def test_a_value_cannot_form_a_separator_with_its_neighbour():
    assert join_values([";", "0"], ";;") == "\\;;;0"
    assert split_values("\\;;;0", ";;") == [";", "0"]
    assert split_values(join_values(["a<", "###>b"], SEP), SEP) == ["a<", "###>b"]


def test_a_backslash_before_anything_else_stays_as_written():
    assert split_values("C:\\path<###>x", SEP) == ["C:\\path", "x"]


def test_blank_items_and_surrounding_spaces_are_dropped():
    assert split_values(" a <###><###> b <###>", SEP) == ["a", "b"]


@pytest.mark.parametrize(("number", "text"), [(12, "12"), (12.5, "12.5"), (1e-05, "0.00001"), ("3.10", "3.10")])
def test_amounts_are_written_without_exponents_or_float_noise(number, text):
    assert amount_text(number) == text


def test_a_bare_day_becomes_midnight_utc_and_back():
    assert parse_date("2026-01-31") == ("2026-01-31T00:00:00+00:00", None)
    assert date_text("2026-01-31T00:00:00+00:00") == "2026-01-31"


def test_a_full_date_time_is_kept_as_written():
    assert parse_date("2026-01-31T10:00:00+02:00") == ("2026-01-31T10:00:00+02:00", None)
    assert date_text("2026-01-31T10:00:00+02:00") == "2026-01-31T10:00:00+02:00"


@pytest.mark.parametrize(("text", "reason"), [("2026-02-30", "not a calendar date"),
                                               ("31/01/2026", "not a date: write YYYY-MM-DD, like 2026-01-31"),
                                               ("2026-01-31Tnoon", "not an ISO 8601 date-time")])
def test_bad_dates_are_refused(text, reason):
    assert parse_date(text) == (None, reason)
