"""The run ledger: one typed result per record and step, the only carrier of record outcomes.

Every step appends `RecordResult`s through `record()`; the summary, the feedback file, the counts in
the logs and the link steps read them back through `RunLedger`. Layout in the run's staging folder:

    ledger/{step}-{chunk:05d}.jsonl     the results one step decided for one extract chunk
    ledger/structure-{chunk:05d}.jsonl  what the structure writer did per record (not deciding)
    ledger/run.jsonl                    written by feedback: every record's deciding result, named
    dry_run/diff-{chunk:05d}.csv        on a dry run, written by feedback: every change results carry

One file per step and chunk keeps parallel mapped tasks from writing the same file, and a retried
task replaces its own file whole (a retry never leaves half an attempt behind).
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum

import msgspec

from pimflow.csv_safety import neutralised_row


class Status(StrEnum):
    WRITTEN = "written"
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    REFUSED = "refused"
    WOULD_WRITE = "would_write"  # a dry run: what a real run would have written


WRITTEN = (Status.WRITTEN, Status.CREATED, Status.UPDATED)
FINAL = (*WRITTEN, Status.UNCHANGED, Status.SKIPPED, Status.REFUSED, Status.WOULD_WRITE)

#: which step's word counts when several steps reported on one record: linking (after the loads)
#: can refuse a loaded record or turn an unchanged one into updated; parents are written before the
#: loads, which leave them alone.
PRECEDENCE = ("link", "transform", "parents", "load")
#: HTTP statuses that say "try again later", never "your data is wrong"
TRANSIENT_STATUSES = frozenset({408, 425, 429})
#: not a deciding step: what the structure writer did for each record it touched, with its changes
#: (the link step's deciding results, under `link`, carry none)
STRUCTURE = "structure"
#: the steps whose changes make a dry run's diff, in the order a record's rows are listed
DIFF_STEPS = ("transform", "parents", "load", STRUCTURE)
NO_RESULT = "no_result"
FINAL_FILE = "run.jsonl"
DRY_RUN = "dry_run"


class Change(msgspec.Struct, frozen=True, omit_defaults=True, kw_only=True):
    """One field a write changes (or, on a dry run, would change): `action` is the target's word for
    it (create, update, delete, add, set_main, skip), `endpoint` the method that writes it; `old` and
    `new` are rendered as text (JSON for what is not a string)."""

    field: str
    old: str = ""
    new: str = ""
    action: str = ""
    endpoint: str = ""

    @classmethod
    def of(cls, field: str, old, new, action: str, endpoint: str | None = None) -> "Change":
        return cls(field=field, old=_text(old), new=_text(new), action=action, endpoint=endpoint or "")


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


DIFF_COLUMNS = ("sku", "field", "old", "new", "action", "endpoint")


class RecordResult(msgspec.Struct, frozen=True, omit_defaults=True, kw_only=True):
    """What one step decided for one record.

    `n` is the record's position in its extract chunk; `key` names it (SKU, identifier, model or
    category code, a feed line's identifier); `code` and `message` are the target API's (or, for a
    record refused before sending, pimflow's own); `target_id` is the target's id for it (a
    Linnworks StockItemId); `transient` marks a refusal that says nothing about the data (a 5xx, a
    lost answer, an exhausted quota); `changes` lists what the write changed field by field, where
    the target tells (a dry run's diff is read from them); `warnings` say what a person should know
    about a record that went through (a value changed on the way, e.g. rounded to 0): the feedback
    file lists such records whatever its `include`.
    """

    n: int
    status: Status
    key: str = ""
    code: str = ""
    message: str = ""
    target_id: str = ""
    transient: bool = False
    step: str = ""
    chunk: int = -1
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def refused(cls, n: int, code: str, message: str, *, key: str = "", transient: bool = False) -> "RecordResult":
        return cls(n=n, status=Status.REFUSED, code=code or "", message=message or "", key=key, transient=transient)

    @classmethod
    def would_write(cls, n: int, action: str = "", *, key: str = "") -> "RecordResult":
        """A dry run's outcome: `action` (create, update) says what a real run would have done."""
        message = f"not sent (dry run): would {action}" if action else "not sent (dry run)"
        return cls(n=n, status=Status.WOULD_WRITE, code=DRY_RUN, message=message, key=key)

    @property
    def is_refused(self) -> bool:
        return self.status is Status.REFUSED

    @property
    def is_written(self) -> bool:
        return self.status in WRITTEN

    @property
    def reached_target(self) -> bool:
        """Written, unchanged or (dry run) would be written: the target has (or would have) the record."""
        return self.status in (*WRITTEN, Status.UNCHANGED, Status.WOULD_WRITE)


def transient_status(status_code: int | None, sent: bool = True) -> bool:
    """An HTTP outcome worth trying again: a timeout, 429, any 5xx, or no answer to a sent request."""
    if status_code is None:
        return sent
    return status_code in TRANSIENT_STATUSES or 500 <= status_code <= 599


def counts(results: Iterable[RecordResult]) -> dict[str, int]:
    """Results per status, plus `written` (created + updated + written) when anything was written."""
    tally = Counter(result.status.value for result in results)
    written = sum(tally.get(status.value, 0) for status in WRITTEN)
    return {**tally, **({"written": written} if written else {})}


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(RecordResult)


def record(staging, step: str, chunk: int, results: Iterable[RecordResult],
           keys: Mapping[int, str] | None = None) -> list[RecordResult]:
    """Write what `step` decided for the records of extract chunk `chunk` (replacing an earlier
    attempt's file); `keys` names the records whose result does not. Returns the results as
    written, sorted by position."""
    keys = keys or {}
    stamped = sorted((msgspec.structs.replace(result, step=step, chunk=chunk,
                                              key=result.key or keys.get(result.n, ""))
                      for result in results), key=lambda result: result.n)
    with ledger_file(staging, step, chunk).open("wb") as handle:
        handle.write(_encoder.encode_lines(stamped))
    return stamped


def record_by_chunk(staging, step: str, results: Mapping[int, Iterable[RecordResult]]) -> None:
    """`record` for a step that decides across chunks (parents, link)."""
    for chunk, chunk_results in results.items():
        record(staging, step, chunk, chunk_results)


def write_final(staging, outcomes: Iterable[RecordResult]) -> None:
    """The run's account: every record's deciding result, with its key (what reports and a
    record's history read)."""
    with (staging.ledger_dir() / FINAL_FILE).open("wb") as handle:
        handle.write(_encoder.encode_lines(outcomes))


def read_final(staging) -> list[RecordResult]:
    return list(iter_results(staging.ledger_dir() / FINAL_FILE))


def iter_results(path) -> Iterator[RecordResult]:
    """The results of a ledger file, decoded one line at a time."""
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield _decoder.decode(line)


def ledger_file(staging, step: str, chunk: int):
    return staging.ledger_dir() / f"{step}-{chunk:05d}.jsonl"


def read(staging, step: str, chunk: int) -> list[RecordResult]:
    path = ledger_file(staging, step, chunk)
    return list(iter_results(path)) if path.exists() else []


class RunLedger:
    """The run's results read back: per chunk, the deciding result of each record (see PRECEDENCE)."""

    def __init__(self, staging, steps: tuple[str, ...] = PRECEDENCE):
        self.staging = staging
        self.steps = steps

    def decided(self, chunk: int) -> dict[int, RecordResult]:
        """The deciding result of each record, with the warnings of every step that gave one."""
        decided: dict[int, RecordResult] = {}
        warnings: dict[int, dict[str, None]] = {}
        for step in self.steps:
            for result in read(self.staging, step, chunk):
                decided.setdefault(result.n, result)
                if result.warnings:
                    warnings.setdefault(result.n, {}).update(dict.fromkeys(result.warnings))
        for n, said in warnings.items():
            if decided[n].warnings != tuple(said):
                decided[n] = msgspec.structs.replace(decided[n], warnings=tuple(said))
        return decided

    def write_diff(self, chunk: int, keys: Mapping[int, str] | None = None) -> int:
        """A dry run's diff for the chunk (`dry_run/diff-{chunk}.csv`, DIFF_COLUMNS), read from the
        changes the results of DIFF_STEPS carry: records in position order, each record's changes in
        step order (its item, then its structure). Returns the rows written; no file when none."""
        keys = keys or {}
        results = sorted((result for step in DIFF_STEPS for result in read(self.staging, step, chunk)),
                         key=lambda result: result.n)  # stable: a record's steps stay in DIFF_STEPS order
        rows = [(result.key or keys.get(result.n, ""), change.field, change.old, change.new, change.action,
                 change.endpoint) for result in results for change in result.changes]
        if rows:
            with self.staging.dry_run(f"diff-{chunk:05d}.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(DIFF_COLUMNS)
                writer.writerows(neutralised_row(row) for row in rows)  # for people: no formula cells
        return len(rows)

    def outcomes(self, chunk: int, positions: Iterable[int], keys: Mapping[int, str] | None = None
                 ) -> list[RecordResult]:
        """One result for every record of the chunk, in position order: a record no step reported on
        gets a `no_result` refusal, so it is flagged, never dropped; empty keys are filled from `keys`."""
        decided = self.decided(chunk)
        keys = keys or {}
        outcomes = []
        for n in sorted(positions):
            result = decided.get(n) or RecordResult(
                n=n, status=Status.REFUSED, code=NO_RESULT, message="no step reported a result for this record",
                step="feedback", chunk=chunk)
            if not result.key and keys.get(n):
                result = msgspec.structs.replace(result, key=keys[n])
            outcomes.append(result)
        return outcomes
