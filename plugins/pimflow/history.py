"""A record's history: what happened to one key (SKU, identifier, code) in each run, across runs.

The run folders (`{base}/{dag_id}/runs/{run}/`) hold bulky staging data and go after
`[pimflow] staging_retention_days` (14). So that "what happened to this SKU" can be answered for
longer, the run's `feedback` also writes a compact history file beside them, with a retention of
its own (`[pimflow] history_retention_days`, 365 by default, 0 = keep forever):

    {base}/{dag_id}/history/{run}.jsonl
        {"run":{"dag_id":...,"run_id":...,"finished_at":...,"run_type":...,"window":...,...}}
        {"key":"SKU-1","status":"unchanged","step":"load","target_id":"..."}
        {"key":"SKU-2","status":"refused","step":"transform","code":"invalid_value","message":"..."}

The first line says which run (`RunInfo`), each other line is one record's final result
(`RecordLine`, empty fields left out), its `key` first: a lookup finds the bytes `{"key":"<KEY>",`
at the start of a line and decodes only those lines, so searching a year of runs reads each file
once, at the speed of a byte search (`bench/history.py` measured this against DuckDB over the same
files and over Parquet; the README's *A record's history* has the table and why). The files are
read through `ObjectStoragePath`: local folders and object stores (S3) alike, with nothing more to
install.

A retried `feedback` rewrites its run's file whole (no duplicates); a file is written whole or not at
all (a temporary file renamed on a local disk, an object store's single put), so a lookup never sees
half a run. Retention goes by the run's real finish time (`finished_at`), never its logical date;
only finished runs have a history file, so an unfinished run is never touched.
"""
from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import msgspec
from airflow.sdk import ObjectStoragePath

from pimflow.errors import NotRetried
from pimflow.staging import _conf, _mtime, read_json, safe_name, staging_base, utcnow
from pimflow.window import Window

log = logging.getLogger("pimflow")

HISTORY_DIR = "history"
SUFFIX = ".jsonl"
DEFAULT_HISTORY_RETENTION_DAYS = 365.0
RETENTION_ENV = "AIRFLOW__PIMFLOW__HISTORY_RETENTION_DAYS"
#: A message longer than this is cut in the history (the run's feedback file has it whole, while
#: the run folder is kept): the history stays compact whatever a target answers.
MESSAGE_CHARS = 1000
#: Bytes read at a time while scanning a history file.
BLOCK_BYTES = 4 * 1024 * 1024
#: Files read at once from an object store (each read waits mostly on the network).
REMOTE_READERS = 8


class RunInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The run a history file belongs to (its first line, `{"run": {...}}`)."""

    dag_id: str
    run_id: str
    finished_at: str  # ISO 8601, UTC, with microseconds (sorts as text): when the run's feedback ended
    run_type: str = ""  # Airflow's: scheduled, manual, backfill, asset_triggered...
    window: str = ""  # the run's window in words (full sync, incremental ... → ..., manual)
    dry_run: bool = False
    outcome: str = ""  # success, failed (its error threshold crossed) or dry_run


class _Header(msgspec.Struct, frozen=True):
    run: RunInfo


class RecordLine(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One record's final result in a run. `key` must stay the first field and `status` is always
    written: a lookup matches `{"key":"<KEY>",` at a line's start."""

    key: str
    status: str
    step: str = ""
    code: str = ""
    message: str = ""
    transient: bool = False
    target_id: str = ""


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """What one run did with one record: the record's final result and the run it belongs to."""

    key: str
    dag_id: str
    run_id: str
    finished_at: str
    step: str = ""
    status: str = ""
    code: str = ""
    message: str = ""
    transient: bool = False
    target_id: str = ""
    run_type: str = ""
    window: str = ""
    dry_run: bool = False
    outcome: str = ""

    @classmethod
    def of(cls, run: RunInfo, line: RecordLine) -> "HistoryEntry":
        return cls(key=line.key, dag_id=run.dag_id, run_id=run.run_id, finished_at=run.finished_at,
                   step=line.step, status=line.status, code=line.code, message=line.message,
                   transient=line.transient, target_id=line.target_id, run_type=run.run_type,
                   window=run.window, dry_run=run.dry_run, outcome=run.outcome)


_encode = msgspec.json.Encoder().encode
_decode_line = msgspec.json.Decoder(RecordLine).decode
_decode_header = msgspec.json.Decoder(_Header).decode


class HistorySettingError(NotRetried, ValueError):
    """`[pimflow] history_retention_days` is not a number of days: the run fails in extract, before
    any work, and is not retried (another try reads the same setting)."""


def history_retention_days() -> float:
    """`[pimflow] history_retention_days` (env AIRFLOW__PIMFLOW__HISTORY_RETENTION_DAYS): how long a
    run's history is kept after the run finished; 0 keeps it forever. A value that is not a number
    of days of at least 0 is an error naming the setting."""
    raw = os.environ.get(RETENTION_ENV) or _conf("history_retention_days")
    if raw is None or not str(raw).strip():
        return DEFAULT_HISTORY_RETENTION_DAYS
    try:
        days = float(raw)
    except ValueError:
        days = float("nan")
    if not 0 <= days < float("inf"):
        raise HistorySettingError(f"[pimflow] history_retention_days (env {RETENTION_ENV}): {raw!r} is not a "
                                  "number of days of at least 0 (0 keeps the history forever)")
    return days


def history_dir(base: ObjectStoragePath, dag_id: str) -> ObjectStoragePath:
    return base / safe_name(dag_id) / HISTORY_DIR


def history_file(base: ObjectStoragePath, dag_id: str, run_id: str) -> ObjectStoragePath:
    return history_dir(base, dag_id) / f"{safe_name(run_id)}{SUFFIX}"


def iso(moment: datetime) -> str:
    """UTC, always with microseconds: the history's times sort as text."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def record_lines(results: Iterable) -> Iterator[RecordLine]:
    """The history lines of a run's final results (`RecordResult`s). A record without a key (a
    feed line with an empty identifier) cannot be looked up and is left out; a message is kept on
    one line, cut to MESSAGE_CHARS."""
    for result in results:
        key = result.key.strip()
        if not key:
            continue
        message = " ".join(result.message.split())
        if len(message) > MESSAGE_CHARS:
            message = message[:MESSAGE_CHARS] + "… (cut: whole in the run's feedback file)"
        yield RecordLine(key=key, status=str(result.status), step=result.step, code=result.code,
                         message=message, transient=result.transient, target_id=result.target_id)


def write_history(path: ObjectStoragePath, run: RunInfo, lines: Iterable[RecordLine],
                  lines_per_write: int = 5000) -> int:
    """Write a run's history file whole, replacing any earlier one; a reader never sees half of it.
    Returns the number of record lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    local = path.protocol in ("file", "local")
    target = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp" if local else path
    count, block = 0, [_encode(_Header(run))]
    try:
        with target.open("wb") as handle:
            for line in lines:
                block.append(_encode(line))
                count += 1
                if len(block) >= lines_per_write:
                    handle.write(b"\n".join(block) + b"\n")
                    block = []
            if block:
                handle.write(b"\n".join(block) + b"\n")
        if local:
            os.replace(target.path, path.path)
    finally:
        if local and target.exists():
            target.unlink()
    return count


def keep_run_history(ctx, outcome: str, final: list, now: datetime | None = None) -> int:
    """At the end of `feedback`: write this run's history from its final results (`final`, the
    ledger's `run.jsonl` as feedback wrote it; `outcome`: success, failed, dry_run), then remove the
    profile's history files older than the retention. Never fails the run (its work is done): a
    problem is logged as a warning. Returns the lines written."""
    now = now or utcnow()
    base = ctx.staging.dag_root.parent
    try:
        window = read_json(ctx.staging.window)
        run = RunInfo(dag_id=ctx.dag_id, run_id=ctx.run_id, finished_at=iso(now),
                      run_type=str(window.get("run_type") or ""), window=Window.from_dict(window).describe(),
                      dry_run=ctx.params.dry_run, outcome=outcome)
        written = write_history(history_file(base, ctx.dag_id, ctx.run_id), run,
                                record_lines(final))
    except (OSError, ValueError, KeyError) as exc:
        ctx.log.warning("record history: this run's history was not written: %s", exc)
        return 0
    try:
        removed = purge_history(base, ctx.dag_id, history_retention_days(), now, keep_run=ctx.run_id)
    except (OSError, ValueError) as exc:  # a cleanup that failed never fails a run
        ctx.log.warning("record history retention: %s", exc)
    else:
        if removed:
            ctx.log.info("record history retention: removed %d run history file(s)", len(removed))
    return written


def purge_history(base: ObjectStoragePath, dag_id: str, keep_days: float, now: datetime,
                  keep_run: str | None = None) -> list[str]:
    """Remove the DAG's history files of runs that finished more than `keep_days` ago (0 = keep all).

    The finish time is the one written in the file (`finished_at`), read only from files the storage
    says were last written before the cutoff: a run's file is written when it finishes, so a newer
    file cannot be older by its finish time (and reading a year of files at every run's end would
    cost more than the purge). `keep_run` (the current run) is never removed; files being written
    (dot files) and files whose first line cannot be read are left alone. Returns the names removed."""
    folder = history_dir(base, dag_id)
    if keep_days <= 0 or not folder.exists():
        return []
    cutoff = now - timedelta(days=keep_days)
    keep_name = f"{safe_name(keep_run)}{SUFFIX}" if keep_run else None
    removed = []
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.name.endswith(SUFFIX) or path.name == keep_name:
            continue
        written = _mtime(path)
        if written is not None and written >= cutoff:
            continue
        run = read_run(path)
        finished = _parse(run.finished_at) if run else None
        if finished is None or finished >= cutoff:
            continue
        try:
            path.unlink()
        except FileNotFoundError:  # another run's retention removed it first
            continue
        removed.append(path.name)
    return removed


def _open(path: ObjectStoragePath):
    """The file for reading, straight from its filesystem: `ObjectStoragePath.open` also reports
    each file to Airflow's hook lineage, which loads every plugin first (seconds, and warnings on
    stdout, for a command that reads hundreds of files) and would list each file as an input."""
    return path.fs.open(path.path, "rb")


def read_run(path: ObjectStoragePath) -> RunInfo | None:
    """The run a history file belongs to (its first line); None when it cannot be read."""
    try:
        with _open(path) as handle:
            return _decode_header(handle.readline()).run
    except (OSError, msgspec.DecodeError):
        return None


def _parse(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def record_history(key: str, dag_id: str | None = None, limit: int | None = None) -> list[HistoryEntry]:
    """What happened to the record `key` in each run whose history is kept, newest first: one entry
    per run (two when a run read the key twice, e.g. a repeated feed line). `dag_id` None searches
    every profile's history under the staging base; `limit` keeps the newest ones."""
    return find_history(staging_base(), key, dag_id, limit)


def find_history(base: ObjectStoragePath, key: str, dag_id: str | None = None,
                 limit: int | None = None) -> list[HistoryEntry]:
    """`record_history` under a given staging base."""
    key = key.strip()
    if not key:
        raise ValueError("record history: the key is empty")
    if limit is not None and limit < 1:
        raise ValueError(f"record history: limit must be at least 1, not {limit}")
    files = list(history_files(base, dag_id))
    needle = b'{"key":' + _encode(key) + b","
    if base.protocol in ("file", "local") or len(files) < 2:
        found = [entry for path in files for entry in scan_file(path, needle)]
    else:
        with ThreadPoolExecutor(REMOTE_READERS) as pool:
            found = [entry for entries in pool.map(lambda path: scan_file(path, needle), files)
                     for entry in entries]
    found.sort(key=lambda entry: (entry.finished_at, entry.run_id), reverse=True)  # stable: a run's order stays
    return found[:limit] if limit else found


def history_files(base: ObjectStoragePath, dag_id: str | None = None) -> Iterator[ObjectStoragePath]:
    """Every run history file of one DAG, or of every DAG under the staging base."""
    if dag_id is not None:
        folders = [history_dir(base, dag_id)]
    elif base.exists():
        folders = [dag / HISTORY_DIR for dag in base.iterdir() if not dag.name.startswith(".")]
    else:
        folders = []
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.iterdir():
            if not path.name.startswith(".") and path.name.endswith(SUFFIX):
                yield path


def scan_file(path: ObjectStoragePath, needle: bytes) -> list[HistoryEntry]:
    """The record lines of one history file that start with `needle`, decoded with the file's run;
    the other lines are never decoded. A line that cannot be decoded is logged and left out; a
    file removed meanwhile (by retention) gives nothing."""
    lines: list[RecordLine] = []
    run: RunInfo | None = None
    tail = b""
    try:
        with _open(path) as handle:
            while True:
                block = handle.read(BLOCK_BYTES)
                data = tail + block if tail else block
                if run is None and data:
                    first = data.find(b"\n")
                    if first < 0 and block:
                        tail = data
                        continue
                    run = _header(data[:len(data) if first < 0 else first], path)
                    if run is None:
                        return []
                    data = data[len(data) if first < 0 else first + 1:]
                cut = data.rfind(b"\n") + 1 if block else len(data)  # whole lines only, but at the end
                lines += _matches(data[:cut], needle, path)
                tail = data[cut:]
                if not block:
                    break
    except FileNotFoundError:
        return []
    return [HistoryEntry.of(run, line) for line in lines] if run else []


def _header(line: bytes, path) -> RunInfo | None:
    try:
        return _decode_header(line).run
    except msgspec.DecodeError as exc:
        log.warning("record history: %s: not a run history file (%s)", path, exc)
        return None


def _matches(data: bytes, needle: bytes, path) -> list[RecordLine]:
    found = []
    at = data.find(needle)
    while at >= 0:
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        if at == 0 or data[at - 1] == 0x0A:  # at a line's start: the key itself, not text in a message
            try:
                found.append(_decode_line(data[at:end]))
            except msgspec.DecodeError as exc:
                log.warning("record history: %s: a line cannot be read (%s)", path, exc)
        at = data.find(needle, end)
    return found
