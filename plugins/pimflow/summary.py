"""The run summary and the feedback file, shared by every target.

Both are read from the run ledger (`pimflow.ledger`) and the records as they came in
(`pimflow.originals`), nothing else: each input record was written, left unchanged, skipped or
refused, and a record no step reported on is flagged as `no_result`, never dropped. The feedback
file lists the refused records (or all, with `include: all`) and every record with a warning, whose
message column then carries `warning: ...`.
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
    warned: int = 0  # records with a warning (in the feedback file whatever its `include`)
    feedback: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(self.statuses.get(s.value, 0) for s in WRITTEN)

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

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(written=self.written, refused=self.refused)
        return data

    def lines(self) -> list[str]:
        s = self.statuses
        lines = [
            f"pimflow run summary: {self.dag_id} / {self.run_id}{' (dry run)' if self.dry_run else ''}",
            f"  window     {self.window}",
            f"  read       {self.read}",
            f"  written    {self.written} (created {s.get('created', 0)}, updated {s.get('updated', 0)})",
            *([f"  would write {s.get('would_write', 0)} (dry run: nothing sent)"] if self.dry_run else []),
            f"  unchanged  {s.get('unchanged', 0)}",
            f"  skipped    {s.get('skipped', 0)}",
            f"  refused    {self.refused} (before sending {self.refused_before_sending}, "
            f"by the target {self.refused - self.refused_before_sending}; "
            f"transient {self.refused_transient}, data {self.refused - self.refused_transient})",
        ]
        if self.warned:
            lines.append(f"  warnings   {self.warned} record(s) with a warning: see the feedback file")
        if self.carried_in or self.carried_over:
            lines.append(f"  carry-over {self.carried_in} refused transiently before, selected again; "
                         f"{self.carried_over} refused transiently now, selected by the next run")
        for key, value in self.extra.items():
            lines.append(f"  {key:<10} {value}")
        lines.append(f"  feedback   {self.feedback}")
        return lines


def gather_feedback(ctx, dialect: Dialect | None, feedback_columns: tuple[str, str], chunks: list[dict],
                    summary: RunSummary):
    """Write the feedback file (original record + code + message) and fill the summary's counts."""
    include_all = ctx.profile.feedback.include == "all"
    beside_source = ctx.profile.feedback.beside_source
    code_column, message_column = feedback_columns
    dialect = dialect or Dialect()
    run_ledger = RunLedger(ctx.staging)
    header_names: dict[str, None] = {}
    entries: list[tuple[list[str], list[str], RecordResult]] = []
    by_origin: dict[str, tuple[list[str], list]] = {}
    statuses: Counter = Counter()
    final: list[RecordResult] = []
    for chunk in chunks:
        originals = read_originals(ctx.staging, chunk["index"])
        if originals.origin and beside_source:  # every file gets one, even when all went well
            by_origin.setdefault(originals.origin, (originals.header, []))
        header_names.update(dict.fromkeys(originals.header))  # every chunk's columns, in order, once
        if ctx.params.dry_run:
            run_ledger.write_diff(chunk["index"], originals.keys())
        for result in run_ledger.outcomes(chunk["index"], originals.lines, originals.keys()):
            final.append(result)
            statuses[result.status.value] += 1
            if result.is_refused:
                summary.refused_before_sending += result.step == "transform"  # never sent
                summary.refused_transient += result.transient
            summary.warned += bool(result.warnings)
            if include_all or result.is_refused or result.warnings:
                entries.append((originals.header, originals.lines[result.n], result))
                if originals.origin and beside_source:
                    by_origin[originals.origin][1].append(entries[-1])
    header = list(header_names)
    summary.statuses = dict(statuses)
    ledger.write_final(ctx.staging, final)
    if summary.accounted != summary.read:
        ctx.log.warning("%d record(s) read but %d accounted for", summary.read, summary.accounted)

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
        origin_columns = [*origin_header, *columns[len(header):]]
        _write_feedback(beside, origin_columns, origin_entries, include_all, dialect)
        ctx.log.info("feedback for %s also written beside it: %s", source_file.name, beside)
    for original_header, values, result in [entry for entry in entries if entry[2].is_refused][:5]:
        ctx.log.info("refused: %s → %s %s", _shown_record(original_header, values), result.code, result.message)
    for original_header, values, result in [entry for entry in entries if entry[2].warnings][:5]:
        ctx.log.warning("warning: %s → %s", _shown_record(original_header, values), "; ".join(result.warnings))
    return path


def _shown_record(header: list[str], values: list[str], most: int = 10, longest: int = 200) -> str:
    """A record for the log: its first non-empty cells, each cut short (a feed may have 100,000
    columns or a megabyte cell; the feedback file has the whole line)."""
    cells = [(name, value) for name, value in zip(header, values) if value]
    shown = {name: value if len(value) <= longest else f"{value[:longest]}... ({len(value):,} characters)"
             for name, value in cells[:most]}
    return f"{shown}" + (f" and {len(cells) - most:,} more cell(s)" if len(cells) > most else "")


def _write_feedback(path, columns, entries, include_all, dialect: Dialect) -> None:
    """A feedback file is for people: no cell (header included) starts a spreadsheet formula."""
    with path.open("w", encoding=dialect.encoding, newline="") as handle:
        writer = FeedWriter(handle, neutralised_row(columns), dialect)
        for original_header, values, result in entries:
            row = dict(zip(original_header, values))
            if include_all:
                row["status"] = result.status.value
            row[columns[-2]] = result.code
            row[columns[-1]] = "; ".join([*([result.message] if result.message else []),
                                          *(f"warning: {warning}" for warning in result.warnings)])
            writer.write(neutralised_row(row.get(name, "") for name in columns))
