"""Page-numbered listings that may change while they are read: check each read, read again if it moved.

Linnworks lists stock items by page number only: GetStockItemsFull takes a keyword, two filters,
`entriesPerPage`, `pageNumber`, `dataRequirements` and `searchTypes`, with no documented order, key
or cursor to resume from. Items archived, deleted or added while the pages are read shift every later
page: rows slide back over a page boundary and are never listed (left shift), or forward and are
listed twice (right shift).

So a read is checked. Its rows are de-duplicated by a stable key (StockItemId), and it is trusted
when all its rows came in one answer (no page boundary to slide over), or when the listing's size
counted just before the read equals the rows it listed and no row was listed twice. Otherwise the
whole listing is read again, up to `max_reads` times; each key is yielded once, the first time it
is read. What a read could not settle is in `PagedListing.report`:

- `left`: keys an earlier read yielded that the listing no longer holds (archived or deleted
  meanwhile; a caller that wants the listing as it now is drops them);
- `missing`: when no read could be trusted, how many records counted before the last read it did not
  list and no earlier read holds either (at most; nobody can name them, the listing has no stable
  order to find them by). Records an earlier read yielded that the last did not list are asked for
  by name (`still_listed`): those gone are `left`, those still listed are not missing.

What this cannot see: within one read, removals exactly offset by additions listed after the
read's position leave the count and the rows equal, and a row that slid over a boundary is missed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_READS = 3


@dataclass
class ListingReport:
    """What reading a paged listing found; complete once the listing has been iterated."""

    reads: int = 0  # passes over the listing (1 when nothing moved)
    counted: int | None = None  # the listing's size counted before the last read (None: not counted)
    listed: int = 0  # distinct records the last read listed
    duplicates: int = 0  # rows listed twice within a read (dropped)
    yielded: int = 0  # distinct records handed out over all reads
    verified: bool = False  # the last read is known to hold the whole listing
    left: list[str] = field(default_factory=list)  # yielded by an earlier read, no longer listed
    missing: int = 0  # at most this many counted records no read listed (only when not verified)


class PagedListing(Generic[T]):
    """Iterate once: every record of a page-numbered listing, each key once, checked as described above.

    `fetch_page(n)` answers page n (1-based) as a list of rows, or None past the end; `count()`
    answers the listing's current size under the same filters (None: the size cannot be counted, so
    a read of several pages is de-duplicated but not checked); `key(row)` names a row stably;
    `parse(row)` makes the record yielded. When no read could be trusted, `still_listed({key: name})`
    answers which records, read earlier but not by the last read, the listing still holds (`name(row)`
    names a row for it, e.g. its SKU): the others left it, the rest count against what is missing.
    """

    def __init__(self, fetch_page: Callable[[int], list[dict] | None], page_size: int,
                 key: Callable[[dict], str], parse: Callable[[dict], T], count: Callable[[], int] | None = None,
                 max_reads: int = MAX_READS, what: str = "listing", name: Callable[[dict], str | None] | None = None,
                 still_listed: Callable[[dict[str, str]], set[str]] | None = None):
        if max_reads < 1:
            raise ValueError("max_reads must be at least 1")
        self._fetch_page, self._page_size, self._count = fetch_page, page_size, count
        self._key, self._parse, self._max_reads, self.what = key, parse, max_reads, what
        self._name, self._still_listed = name or (lambda row: None), still_listed
        self.report = ListingReport()

    def __iter__(self) -> Iterator[T]:
        report, yielded = self.report, {}  # key -> name, in the order read
        while True:
            report.reads += 1
            report.counted = self._count() if self._count is not None else None
            keys, rows, pages = set(), 0, 0
            for page in self._pages():
                pages += 1
                for row in page:
                    rows += 1
                    key = self._key(row)
                    if key in keys:
                        report.duplicates += 1
                        continue
                    keys.add(key)
                    if key not in yielded:
                        yielded[key] = self._name(row)
                        yield self._parse(row)
            report.listed, report.yielded = len(keys), len(yielded)
            if pages <= 1 or report.counted is None:
                # One answer is a snapshot: nothing can slide over a boundary. Uncounted: cannot tell.
                report.verified = pages <= 1
                break
            if rows == len(keys) == report.counted:
                report.verified = True
                break
            if report.reads >= self._max_reads:
                self._settle_unverified(yielded, keys)
                log.warning("%s: still changing after %d reads (last: %d counted before it, %d rows listed, "
                            "%d distinct); %s", self.what, report.reads, report.counted, rows, len(keys),
                            f"up to {report.missing} record(s) could not be read" if report.missing else
                            "what the last read missed, earlier reads had read")
                break
            log.warning("%s changed while it was read (%d counted before the read, %d rows listed, %d distinct): "
                        "reading it again (%d of at most %d reads)", self.what, report.counted, rows, len(keys),
                        report.reads + 1, self._max_reads)
        if report.verified and report.reads > 1:
            report.left = [key for key in yielded if key not in keys]
        if report.left:
            log.info("%s: %d record(s) read earlier left the listing meanwhile (archived or deleted)",
                     self.what, len(report.left))

    def _settle_unverified(self, yielded: dict[str, str | None], keys: set[str]) -> None:
        """No read could be trusted. The last one missed `counted - listed` records at most; records an
        earlier read yielded that it did not list are either among them (still listed now) or gone: ask."""
        report, earlier = self.report, {key: name for key, name in yielded.items() if key not in keys}
        live: set[str] = set()
        if earlier and self._still_listed is not None:
            named = {key: name for key, name in earlier.items() if name}
            live = self._still_listed(named) | {key for key, name in earlier.items() if not name}
            report.left = [key for key in earlier if key not in live]
        report.missing = max(0, report.counted - len(keys) - len(live))

    def _pages(self) -> Iterator[list[dict]]:
        number = 1
        while True:
            page = self._fetch_page(number)
            if not page:
                return
            yield page
            if len(page) < self._page_size:
                return
            number += 1
