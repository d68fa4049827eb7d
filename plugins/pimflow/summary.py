"""The run summary and the feedback file, shared by every target.

Counts come from the per-record result files, so they prove that each input record was written,
left unchanged, skipped or refused: a record with no result is reported, never dropped.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from pimflow.staging import as_storage_path, read_jsonl
from pimflow.window import Window
from productsup.feed import Dialect, FeedWriter

WRITTEN = ("written", "created", "updated")
FINAL_STATUSES = (*WRITTEN, "unchanged", "skipped", "refused")
#: the result files of a chunk, the first result for a record wins: linking (after the loads) can
#: refuse a loaded record; parents are written before the loads, which leave them alone.
RESULT_STEPS = ("link", "transform", "parents", "load")


@dataclass
class RunSummary:
    dag_id: str
    run_id: str
    window: str
    dry_run: bool
    read: int = 0
    statuses: dict = field(default_factory=dict)
    refused_before_sending: int = 0
    feedback: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def written(self) -> int:
        return sum(self.statuses.get(s, 0) for s in WRITTEN)

    @property
    def refused(self) -> int:
        return self.statuses.get("refused", 0)

    @property
    def accounted(self) -> int:
        return sum(self.statuses.get(s, 0) for s in FINAL_STATUSES)

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
            f"  unchanged  {s.get('unchanged', 0)}",
            f"  skipped    {s.get('skipped', 0)}",
            f"  refused    {self.refused} (before sending {self.refused_before_sending}, "
            f"by the target {self.refused - self.refused_before_sending})",
        ]
        for key, value in self.extra.items():
            lines.append(f"  {key:<10} {value}")
        lines.append(f"  feedback   {self.feedback}")
        return lines


def gather_feedback(ctx, source, target, chunks: list[dict], summary: RunSummary):
    """Write the feedback file (original record + code + message) and fill the summary's counts."""
    include_all = ctx.profile.feedback.include == "all"
    code_column, message_column = target.feedback_columns
    dialect = source.feedback_dialect() or Dialect()
    header: list[str] = []
    entries: list[tuple[list[str], list[str], dict]] = []
    by_origin: dict[str, tuple[list[str], list]] = {}
    statuses: Counter = Counter()
    for chunk in chunks:
        index = chunk["index"]
        decided: dict[int, dict] = {}
        for step in RESULT_STEPS:
            path = ctx.staging.results(step, index)
            if path.exists():
                for result in read_jsonl(path):
                    decided.setdefault(result["n"], {**result, "step": step})
        read = source.read_chunk(ctx, chunk)
        if read.origin and ctx.profile.feedback.beside_source:  # every file gets one, even when all went well
            by_origin.setdefault(read.origin, (read.original_header, []))
        for name in read.original_header:
            if name not in header:
                header.append(name)
        for n in sorted(read.originals):
            result = decided.get(n) or {"status": "refused", "code": "no_result",
                                        "message": "no step reported a result for this record", "step": "feedback"}
            statuses[result["status"]] += 1
            if result["status"] == "refused" and result["step"] == "transform":  # never sent
                summary.refused_before_sending += 1
            if include_all or result["status"] == "refused":
                entries.append((read.original_header, read.originals[n], result))
                if read.origin and ctx.profile.feedback.beside_source:
                    by_origin.setdefault(read.origin, (read.original_header, []))[1].append(entries[-1])
    summary.statuses = dict(statuses)
    if summary.accounted != summary.read:
        ctx.log.warning("%d record(s) read but %d accounted for", summary.read, summary.accounted)

    columns = [*header, *(["status"] if include_all else []), code_column, message_column]
    path = ctx.staging.feedback
    _write_feedback(path, columns, entries, include_all, dialect)
    if ctx.profile.feedback.path:
        extra = as_storage_path(ctx.profile.feedback.path.format(**ctx.template_vars), relative_to=ctx.profile_dir)
        extra.parent.mkdir(parents=True, exist_ok=True)
        _write_feedback(extra, columns, entries, include_all, dialect)
        path = extra
    for origin, (origin_header, origin_entries) in by_origin.items():
        source_file = as_storage_path(origin)
        beside = source_file.parent / f"{source_file.stem}.feedback.csv"
        origin_columns = [*origin_header, *columns[len(header):]]
        _write_feedback(beside, origin_columns, origin_entries, include_all, dialect)
        ctx.log.info("feedback for %s also written beside it: %s", source_file.name, beside)
    for original_header, values, result in entries[:5]:
        if result["status"] == "refused":
            ctx.log.info("refused: %s → %s %s", dict(zip(original_header, values)), result.get("code"), result.get("message"))
    return path


def _write_feedback(path, columns, entries, include_all, dialect: Dialect) -> None:
    with path.open("w", encoding=dialect.encoding, newline="") as handle:
        writer = FeedWriter(handle, columns, dialect)
        for original_header, values, result in entries:
            row = dict(zip(original_header, values))
            if include_all:
                row["status"] = result["status"]
            row[columns[-2]] = result.get("code") or ""
            row[columns[-1]] = result.get("message") or ""
            writer.write_dict(row)
