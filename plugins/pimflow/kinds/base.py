"""What a source kind and a target kind provide to the DAG's tasks."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pimflow.staging import RunStaging
from pimflow.window import RunParams, Window

if TYPE_CHECKING:
    from pimflow.profile import Profile

RUN_KEYS_FILE = "run-keys.json"
#: Column of a transformed chunk that carries the record's position in its extract chunk.
RECORD_COLUMN = "#"


@dataclass
class RunContext:
    """Everything a task needs about the run, without Airflow objects (tasks stay testable)."""

    profile: Profile
    profile_dir: Path
    staging: RunStaging
    params: RunParams
    dag_id: str
    run_id: str
    window: Window | None = None
    template_vars: dict = field(default_factory=dict)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("pimflow"))


@dataclass
class SourceChunk:
    """A chunk as a flat table of strings ('' = empty), indexed by record position.

    `refused` holds records the source itself could not read (position → (code, message));
    `settled` holds records the source already decided on (position → {"status", "code",
    "message"}, e.g. unchanged stock), which are not in `frame`;
    `original_header` / `originals[position]` give the record as it came in, for feedback files.
    """

    frame: pd.DataFrame
    refused: dict[int, tuple[str, str]]
    original_header: list[str]
    originals: dict[int, list[str]]
    settled: dict[int, dict] = field(default_factory=dict)
    origin: str | None = None  # the file the chunk came from, when there is one


def stage_chunks(ctx: RunContext, records, what: str = "record(s)", numbered: bool = False,
                 chunk_size: int | None = None, key=None) -> list[dict]:
    """Stream records into JSON-lines chunks of the profile's chunk size (or `chunk_size`) in the
    run's staging folder; return the refs XCom carries ({"index", "path", "records"}). `numbered`
    adds each record's position in its chunk as `n`; `key(record)` names a record (SKU, model
    code): the run's keys are kept in staging (`run_keys`) for targets that check references."""
    from pimflow.staging import write_jsonl

    chunks: list[dict] = []
    batch: list[dict] = []

    def flush() -> None:
        index = len(chunks)
        path = ctx.staging.extract_chunk(index)
        write_jsonl(path, batch)
        ctx.log.info("extract: chunk %d with %d %s", index + 1, len(batch), what)
        chunks.append({"index": index, "path": str(path), "records": len(batch)})

    keys: list[str] = []
    for record in records:
        if key is not None:
            keys.append(key(record))
        batch.append({"n": len(batch), **record} if numbered else record)
        if len(batch) == (chunk_size or ctx.profile.chunk_size):
            flush()
            batch = []
    if batch:
        flush()
    if key is not None:
        from pimflow.staging import write_json

        write_json(ctx.staging.root / RUN_KEYS_FILE, sorted(k for k in set(keys) if k))
    return chunks


def run_keys(ctx: RunContext) -> frozenset[str] | None:
    """The keys of every record the run extracted (None when the source does not name them)."""
    from pimflow.staging import read_json

    path = ctx.staging.root / RUN_KEYS_FILE
    return frozenset(read_json(path)) if path.exists() else None


class SourceKind:
    def __init__(self, config):
        self.config = config

    def prepare(self, ctx: RunContext) -> None:
        """Once per run, before extraction: read reference data into staging, check the profile
        against the live system (a wrong setting fails the run here, before any write)."""

    def extract(self, ctx: RunContext) -> list[dict]:
        """Write staging chunks; return [{"index", "path", "records"}] in order."""
        raise NotImplementedError

    def read_chunk(self, ctx: RunContext, chunk: dict) -> SourceChunk:
        raise NotImplementedError

    #: dialect for the feedback file (delimiter, quote, encoding); None = CSV defaults
    def feedback_dialect(self):
        return None

    def mapping_context(self, ctx: RunContext):
        """What the mapping needs to know of this source's catalog (None: nothing)."""
        return None


class TargetKind:
    #: the feedback file's code and message columns (targets may prefix them with their name)
    feedback_columns = ("code", "message")

    def __init__(self, config):
        self.config = config

    def prepare(self, ctx: RunContext) -> None:
        """Once per run, before extraction (see SourceKind.prepare)."""

    def mapping_context(self, ctx: RunContext):
        """Used when the source has none (e.g. a feed into Akeneo: units from Akeneo's families)."""
        return None

    def check(self, ctx: RunContext, rows: pd.DataFrame) -> dict[int, list[tuple[str, str, str]]]:
        """Refuse mapped rows the target would refuse, before sending: position → problems
        (column, code, reason)."""
        return {}

    def load(self, ctx: RunContext, index: int, flat_path) -> dict:
        """Write (or, on a dry run, only prepare) one transformed chunk; write its results file.

        Returns counts: written, created, updated, unchanged, skipped, refused.
        """
        raise NotImplementedError

    def load_parents(self, ctx: RunContext, transformed: list[dict]) -> dict:
        """(When `factory.has_parents_step`) write, in order, the records other records depend on (results file per chunk: `parents`);
        the chunk loads then leave them alone."""
        return {}

    def link(self, ctx: RunContext, transformed: list[dict], loads: list[dict]) -> dict:
        """(When `factory.has_link_step`) write what joins records once every chunk is loaded (results file per chunk: `link`,
        only for records whose outcome it changes)."""
        return {}

    def commit(self, ctx: RunContext, loads: list[dict], dry_run: bool) -> dict:
        """Called once after every chunk loaded, unless the run is failing its error threshold.
        Returns what the summary should show (e.g. the output path)."""
        return {}
