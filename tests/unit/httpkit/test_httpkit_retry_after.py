"""Retry-After: delta-seconds and HTTP-dates, measured against an injected clock."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from httpkit.retry_after import parse_retry_after

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc).timestamp()


def fixed_clock() -> float:
    return NOW


@pytest.mark.parametrize(("header", "seconds"), [("7", 7.0), (" 120 ", 120.0), ("0.25", 0.25), ("0", 0.0)])
def test_delta_seconds_are_read_as_given(header, seconds):
    assert parse_retry_after(header) == seconds


def test_an_http_date_gives_the_seconds_until_it_by_the_clock():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", clock=fixed_clock) == pytest.approx(10)


def test_an_http_date_with_a_minus_zero_offset_is_gmt_too():
    assert parse_retry_after("Wed, 21 Oct 2015 07:29:00 -0000", clock=fixed_clock) == pytest.approx(60)


def test_a_date_or_a_delay_in_the_past_means_no_wait():
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", clock=fixed_clock) == 0.0
    assert parse_retry_after("-5") == 0.0


@pytest.mark.parametrize("header", [None, "", "soon", "Wed, 32 Foo 2015"])
def test_an_absent_or_unreadable_header_is_none(header):
    assert parse_retry_after(header, clock=fixed_clock) is None
