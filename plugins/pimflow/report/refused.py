"""The refused records of a run, for the report's table: read once, then filtered, sorted and paged.

They come from the run's final ledger (`ledger/run.jsonl`, every record's deciding result, written by
`feedback`: see `pimflow.ledger`). A run may refuse 100,000 records, so the file is decoded line by
line and only the refusals are kept (`ledger.read_final` would hold every record's result at once),
and the browser only ever gets one page. The refusals of the last few runs asked for stay in memory,
keyed by the file's size and modification stamp, so paging and filtering do not read it again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from pimflow import ledger
from pimflow.ledger import RecordResult, Status
from pimflow.report.store import RunFolder, not_found, reading

#: Runs whose refusals stay in memory (a run of 100,000 refusals holds some tens of megabytes).
CACHED_RUNS = 4
MAX_PAGE = 500
DEFAULT_PAGE = 50
Kind = Literal["all", "data", "transient"]
#: What the table sorts by; `-name` sorts descending. `position` is the run's own order.
SORTS = ("position", "key", "code", "message", "step", "kind")

@dataclass(frozen=True)
class Refusal:
    """One refused record as the report shows it."""

    chunk: int
    n: int
    key: str
    code: str
    message: str
    transient: bool
    step: str

    @property
    def kind(self) -> str:
        return "transient" if self.transient else "data"

    def to_dict(self) -> dict:
        return {"key": self.key, "code": self.code, "message": self.message, "transient": self.transient,
                "kind": self.kind, "step": self.step, "chunk": self.chunk, "n": self.n}

    @classmethod
    def of(cls, result: RecordResult) -> "Refusal":
        key = result.key or f"record {result.n + 1} of chunk {result.chunk + 1}"  # as the run's log names it
        return cls(result.chunk, result.n, key, result.code, result.message, result.transient, result.step)


@dataclass(frozen=True)
class Page:
    total: int  # refused in the run
    matched: int  # refused records the filter keeps
    offset: int
    limit: int
    items: list[Refusal]
    codes: dict[str, int]  # every refusal code of the run, with its count (for the filter)

    def to_dict(self) -> dict:
        return {"total": self.total, "matched": self.matched, "offset": self.offset, "limit": self.limit,
                "items": [item.to_dict() for item in self.items], "codes": self.codes}


class RefusalCache:
    """The refusals of the last CACHED_RUNS runs read (thread-safe: routes run in worker threads)."""

    def __init__(self, size: int = CACHED_RUNS):
        self.size = size
        self._entries: OrderedDict[tuple, list[Refusal]] = OrderedDict()
        self._lock = threading.Lock()

    def refusals(self, run: RunFolder) -> list[Refusal]:
        path = run.root / "ledger" / ledger.FINAL_FILE
        with reading(f"the ledger of run {run.run_id}"):
            if not path.is_file():
                raise not_found(f"run {run.run_id} of {run.dag_id} has no final ledger (ledger/{ledger.FINAL_FILE}): "
                                f"its `feedback` task did not finish writing it")
            stat = path.stat()
            stamp = (str(path), stat.get("size"), stat.get("ETag") or stat.get("mtime") or str(stat.get("LastModified")))
            with self._lock:
                if stamp in self._entries:
                    self._entries.move_to_end(stamp)
                    return self._entries[stamp]
            found = read_refusals(path)
        with self._lock:
            self._entries[stamp] = found
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found


def read_refusals(path) -> list[Refusal]:
    """The refused records of a final ledger file, in the run's order, decoded line by line."""
    return [Refusal.of(result) for result in ledger.iter_results(path) if result.status is Status.REFUSED]


def page(refusals: list[Refusal], text: str = "", kind: Kind = "all", code: str = "", sort: str = "position",
         offset: int = 0, limit: int = DEFAULT_PAGE) -> Page:
    """One page of the refusals that contain `text` (in key, code or message, any case), are of
    `kind` (data, transient) and have `code` when given, in `sort` order."""
    needle = text.strip().casefold()
    kept = [item for item in refusals
            if (kind == "all" or item.kind == kind) and (not code or item.code == code)
            and (not needle or needle in item.key.casefold() or needle in item.code.casefold()
                 or needle in item.message.casefold())]
    field, descending = sort.lstrip("-"), sort.startswith("-")
    if field not in SORTS:
        raise ValueError(f"sort: {sort!r} is not one of {', '.join(SORTS)} (a leading '-' sorts descending)")
    if field != "position":
        kept.sort(key=lambda item: (_sort_key(item, field), item.chunk, item.n), reverse=descending)
    elif descending:
        kept.reverse()
    codes: dict[str, int] = {}
    for item in refusals:
        codes[item.code] = codes.get(item.code, 0) + 1
    return Page(len(refusals), len(kept), offset, limit, kept[offset:offset + limit], dict(sorted(codes.items())))


def _sort_key(item: Refusal, field: str) -> str:
    value = getattr(item, field)
    return value.casefold() if isinstance(value, str) else value
