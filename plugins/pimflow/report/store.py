"""A run's staging folder as the report reads it: never writing, never leaving the folder.

`RunStaging`'s helpers create the folders they name (a task writes there next); the report only
reads, so it uses `RunStaging` for the layout (`root`, `dag_root`) and opens paths under `root`
itself: asking for the report of a run that expired must not bring back an empty folder.

Every storage error becomes a `ReportError` with a status and a message a person can act on (404:
not a pimflow DAG, the run's folder expired or the run has no summary yet; 503: the staging
location could not be read), never an unexplained 500.
"""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from airflow.sdk import ObjectStoragePath

from pimflow.staging import RunStaging, read_json, retention_days, safe_name, staging_base

log = logging.getLogger("pimflow.report")

#: The folders of a run whose files the report offers for download (besides feedback.csv).
AREAS = ("output", "dry_run")
FEEDBACK_FILE = "feedback.csv"
#: A downloadable file's name: what pimflow writes there (part-00000.csv, diff-00000.csv,
#: akeneo-products-00000.jsonl, the feed's own name); no folder, no leading dot (temporary files).
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,254}$")
#: Threads reading the marks of a DAG's runs at once (one request each on an object store).
LIST_THREADS = 8

T = TypeVar("T")


class ReportError(Exception):
    """Why the report cannot answer: `status` is the HTTP status, `message` says it for a person."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(message: str) -> ReportError:
    return ReportError(404, message)


@contextmanager
def reading(what: str) -> Iterator[None]:
    """Storage errors while reading `what` become a 503 naming it (a 404 stays a 404)."""
    try:
        yield
    except ReportError:
        raise
    except FileNotFoundError as exc:
        raise not_found(f"{what} is not in the run's staging folder (any more): {exc}") from None
    except ValueError as exc:  # a JSON file cut short or not JSON
        raise ReportError(503, f"{what} cannot be read: {exc}") from None
    except Exception as exc:  # an object store's error, a lost connection, a permission
        log.warning("pimflow report: reading %s failed", what, exc_info=True)
        raise ReportError(503, f"the staging location cannot be read ({what}): "
                               f"{type(exc).__name__}: {exc}") from None


def checked_id(value: str, field: str) -> str:
    """A DAG or run id as the staging folder names it; refused when that name would leave the
    staging base (`.` and `..` survive `safe_name`)."""
    if not value or len(value) > 250:
        raise ReportError(400, f"{field}: must be 1 to 250 characters")
    name = safe_name(value)
    if name in (".", ".."):
        raise ReportError(400, f"{field}: {value!r} is not a DAG or run id the staging folder can hold")
    return name


def checked_file_name(name: str) -> str:
    """A file name inside one of the run's folders: letters, digits and `_ . @ + -`, no folder."""
    if not FILE_NAME.match(name or "") or ".." in name:
        raise ReportError(400, f"file name {name!r}: only a file of the run's folder, by its name "
                               f"(letters, digits, _ . @ + -; no '/', no '..', no leading dot)")
    return name


@dataclass(frozen=True)
class StagedFile:
    """A file the report offers: `area` is `feedback`, `output` or `dry_run`."""

    area: str
    name: str
    size: int | None


class DagFolder:
    """A DAG's staging folder (`{base}/{dag_id}`), read only."""

    def __init__(self, dag_id: str, base: ObjectStoragePath | None = None):
        checked_id(dag_id, "dag_id")
        self.dag_id = dag_id
        self.base = base if base is not None else staging_base()
        self.root = RunStaging(self.base, dag_id, "run").dag_root

    def require(self) -> None:
        with reading(f"the staging folder of {self.dag_id}"):
            if not self.root.exists():
                raise not_found(f"{self.dag_id} has no pimflow staging folder (in {self.base}): it is not the DAG of "
                                f"a pimflow profile, or none of its runs has started yet")

    def runs(self) -> list["RunFolder"]:
        """Every run folder of the DAG, newest first (by when each really started)."""
        self.require()
        runs_dir = self.root / "runs"
        with reading(f"the run folders of {self.dag_id}"):
            if not runs_dir.exists():
                return []
            folders = [RunFolder.at(self, path) for path in runs_dir.iterdir() if not path.name.startswith(".")]
        in_threads([folder.marks for folder in folders])  # each folder keeps what it read
        return sorted(folders, key=lambda folder: (folder.marks() or {}).get("started_at") or "", reverse=True)


_UNREAD = object()  # a RunFolder's marks before they are read


class RunFolder:
    """One run's staging folder (`{base}/{dag_id}/runs/{run_id}`), read only."""

    def __init__(self, dag: DagFolder, run_id: str):
        checked_id(run_id, "run_id")
        self.dag = dag
        self.run_id = run_id
        self.root = RunStaging(dag.base, dag.dag_id, run_id).root
        self._marks: dict | None | object = _UNREAD
        self.listed = False  # found by listing the DAG's runs: `run_id` is the folder's name

    @classmethod
    def at(cls, dag: DagFolder, path: ObjectStoragePath) -> "RunFolder":
        folder = cls(dag, path.name)
        folder.root, folder.listed = path, True
        return folder

    @property
    def dag_id(self) -> str:
        return self.dag.dag_id

    def require(self) -> None:
        """The run's folder exists, or a 404 that says why it may not."""
        self.dag.require()
        with reading(f"the staging folder of run {self.run_id}"):
            if not self.root.exists():
                raise not_found(
                    f"run {self.run_id} of {self.dag_id} has no staging folder (any more): pimflow removes a run's "
                    f"folder {retention_days():g} days after the run finished ([pimflow] staging_retention_days), "
                    f"and a run that never reached its extract has none")

    def marks(self) -> dict | None:
        """`run.json` (started_at, finished_at, outcome), or None when it cannot be read; read once."""
        if self._marks is _UNREAD:
            try:
                data = read_json(self.root / "run.json")
            except Exception:  # a folder without marks is listed all the same
                data = None
            self._marks = data if isinstance(data, dict) else None
        return self._marks

    def summary(self) -> dict:
        """`summary.json`, checked to be this DAG's and this run's; a 404 saying why when there is none."""
        path = self.root / "summary.json"
        with reading(f"the summary of run {self.run_id}"):
            if not path.exists():
                self.require()  # no DAG folder, no run folder: each has its own reason
                raise not_found(f"run {self.run_id} of {self.dag_id} has no report yet: its summary is written by its "
                                f"`feedback` task, so the run is still going, or it failed before that task (see its "
                                f"task logs)")
            summary = read_json(path)
        if not isinstance(summary, dict):
            raise ReportError(503, f"the summary of run {self.run_id} is not a JSON object")
        run_id = summary.get("run_id")
        if summary.get("dag_id") != self.dag_id or not isinstance(run_id, str) or safe_name(run_id) != self.root.name \
                or (not self.listed and run_id != self.run_id):
            # two ids whose folder names are the same (`a:b` and `a_b`): never show another's report
            raise not_found(f"the staging folder for run {self.run_id} of {self.dag_id} holds the report of run "
                            f"{run_id!r} of {summary.get('dag_id')!r}")
        return summary

    def file(self, area: str, name: str) -> ObjectStoragePath:
        """A downloadable file of the run: `feedback.csv`, or a file directly in `output/` or `dry_run/`."""
        if area == "feedback":
            if name != FEEDBACK_FILE:
                raise ReportError(400, f"file name {name!r}: the feedback file is {FEEDBACK_FILE}")
            path = self.root / FEEDBACK_FILE
        elif area in AREAS:
            path = self.root / area / checked_file_name(name)
        else:
            raise ReportError(400, f"area {area!r}: one of feedback, {', '.join(AREAS)}")
        with reading(f"{area}/{name}"):
            if not path.is_file():
                raise not_found(f"run {self.run_id} of {self.dag_id} has no file {name} in {area}")
            inside(self.root, path)
        return path

    def files(self) -> list[StagedFile]:
        """The files the report offers: the feedback file, then `output/` and `dry_run/` by name."""
        found: list[StagedFile] = []
        with reading("the run's files"):
            feedback = self.root / FEEDBACK_FILE
            if feedback.is_file():
                found.append(StagedFile("feedback", FEEDBACK_FILE, _size(feedback)))
            for area in AREAS:
                folder = self.root / area
                if not folder.exists():
                    continue
                listed = []
                for entry in folder.fs.ls(folder.path, detail=True):
                    name = str(entry.get("name", "")).rstrip("/").rsplit("/", 1)[-1]
                    if entry.get("type") == "file" and FILE_NAME.match(name) and ".." not in name:
                        listed.append(StagedFile(area, name, entry.get("size")))
                found += sorted(listed, key=lambda staged: staged.name)
        return found


def inside(root: ObjectStoragePath, path: ObjectStoragePath) -> None:
    """On a local disk, a symbolic link in the run's folder must not lead out of it."""
    if root.protocol in ("file", "local"):
        real_root, real = os.path.realpath(root.path), os.path.realpath(path.path)
        if os.path.commonpath([real_root, real]) != real_root:
            raise ReportError(403, f"{path.name} leads outside the run's staging folder")


def _size(path: ObjectStoragePath) -> int | None:
    try:
        return int(path.stat().st_size)
    except Exception:
        return None


def in_threads(calls: list[Callable[[], T]]) -> list[T]:
    """Small reads at once: on an object store each is a request, and a DAG may have hundreds of runs."""
    if len(calls) <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=min(LIST_THREADS, len(calls))) as pool:
        return list(pool.map(lambda call: call(), calls))
