"""The run's staging folder: where records live between tasks (XCom carries only paths and counts).

Layout under the staging base (a local folder by default, any fsspec URL when configured):

    {base}/{dag_id}/state.json                      incremental state (the windows that succeeded, last full sync)
    {base}/{dag_id}/state.d/{run}.json              one successful run's window, until state.json holds it
    {base}/{dag_id}/turns/{run}.json                a run waiting for, or holding, the profile's turn
    {base}/{dag_id}/runs/{run}/run.json             when the run really started and finished (retention)
    {base}/{dag_id}/runs/{run}/extract/chunk-00000.jsonl
    {base}/{dag_id}/runs/{run}/transform/chunk-00000.csv   the target's records, as load sends them (or .jsonl)
    {base}/{dag_id}/runs/{run}/originals/chunk-00000.jsonl the records as they came in (for feedback files)
    {base}/{dag_id}/runs/{run}/ledger/{step}-00000.jsonl   the run ledger: one result per record a step decided on
    {base}/{dag_id}/runs/{run}/output/...                  what a target wrote or would write
    {base}/{dag_id}/runs/{run}/feedback.csv, summary.json
"""
from __future__ import annotations

import json
import os
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator

import msgspec
from airflow.sdk import ObjectStoragePath

DEFAULT_RETENTION_DAYS = 14
#: A run folder with no finish mark (the run is still going, or it was killed before it could write
#: one) is left alone for this long beyond the retention, counted from when the run really started.
UNFINISHED_GRACE_DAYS = 30


def utcnow() -> datetime:
    """The wall clock, in UTC: what retention marks record (never a run's logical date)."""
    return datetime.now(timezone.utc)


def staging_base() -> ObjectStoragePath:
    """`[pimflow] staging_base` (env `AIRFLOW__PIMFLOW__STAGING_BASE`), default $AIRFLOW_HOME/pimflow/staging.

    A URL may name an Airflow connection for credentials, e.g. `s3://aws_default@bucket/pimflow`.
    """
    base = os.environ.get("AIRFLOW__PIMFLOW__STAGING_BASE") or _conf("staging_base")
    if not base:
        home = os.environ.get("AIRFLOW_HOME") or str(Path.home() / "airflow")
        base = str(Path(home) / "pimflow" / "staging")
    return as_storage_path(base)


def retention_days() -> float:
    value = os.environ.get("AIRFLOW__PIMFLOW__STAGING_RETENTION_DAYS") or _conf("staging_retention_days")
    return float(value) if value else DEFAULT_RETENTION_DAYS


def _conf(key: str) -> str | None:
    try:
        from airflow.configuration import conf
    except ImportError:  # pragma: no cover - only outside an Airflow install
        return None
    return conf.get("pimflow", key, fallback=None)


def as_storage_path(location: str | os.PathLike, relative_to: str | os.PathLike | None = None) -> ObjectStoragePath:
    """A local path (absolute, or relative to `relative_to`) or a URL, as an ObjectStoragePath."""
    text = str(location)
    if "://" in text:
        return ObjectStoragePath(text)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = Path(relative_to or os.getcwd()) / path
    return ObjectStoragePath(f"file://{path.resolve()}")


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "run"


class RunStaging:
    """Paths and small JSON helpers for one DAG run."""

    def __init__(self, base: ObjectStoragePath, dag_id: str, run_id: str):
        self.dag_root = base / safe_name(dag_id)
        self.root = self.dag_root / "runs" / safe_name(run_id)

    def _dir(self, *parts: str) -> ObjectStoragePath:
        path = self.root.joinpath(*parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def extract_chunk(self, index: int) -> ObjectStoragePath:
        return self._dir("extract") / f"chunk-{index:05d}.jsonl"

    def transform_chunk(self, index: int, suffix: str = "csv") -> ObjectStoragePath:
        return self._dir("transform") / f"chunk-{index:05d}.{suffix}"

    def ledger_dir(self) -> ObjectStoragePath:
        return self._dir("ledger")

    def originals(self, index: int) -> ObjectStoragePath:
        return self._dir("originals") / f"chunk-{index:05d}.jsonl"

    def output(self, name: str) -> ObjectStoragePath:
        return self._dir("output") / name

    def dry_run(self, name: str) -> ObjectStoragePath:
        return self._dir("dry_run") / name

    @property
    def feedback(self) -> ObjectStoragePath:
        return self._dir() / "feedback.csv"

    @property
    def window(self) -> ObjectStoragePath:
        return self._dir() / "window.json"

    @property
    def link_report(self) -> ObjectStoragePath:
        """What the link step did (counts, calls), for the target's commit."""
        return self._dir() / "link.json"

    @property
    def summary(self) -> ObjectStoragePath:
        return self._dir() / "summary.json"

    @property
    def state(self) -> ObjectStoragePath:
        self.dag_root.mkdir(parents=True, exist_ok=True)
        return self.dag_root / "state.json"

    @property
    def success_records(self) -> ObjectStoragePath:
        """Where each successful run writes its window, until state.json holds it."""
        return self.dag_root / "state.d"

    def success_record(self, run_id: str) -> ObjectStoragePath:
        folder = self.success_records
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{safe_name(run_id)}.json"

    def reset_step(self, step: str) -> None:
        """Remove what an earlier attempt of this step left (a retry starts clean)."""
        path = self.root / step
        if path.exists():
            path.rmdir(recursive=True)

    @property
    def marker(self) -> ObjectStoragePath:
        """`run.json`: when the run really started and finished, by the wall clock."""
        return self._dir() / "run.json"

    def mark_started(self, when: datetime | None = None) -> None:
        """The run (re)starts: a fresh mark with no finish time, so no other run's retention touches
        this folder until it finishes (a retried or cleared run starts over here too)."""
        write_json_atomic(self.marker, {"started_at": _iso(when or utcnow())})

    def mark_finished(self, outcome: str, when: datetime | None = None) -> None:
        """The run is over (`outcome`: success, failed, dry_run): from now on its folder ages."""
        try:
            marks = read_json(self.marker)
        except (FileNotFoundError, ValueError):
            marks = {}
        marks = marks if isinstance(marks, dict) else {}
        marks.update(finished_at=_iso(when or utcnow()), outcome=outcome)
        write_json_atomic(self.marker, marks)

    def purge_older_runs(self, keep_days: float, now: datetime,
                         grace_days: float = UNFINISHED_GRACE_DAYS) -> list[str]:
        """Delete other runs of this DAG that finished more than `keep_days` ago (by their finish
        mark: the wall clock when they finished, never their logical date). A run with no finish
        mark is still going, or died without one: it is deleted only `grace_days` beyond the
        retention after it really started; a folder without a readable mark is never deleted."""
        runs = self.dag_root / "runs"
        removed: list[str] = []
        if keep_days <= 0 or not runs.exists():
            return removed
        for run in runs.iterdir():
            if run == self.root:
                continue
            marker = run / "run.json"
            try:
                marks = read_json(marker)
                mtime = _mtime(marker)
            except (FileNotFoundError, ValueError, OSError):
                continue
            if not expired(marks, mtime, keep_days, now, grace_days):
                continue
            try:
                run.rmdir(recursive=True)
            except FileNotFoundError:  # another run's retention removed it first
                continue
            removed.append(run.name)
        return removed


def expired(marks, marker_mtime: datetime | None, keep_days: float, now: datetime,
            grace_days: float = UNFINISHED_GRACE_DAYS) -> bool:
    """Whether a run folder with these marks may go. Finished: `keep_days` after it finished.
    Not finished: `keep_days + grace_days` after it really started (`started_at`; for a mark written
    before finish marks existed, whose `started` was the run's logical date, when the mark was
    written). Anything unreadable: never."""
    if not isinstance(marks, dict):
        return False
    if marks.get("finished_at"):
        finished = _parse(marks["finished_at"])
        return finished is not None and finished < now - timedelta(days=keep_days)
    started = _parse(marks["started_at"]) if marks.get("started_at") else marker_mtime
    return started is not None and started < now - timedelta(days=keep_days + grace_days)


def _iso(when: datetime) -> str:
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).isoformat()


def _parse(text) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _mtime(path: ObjectStoragePath) -> datetime | None:
    """When the storage last wrote `path` (local files and object stores both say), or None."""
    try:
        stamp = path.stat().st_mtime
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(stamp), tz=timezone.utc) if stamp is not None else None


def write_json(path: ObjectStoragePath, data) -> None:
    """Encoded whole, then written in one call: `json.dump` would stream token by token through
    the storage layers' file wrappers (seconds of CPU for a file of a few megabytes)."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)


def write_json_atomic(path: ObjectStoragePath, data) -> None:
    """As `write_json`, but a reader never sees a half-written file: on a local disk the text goes
    to a temporary file that replaces `path` in one rename; an object store's put is atomic already."""
    if path.protocol not in ("file", "local"):
        write_json(path, data)
        return
    temporary = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    write_json(temporary, data)
    os.replace(temporary.path, path.path)


def read_json(path: ObjectStoragePath):
    with path.open("r", encoding="utf-8") as handle:
        return json.load(handle)


class JsonlWriter:
    """One JSON document per line, written in blocks: each write on an object-store file goes
    through several layers, so one write per line would cost more than the encoding. Rows are
    anything msgspec encodes: dicts, and dicts whose values are `msgspec.Raw` (JSON kept as it
    came, written as it is)."""

    def __init__(self, path: ObjectStoragePath, lines_per_write: int = 1000):
        self.path = path
        self.count = 0
        self._lines_per_write = lines_per_write
        self._block: list = []
        self._handle = path.open("wb")

    def write(self, row) -> None:
        self._block.append(row)
        self.count += 1
        if len(self._block) >= self._lines_per_write:
            self._flush()

    def _flush(self) -> None:
        if self._block:
            block, self._block = self._block, []
            self._handle.write(_encode_lines(block))  # the block in one call, a newline after each

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self._handle.close()

    def __enter__(self) -> "JsonlWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# several times faster than json.dumps; UTF-8 as written; a block of rows, each followed by a newline
_encode_lines = msgspec.json.Encoder().encode_lines


def write_jsonl(path: ObjectStoragePath, rows: Iterable[dict], lines_per_write: int = 1000) -> int:
    """One JSON document per line (see `JsonlWriter`); returns the number of lines."""
    with JsonlWriter(path, lines_per_write) as writer:
        for row in rows:
            writer.write(row)
    return writer.count


def read_jsonl(path: ObjectStoragePath) -> Iterator[dict]:
    decode = msgspec.json.decode  # several times faster than json.loads
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield decode(line)
