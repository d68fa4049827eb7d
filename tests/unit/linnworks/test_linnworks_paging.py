"""Page-numbered listings that change while read: check, re-read, de-duplicate, report (no HTTP)."""
from __future__ import annotations

import logging

import pytest

from linnworks.api.paging import PagedListing


class Listing:
    """A live listing in a fixed order that pages by number; `after[n]` runs once the n-th page answer
    (over all reads) is served, so during the first read n is the page number."""

    def __init__(self, size: int, page_size: int = 3):
        self.live = [f"id-{i:03d}" for i in range(1, size + 1)]
        self.page_size = page_size
        self.after: dict[int, object] = {}
        self.served: list[int] = []
        self.counts = 0
        self.parsed = 0

    def fetch(self, number: int):
        self.served.append(number)
        rows = [{"StockItemId": key} for key in self.live[(number - 1) * self.page_size: number * self.page_size]]
        hook = self.after.pop(len(self.served), None)
        if hook:
            hook(self)
        return rows or None  # past the end: Linnworks' 400 end marker

    def count(self) -> int:
        self.counts += 1
        return len(self.live)

    def archive(self, *keys):
        return lambda listing: [listing.live.remove(key) for key in keys]

    def insert(self, position: int, key: str):
        return lambda listing: listing.live.insert(position, key)

    def parse(self, row):
        self.parsed += 1
        return row["StockItemId"]

    def still_listed(self, names: dict[str, str]) -> set[str]:
        self.asked = dict(names)
        return {key for key in names if key in self.live}

    def reader(self, counted: bool = True, max_reads: int = 3, ask: bool = False) -> PagedListing:
        return PagedListing(self.fetch, self.page_size, key=lambda row: row["StockItemId"], parse=self.parse,
                            count=self.count if counted else None, max_reads=max_reads, what="test listing",
                            name=lambda row: row["StockItemId"].replace("id", "SKU"),
                            still_listed=self.still_listed if ask else None)


def test_an_unchanged_listing_is_read_once_with_one_count():
    listing = Listing(10)
    reader = listing.reader()
    assert list(reader) == listing.live
    assert listing.served == [1, 2, 3, 4] and listing.counts == 1
    report = reader.report
    assert (report.reads, report.counted, report.listed, report.duplicates, report.verified) == (1, 10, 10, 0, True)
    assert (report.left, report.missing) == ([], 0)


def test_an_exact_multiple_ends_on_the_end_marker():
    listing = Listing(9)
    assert list(listing.reader()) == listing.live
    assert listing.served == [1, 2, 3, 4]


def test_items_archived_behind_the_read_are_caught_and_every_live_item_read_once():
    listing = Listing(12)
    listing.after[1] = listing.archive("id-001", "id-002")  # page 2 now starts at id-006: id-004, id-005 slid
    reader = listing.reader()
    read = list(reader)
    assert set(listing.live) <= set(read)
    assert len(read) == len(set(read)) == 12  # the two archived ones were read while still live
    report = reader.report
    assert (report.reads, report.verified, report.counted, report.listed) == (2, True, 10, 10)
    assert report.left == ["id-001", "id-002"]  # read, then left the listing: not live any more
    assert listing.counts == 2


def test_an_item_added_behind_the_read_is_dropped_as_a_duplicate_and_read_again():
    listing = Listing(7)
    listing.after[1] = listing.insert(0, "id-new")  # id-003 slides onto page 2 and is listed twice
    reader = listing.reader()
    read = list(reader)
    assert read.count("id-003") == 1 and "id-new" in read and set(read) == set(listing.live)
    assert (reader.report.duplicates, reader.report.reads, reader.report.verified) == (1, 2, True)
    assert reader.report.left == []


def test_rows_are_parsed_only_when_first_yielded():
    listing = Listing(9)
    listing.after[2] = listing.archive("id-001")  # id-007 slides onto page 2, read the second time
    read = list(listing.reader())
    assert sorted(read) == [f"id-{i:03d}" for i in range(1, 10)]
    assert listing.parsed == 9  # the second read parses only id-007


def test_a_listing_that_keeps_changing_is_reported_after_max_reads(caplog):
    listing = Listing(12)
    for answer in (1, 6, 10):  # in each of the three reads (answers 1-4, 5-8, 9-12), one removal behind it
        listing.after[answer] = lambda lst: lst.live.pop(0)
    reader = listing.reader(max_reads=3)
    with caplog.at_level(logging.WARNING, logger="linnworks.api.paging"):
        read = list(reader)
    report = reader.report
    assert (report.reads, report.verified, report.left) == (3, False, [])
    assert (report.counted, report.listed, report.missing) == (10, 9, 1)
    assert len(read) == len(set(read)) and len(read) == 12
    assert "up to 1 record(s) could not be read" in caplog.text


def test_after_max_reads_what_only_earlier_reads_listed_is_asked_for_so_gone_and_live_are_told_apart():
    listing = Listing(12)
    for answer in (1, 6, 10):
        listing.after[answer] = lambda lst: lst.live.pop(0)
    reader = listing.reader(max_reads=3, ask=True)
    read = list(reader)
    report = reader.report
    # The last read missed id-009 (slid) and no longer lists id-001, id-002 (archived during reads 1, 2).
    assert listing.asked == {"id-001": "SKU-001", "id-002": "SKU-002", "id-009": "SKU-009"}
    assert (report.verified, report.left, report.missing) == (False, ["id-001", "id-002"], 0)
    assert set(listing.live) <= set(read)


def test_with_a_single_read_allowed_the_rows_that_slid_are_counted_as_missing():
    listing = Listing(9)
    listing.after[1] = listing.archive("id-001", "id-002")  # id-004, id-005 slide onto page 1 unread
    reader = listing.reader(max_reads=1, ask=True)
    read = list(reader)
    assert {"id-004", "id-005"}.isdisjoint(read)
    assert (reader.report.reads, reader.report.verified, reader.report.missing) == (1, False, 2)
    assert not hasattr(listing, "asked")  # no earlier read to ask about


def test_one_page_is_a_snapshot_and_needs_no_second_read():
    listing = Listing(3, page_size=5)
    listing.after[1] = listing.archive("id-002")  # after the only page: nothing slid anywhere
    reader = listing.reader()
    assert list(reader) == ["id-001", "id-002", "id-003"]
    assert (reader.report.reads, reader.report.verified) == (1, True)


def test_an_uncounted_listing_is_deduplicated_but_not_checked():
    listing = Listing(7)
    listing.after[1] = listing.insert(0, "id-new")
    reader = listing.reader(counted=False)
    read = list(reader)
    assert read.count("id-003") == 1 and listing.counts == 0
    assert (reader.report.reads, reader.report.verified, reader.report.duplicates) == (1, False, 1)


def test_max_reads_must_allow_a_read():
    with pytest.raises(ValueError):
        Listing(1).reader(max_reads=0)
