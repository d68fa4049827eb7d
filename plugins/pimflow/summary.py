"""The run summary and the feedback file, shared by every target.

Both are read from the run ledger (`pimflow.ledger`) and the records as they came in
(`pimflow.originals`), nothing else: each input record was written, left unchanged, skipped or
refused, and a record no step reported on is flagged as `no_result`, never dropped. The feedback
file lists the refused records (or all, with `include: all`) and every record with a warning, whose
message column then carries `warning: ...`. Identifiers
asked for in the trigger form that the source does not have are no records: the summary lists them
and the feedback file gives each a `not_found` line (they are outside the ledger's accounting).

The log is for a person: the summary lines, then each refused record as `KEY — code — message` at
WARNING (the first `LOGGED_RECORDS`, then how many more and where they are), the skipped ones with
their reason, the identifiers not found, and the records with a warning. The run's note is
`RunSummary.line()`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from pimflow import ledger
from pimflow.csv_safety import neutralised_row
from pimflow.ledger import FINAL, WRITTEN, RecordResult, RunLedger, Status
from pimflow.originals import read_originals
from pimflow.paths import contained_storage_path
from pimflow.staging import as_storage_path
from pimflow.window import Window
from productsup.feed import Dialect, FeedWriter

#: Refused (and skipped) records logged one per line; the others are counted, and in the feedback file.
LOGGED_RECORDS = 20
#: A logged message longer than this is cut (the feedback file has it whole).
LOGGED_MESSAGE_CHARS = 300
NOT_FOUND = "not_found"
NOT_FOUND_MESSAGE = "not found in the source (an identifier from the trigger form)"
TARGET_NAMES = {"feed": "the feed", "akeneo": "Akeneo", "linnworks": "Linnworks"}


@dataclass
class RunSummary:
    dag_id: str
    run_id: str
    window: str
    dry_run: bool
    read: int = 0
    statuses: dict = field(default_factory=dict)
    refused_before_sending: int = 0
    refused_transient: int = 0  # worth another try (5xx, lost answer, quota); the rest are data refusals
    carried_in: int = 0  # records earlier runs refused transiently, selected again (`pimflow.carry_over`)
    carried_over: int = 0  # records refused transiently, kept for the next run (0 on a dry run)
    feedback: str | None = None
    extra: dict = field(default_factory=dict)
    warned: int = 0  # records with a warning (in the feedback file whatever its `include`)
    not_found: list = field(default_factory=list)  # identifiers from the trigger form the source lacks
    skipped_reasons: dict = field(default_factory=dict)  # code -> [count, the first record's message]
    # [key, code, message cut to LOGGED_MESSAGE_CHARS] of the first LOGGED_RECORDS (the summary is XCom too)
    first_refused: list = field(default_factory=list)
    first_skipped: list = field(default_factory=list)
    dry_run_output: str | None = None  # where a dry run put what a real run would write
    dry_run_files: list = field(default_factory=list)  # the first LOGGED_RECORDS of its files' names
    dry_run_file_count: int = 0
    threshold: str | None = None  # why the run failed its error threshold, and what that means
    threshold_outcome: str | None = None  # the same in a few words, for the run's note
    # a run started by Akeneo's events: {"events", "handled" (identifiers read), "deleted", "not_read"}
    events: dict = field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(self.statuses.get(s.value, 0) for s in WRITTEN)

    @property
    def would_write(self) -> int:
        """A dry run's would-be writes (nothing written on a dry run counts as written)."""
        return self.statuses.get(Status.WOULD_WRITE.value, 0) + (self.written if self.dry_run else 0)

    @property
    def refused(self) -> int:
        return self.statuses.get(Status.REFUSED.value, 0)

    @property
    def accounted(self) -> int:
        return sum(self.statuses.get(s.value, 0) for s in FINAL)

    @classmethod
    def start(cls, ctx, window: Window, read: int) -> "RunSummary":
        return cls(ctx.dag_id, ctx.run_id, window.describe(), ctx.params.dry_run, read=read)

    def threshold_failure(self, policy) -> str | None:
        if policy.max_errors is not None and self.refused > policy.max_errors:
            return f"{self.refused} record(s) refused, more than max_errors={policy.max_errors}"
        if self.read and self.refused / self.read > policy.max_error_rate:
            return (f"{self.refused} of {self.read} record(s) refused ({self.refused / self.read:.1%}), "
                    f"more than max_error_rate={policy.max_error_rate:.1%}")
        return None

    def conclude(self, ctx, failure: str | None) -> None:
        """What the run's end means: the threshold's consequence for this target (`failure`: why the
        threshold was crossed), and on a dry run where the would-be output is."""
        if failure is not None:
            self.threshold = threshold_message(failure, ctx.profile.target.kind, self)
            self.threshold_outcome = threshold_outcome(ctx.profile.target.kind, self)
        if self.dry_run:
            folder = ctx.staging.root / "dry_run"
            if folder.exists():
                self.dry_run_output = str(folder)
                names = sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))
                self.dry_run_files, self.dry_run_file_count = names[:LOGGED_RECORDS], len(names)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(written=self.written, refused=self.refused, line=self.line())
        return data

    def lines(self) -> list[str]:
        s = self.statuses
        if self.dry_run:
            written = [f"  would write {self.would_write} (dry run: nothing sent)"]
        else:
            written = [f"  written    {self.written} (created {s.get('created', 0)}, updated {s.get('updated', 0)})"]
        lines = [
            f"pimflow run summary: {self.dag_id} / {self.run_id}{' (dry run)' if self.dry_run else ''}",
            f"  window     {self.window}",
            f"  read       {self.read}",
            *written,
            f"  unchanged  {s.get('unchanged', 0)}",
            f"  skipped    {s.get('skipped', 0)}{self._skipped_why()}",
            f"  refused    {self.refused} (before sending {self.refused_before_sending}, "
            f"by the target {self.refused - self.refused_before_sending}; "
            f"transient {self.refused_transient}, data {self.refused - self.refused_transient})",
        ]
        if self.warned:
            lines.append(f"  warnings   {self.warned} record(s) with a warning: see the feedback file")
        if self.not_found:
            lines.append(f"  not found  {len(self.not_found)}: {_some(self.not_found)} "
                         "(identifiers from the trigger form that the source does not have)")
        if self.events:
            lines.append(f"  events     {self.events_text()}")
        if self.carried_in or self.carried_over:
            lines.append(f"  carry-over {self.carried_in} refused transiently before, selected again; "
                         f"{self.carried_over} refused transiently now, selected by the next run")
        for key, value in self.extra.items():
            lines.append(f"  {key:<10} {value}")
        if self.dry_run:
            where = (f"what a real run would write is in {self.dry_run_output}"
                     + (f" ({_some(self.dry_run_files, total=self.dry_run_file_count)})" if self.dry_run_files else "")
                     if self.dry_run_output else "nothing would be written")
            lines.append(f"  dry run    nothing was sent to the target; {where}")
        lines.append(f"  feedback   {self.feedback}")
        if self.threshold:
            lines.append(f"  FAILED     {self.threshold}")
        return lines

    def events_text(self) -> str:
        """An events run in words: how many events, the identifiers read, what was named but not read."""
        events = self.events
        handled, deleted, not_read = (events.get(name) or [] for name in ("handled", "deleted", "not_read"))
        text = f"{events.get('events', 0)} Akeneo event(s); handled {len(handled)}"
        text += f": {_some(handled)}" if handled else ""
        if deleted:
            text += f"; deleted in Akeneo {len(deleted)}: {_some(deleted)}"
        if not_read:
            text += f"; not read {len(not_read)}: {_some(not_read)} (deleted since, or outside the profile's selection)"
        return text

    def _skipped_why(self) -> str:
        if not self.skipped_reasons:
            return ""
        return " (" + "; ".join(f"{count} {code}: {message}" if message else f"{count} {code}"
                                for code, (count, message) in self.skipped_reasons.items()) + ")"

    def line(self) -> str:
        """The run in one line (the run's note): `read 7 · written 3 · unchanged 1 · refused 3 (2 data,
        1 transient) · dry run`; counts that are 0 are left out, but read and written."""
        s = self.statuses
        parts = [f"read {self.read}",
                 f"would write {self.would_write}" if self.dry_run else f"written {self.written}"]
        parts += [f"{name} {s[name]}" for name in ("unchanged", "skipped") if s.get(name)]
        if self.refused:
            data = self.refused - self.refused_transient
            split = ", ".join(part for part in (f"{data} data" if data else "",
                                                f"{self.refused_transient} transient" if self.refused_transient else "")
                              if part)
            parts.append(f"refused {self.refused} ({split})")
        if self.not_found:
            parts.append(f"not found {len(self.not_found)}")
        if self.events:
            parts.append(f"events {self.events.get('events', 0)}")
        if self.dry_run:
            parts.append("dry run")
        if self.threshold:
            parts.append(f"failed: error threshold crossed, {self.threshold_outcome}")
        return " · ".join(parts)

    def log(self, log) -> None:
        """The summary for a person reading the `feedback` task's log."""
        for line in self.lines():
            log.info(line)
        for key, code, message in self.first_refused:
            log.warning("%s — %s — %s", key, code, message)
        more = self.refused - len(self.first_refused)
        if more > 0:
            log.warning("… and %d more refused: see the feedback file %s", more, self.feedback)
        elif self.refused:
            log.warning("the refused records are in the feedback file %s", self.feedback)
        if self.not_found:
            log.warning("not found: %s — identifiers from the trigger form that the source does not have "
                        "(not_found lines in the feedback file %s)", ", ".join(self.not_found), self.feedback)
        for key, code, message in self.first_skipped:
            log.info("skipped: %s — %s — %s", key, code, message)
        more = self.statuses.get(Status.SKIPPED.value, 0) - len(self.first_skipped)
        if more > 0:
            log.info("… and %d more skipped (with their reason above)", more)


def threshold_message(failure: str, target_kind: str, summary: RunSummary) -> str:
    """Why the run fails, and what has happened to the target by then (true for each target): a feed
    is published at the end, so it was not; Akeneo and Linnworks were written chunk by chunk."""
    where = f"the refused records are in the feedback file {summary.feedback}"
    if summary.dry_run:
        return f"{failure}; a dry run: nothing was written; {where}"
    if target_kind == "feed":
        return f"{failure}; the output feed was not published; {where}"
    target = TARGET_NAMES.get(target_kind, target_kind)
    return (f"{failure}; the loads had already written {summary.written} record(s) to {target} before the "
            f"threshold was checked (nothing is undone), and the run's window is not marked synced: the next "
            f"run reads these records again; {where}")


def threshold_outcome(target_kind: str, summary: RunSummary) -> str:
    """`threshold_message`'s consequence in a few words."""
    if summary.dry_run:
        return "nothing written"
    if target_kind == "feed":
        return "feed not published"
    return f"{summary.written} written to {TARGET_NAMES.get(target_kind, target_kind)} stay"


def _some(values: list, shown: int = LOGGED_RECORDS, total: int | None = None) -> str:
    """The first `shown` values, and how many more there are (of `total`, when `values` is a sample)."""
    total = max(len(values), total or 0)
    text = ", ".join(str(value) for value in values[:shown])
    return text + (f", … ({total - min(shown, len(values))} more)" if total > min(shown, len(values)) else "")


def _cut(message: str) -> str:
    message = " ".join(str(message).split())
    if len(message) <= LOGGED_MESSAGE_CHARS:
        return message
    return message[:LOGGED_MESSAGE_CHARS] + "… (whole in the feedback file)"


def gather_feedback(ctx, dialect: Dialect | None, feedback_columns: tuple[str, str], chunks: list[dict],
                    summary: RunSummary):
    """Write the feedback file (original record + code + message) and fill the summary's counts, the
    first refused and skipped records, the reasons for skipping and the identifiers not found.
    Returns where the feedback file went and the run's final results (the ledger's `run.jsonl`)."""
    include_all = ctx.profile.feedback.include == "all"
    beside_source = ctx.profile.feedback.beside_source
    code_column, message_column = feedback_columns
    dialect = dialect or Dialect()
    run_ledger = RunLedger(ctx.staging)
    header_names: dict[str, None] = {}
    key_column: str | None = None
    entries: list[Entry] = []
    by_origin: dict[str, tuple[list[str], list]] = {}
    statuses: Counter = Counter()
    final: list[RecordResult] = []
    found: set[str] = set()  # every key the run read, and the UUIDs of Akeneo's products
    for chunk in chunks:
        originals = read_originals(ctx.staging, chunk["index"])
        key_column = key_column or originals.key_column
        if originals.origin and beside_source:  # every file gets one, even when all went well
            by_origin.setdefault(originals.origin, (originals.header, []))
        header_names.update(dict.fromkeys(originals.header))  # every chunk's columns, in order, once
        if "uuid" in originals.header:
            at = originals.header.index("uuid")
            found.update(values[at].strip() for values in originals.lines.values() if at < len(values))
        if ctx.params.dry_run:
            run_ledger.write_diff(chunk["index"], originals.keys())
        for result in run_ledger.outcomes(chunk["index"], originals.lines, originals.keys()):
            final.append(result)
            statuses[result.status.value] += 1
            found.add(result.key.strip())
            if result.is_refused:
                summary.refused_before_sending += result.step == "transform"  # never sent
                summary.refused_transient += result.transient
                if len(summary.first_refused) < LOGGED_RECORDS:
                    summary.first_refused.append([_name(result), result.code, _cut(result.message)])
            elif result.status is Status.SKIPPED:
                reason = summary.skipped_reasons.setdefault(result.code or "no reason given", [0, _cut(result.message)])
                reason[0] += 1
                if len(summary.first_skipped) < LOGGED_RECORDS:
                    summary.first_skipped.append([_name(result), result.code or "-", _cut(result.message) or "-"])
            summary.warned += bool(result.warnings)
            if include_all or result.is_refused or result.warnings:
                message = "; ".join([*([result.message] if result.message else []),
                                     *(f"warning: {warning}" for warning in result.warnings)])
                entries.append(Entry(originals.header, originals.lines[result.n], result.status.value,
                                     result.code, message))
                if originals.origin and beside_source:
                    by_origin[originals.origin][1].append(entries[-1])
    header = list(header_names)
    summary.statuses = dict(statuses)
    ledger.write_final(ctx.staging, final)
    for result in [result for result in final if result.warnings][:LOGGED_RECORDS]:
        ctx.log.warning("%s — warning — %s", _name(result), _cut("; ".join(result.warnings)))
    if summary.accounted != summary.read:
        ctx.log.warning("%d record(s) read but %d accounted for", summary.read, summary.accounted)
    window = ctx.window
    if window is not None and window.mode == "manual":
        summary.not_found = [key for key in window.identifiers if key.strip() not in found]
    if summary.not_found:
        if key_column is None:
            from pimflow.kinds import source_kind

            key_column = source_kind(ctx.profile).key_column(ctx, header)
        key_column = key_column or "identifier"
        if key_column not in header:
            header.insert(0, key_column)
        entries += [Entry([key_column], [key], NOT_FOUND, NOT_FOUND, NOT_FOUND_MESSAGE) for key in summary.not_found]

    columns = [*header, *(["status"] if include_all else []), code_column, message_column]
    path = ctx.staging.feedback
    _write_feedback(path, columns, entries, include_all, dialect)
    if ctx.profile.feedback.path:
        extra = contained_storage_path(ctx.profile.feedback.path.format(**ctx.template_vars), ctx.profile_dir)
        extra.parent.mkdir(parents=True, exist_ok=True)
        _write_feedback(extra, columns, entries, include_all, dialect)
        path = extra
    for origin, (origin_header, origin_entries) in by_origin.items():
        source_file = as_storage_path(origin)
        beside = source_file.parent / f"{source_file.stem}.feedback.csv"
        origin_columns = [*origin_header, *columns[-(2 + include_all):]]
        _write_feedback(beside, origin_columns, origin_entries, include_all, dialect)
        ctx.log.info("feedback for %s also written beside it: %s", source_file.name, beside)
    return path, final


@dataclass(frozen=True)
class Entry:
    """One line of a feedback file: the record as it came in, and what became of it."""

    header: list
    values: list
    status: str
    code: str
    message: str


def _name(result: RecordResult) -> str:
    """How a person finds the record: its key, or its place in the run."""
    return result.key or f"record {result.n + 1} of chunk {result.chunk + 1}"


def _write_feedback(path, columns, entries: list[Entry], include_all, dialect: Dialect) -> None:
    """A feedback file is for people: no cell (header included) starts a spreadsheet formula."""
    with path.open("w", encoding=dialect.encoding, newline="") as handle:
        writer = FeedWriter(handle, neutralised_row(columns), dialect)
        for entry in entries:
            row = dict(zip(entry.header, entry.values))
            if include_all:
                row["status"] = entry.status
            row[columns[-2]] = entry.code
            row[columns[-1]] = entry.message
            writer.write(neutralised_row(row.get(name, "") for name in columns))
