"""A feed's header is handled in time linear in its columns (issue 17: a 100,000-column feed was still
in its feedback step after 10 minutes, each column looked up in a list of the others). Counted, not
timed: column names are a `str` that counts how often it is compared with another, which is what a
list scan (`name not in header`, `header.index(name)`) costs per element; a dict or set lookup
compares only on a hash match."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pimflow import originals as originals_module
from pimflow import steps, summary
from pimflow.kinds import RunContext
from pimflow.kinds import feed as feed_kind
from pimflow.loader import parse_profile
from pimflow.staging import RunStaging, as_storage_path
from pimflow.window import RunParams

PROFILE = """
id: unit_wide_feed
source: {kind: feed, path: in.csv, delimiter: ";"}
target: {kind: feed, path: out.csv}
chunk_size: 2
"""


class Name(str):
    """A column name that counts its comparisons with other names."""

    comparisons = 0

    def __eq__(self, other):
        Name.comparisons += 1
        return str.__eq__(self, other)

    def __ne__(self, other):
        Name.comparisons += 1
        return str.__ne__(self, other)

    __hash__ = str.__hash__


def named(header: list[str]) -> list[str]:
    return [Name(name) for name in header]


@pytest.fixture
def counting(monkeypatch):
    """The headers the load, commit and feedback steps read come back as counting names."""
    reader = feed_kind.csv_reader

    def counting_reader(handle, dialect=None):
        rows = reader(handle, dialect)
        first = next(rows, None)
        if first is not None:
            yield named(first)
            yield from rows

    read_originals = originals_module.read_originals

    def counting_originals(staging, index):
        chunk = read_originals(staging, index)
        chunk.header = named(chunk.header)
        return chunk

    monkeypatch.setattr(feed_kind, "csv_reader", counting_reader)
    monkeypatch.setattr(summary, "read_originals", counting_originals)


def comparisons_per_run(tmp_path: Path, columns: int) -> int:
    """Name comparisons of load, commit and feedback for a feed of `columns` columns and 5 lines in 3 chunks
    (a line of each chunk refused, so the feedback file has every column)."""
    folder = tmp_path / f"c{columns}"
    folder.mkdir()
    header = ["sku", *(f"col_{i}" for i in range(columns - 1))]
    lines = [";".join([f"A{n}", *("x" for _ in range(columns - 1))]) for n in range(5)]
    lines[1] += ";extra"  # refused: one field more than the header
    (folder / "in.csv").write_text("\n".join([";".join(header), *lines]) + "\n", encoding="utf-8")
    (folder / "p.yaml").write_text(PROFILE, encoding="utf-8")
    profile = parse_profile(folder / "p.yaml")
    ctx = RunContext(profile, folder, RunStaging(as_storage_path(folder / "staging"), profile.id, "run"),
                     RunParams(), profile.id, "run", log=logging.getLogger("test"))
    chunks = steps.extract(ctx, None, None, datetime(2026, 12, 1, tzinfo=timezone.utc), run_type="manual")
    transformed = [steps.transform(ctx, chunk) for chunk in chunks]
    Name.comparisons = 0
    loads = [steps.load(ctx, item) for item in transformed]
    result = steps.feedback(ctx, chunks, loads)
    assert result.written == 4 and result.refused == 1
    assert (folder / "out.csv").read_text(encoding="utf-8").splitlines()[0] == ",".join(header)
    return Name.comparisons


def test_load_commit_and_feedback_compare_each_column_name_a_bounded_number_of_times(tmp_path, counting):
    small, large = comparisons_per_run(tmp_path, 500), comparisons_per_run(tmp_path, 4000)
    assert large <= 20 * 4000  # a list scan per column would be millions (4,000² / 2 per scan)
    assert large <= 8 * 1.25 * max(small, 1)  # 8 times the columns: at most 8 times the work (with slack)


def test_the_header_checks_of_extract_compare_each_column_name_a_bounded_number_of_times(tmp_path):
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    source = feed_kind.FeedSourceKind(parse_profile(tmp_path / "p.yaml").source)
    header = named(["sku", *(f"col_{i}" for i in range(20_000))])
    Name.comparisons = 0
    source._check_header("in.csv", header)
    assert Name.comparisons <= 2 * len(header)

