"""What a source kind and a target kind provide to the DAG's tasks."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pimflow.ledger import RecordResult
from pimflow.staging import RunStaging
from pimflow.window import RunParams, Window

if TYPE_CHECKING:
    import pandas as pd  # imported where a chunk is read (task time), never when a DAG is built

    from pimflow.profile import Profile

RUN_KEYS_FILE = "run-keys.json"
#: Column of a transformed chunk that carries the record's position in its extract chunk.
RECORD_COLUMN = "#"


@dataclass(frozen=True)
class SourceCatalog:
    """What a source knows of its catalog that a target needs (an Akeneo source: its attributes,
    units and categories, read once per run): the target's checks, mapping and category paths use
    this object, never the source's staging files."""

    identifier: str  # the column naming a product
    meta: object  # productsup.metadata.CatalogMeta: attributes, channels, locales...
    converter: object  # productsup.convert.UnitConverter
    categories: tuple = ()  # category records: code, parent, labels


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
    _catalog: list = field(default_factory=list, repr=False)  # the source's catalog, once asked for

    def source_catalog(self) -> SourceCatalog | None:
        """The source's catalog (None when the source has none, e.g. a feed), read once per process."""
        if not self._catalog:
            from pimflow.kinds import source_kind

            self._catalog.append(source_kind(self.profile).catalog(self))
        return self._catalog[0]


@dataclass
class SourceChunk:
    """A chunk as a flat table of strings ('' = empty), indexed by record position.

    `refused` holds records the source itself could not read (position → (code, message));
    `settled` holds records the source already decided on (position → their ledger result, e.g.
    unchanged stock), which are not in `frame`;
    `original_header` / `originals[position]` give the record as it came in, for feedback files.
    """

    frame: pd.DataFrame
    refused: dict[int, tuple[str, str]]
    original_header: list[str]
    originals: dict[int, list[str]]
    settled: dict[int, RecordResult] = field(default_factory=dict)
    origin: str | None = None  # the file the chunk came from, when there is one


def stage_chunks(ctx: RunContext, records, what: str = "record(s)", numbered: bool = False,
                 chunk_size: int | None = None, key=None) -> list[dict]:
    """Stream records into JSON-lines chunks of the profile's chunk size (or `chunk_size`) in the
    run's staging folder; return the refs XCom carries ({"index", "path", "records"}). `numbered`
    adds each record's position in its chunk as `n`; `key(record)` names a record (SKU, model
    code): the run's keys are kept in staging (`run_keys`) for targets that check references.

    Records are written as they come (a few lines per write), so memory does not grow with the
    chunk size; a record is anything msgspec encodes (a dict, or a dict of `msgspec.Raw` values:
    JSON passed through as it came)."""
    from pimflow.staging import JsonlWriter

    size = chunk_size or ctx.profile.chunk_size
    chunks: list[dict] = []
    keys: set = set()
    writer: JsonlWriter | None = None

    def finish() -> None:
        writer.close()
        index = len(chunks)
        ctx.log.info("extract: chunk %d with %d %s", index + 1, writer.count, what)
        chunks.append({"index": index, "path": str(writer.path), "records": writer.count})

    try:
        for record in records:
            if key is not None:
                keys.add(key(record))
            if writer is None:
                writer = JsonlWriter(ctx.staging.extract_chunk(len(chunks)))
            writer.write({"n": writer.count, **record} if numbered else record)
            if writer.count == size:
                finish()
                writer = None
        if writer is not None:
            finish()
            writer = None
    finally:
        if writer is not None:  # the records failed mid-chunk
            writer.close()
    if key is not None:
        from pimflow.staging import write_json

        write_json(ctx.staging.root / RUN_KEYS_FILE, sorted(k for k in keys if k))
    return chunks


def run_keys(ctx: RunContext) -> frozenset[str] | None:
    """The keys of every record the run extracted (None when the source does not name them)."""
    from pimflow.staging import read_json

    path = ctx.staging.root / RUN_KEYS_FILE
    return frozenset(read_json(path)) if path.exists() else None


@dataclass
class StagedRecords:
    """What transform staged for load: where, how many records, and the records it did not stage."""

    path: str
    staged: int
    results: list[RecordResult] = field(default_factory=list)


def write_flat(path, rows: pd.DataFrame) -> None:
    """Rows as flat CSV, each line led by the record's position (column `#`)."""
    from productsup.feed import Dialect, FeedWriter

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = FeedWriter(handle, [RECORD_COLUMN, *rows.columns], Dialect())
        for n, row in zip(rows.index, rows.to_numpy(dtype=object).tolist()):
            writer.write([str(n), *row])


def write_flat_rows(path, rows: dict[int, dict[str, str]]) -> None:
    """`write_flat` for records already as dicts by position (columns: all the records', in order)."""
    from productsup.feed import Dialect, FeedWriter

    columns = list(dict.fromkeys(column for row in rows.values() for column in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = FeedWriter(handle, [RECORD_COLUMN, *columns], Dialect())
        for n, row in rows.items():
            writer.write([str(n), *(row.get(column, "") for column in columns)])


def read_flat(path) -> pd.DataFrame:
    """A flat CSV written by `write_flat`, indexed by record position, every cell a string."""
    import pandas as pd

    positions, header, lines = _read_flat_lines(path)
    frame = pd.DataFrame(lines, columns=header, dtype="str").fillna("")
    frame.index = positions
    return frame


def read_flat_records(path) -> tuple[list[int], list[str], list[dict[str, str]]]:
    """A flat CSV written by `write_flat` as (positions, columns, one dict per record), no frame."""
    positions, header, lines = _read_flat_lines(path)
    return positions, header, [dict(zip(header, line)) for line in lines]


def _read_flat_lines(path) -> tuple[list[int], list[str], list[list[str]]]:
    from productsup.feed import csv_reader

    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv_reader(handle)
        header = next(reader, [])
        lines = list(reader)
    return [int(line[0]) for line in lines], header[1:], [line[1:] for line in lines]


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """`frame.to_dict("records")`, several times faster on string columns (no per-cell boxing)."""
    columns = list(frame.columns)
    return [dict(zip(columns, values)) for values in frame.to_numpy(dtype=object).tolist()]


class SourceKind:
    #: what this source's records can carry besides their values: "models" (product model rows,
    #: variants naming their parent), "associations" (links to other records)
    carries: frozenset[str] = frozenset()

    def __init__(self, config):
        self.config = config

    def key_column(self, ctx: RunContext, header: list[str]) -> str | None:
        """The column of the original records that names each one (SKU, identifier, code)."""
        return None

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

    def known_names(self, ctx: RunContext, columns) -> Callable[[str], bool] | None:
        """Names the mapping may read that a chunk's `columns` lack (a catalog's attributes that no
        record of the chunk has a value for); None: a chunk's columns are the whole input."""
        return None

    def catalog(self, ctx: RunContext) -> SourceCatalog | None:
        """The catalog this source read in `prepare`, for the target (None: the source has none)."""
        return None


class TargetKind:
    #: the feedback file's code and message columns (targets may prefix them with their name)
    feedback_columns = ("code", "message")

    def __init__(self, config):
        self.config = config

    def extra_steps(self, source: SourceKind) -> frozenset[str]:
        """The steps this target needs around the chunk loads with this source: "parents" (records
        others depend on, written before the loads) and "link" (what joins records, after them).
        Called while the DAG is built: only `source.carries` may be read, and nothing may need a
        task's imports (kinds import pandas and API clients inside the methods that run in tasks)."""
        return frozenset()

    def prepare(self, ctx: RunContext) -> None:
        """Once per run, before extraction (see SourceKind.prepare)."""

    def mapping_context(self, ctx: RunContext):
        """Used when the source has none (e.g. a feed into Akeneo: units from Akeneo's families)."""
        return None

    def stage_records(self, ctx: RunContext, index: int, rows: pd.DataFrame) -> "StagedRecords":
        """Turn one chunk's mapped rows into this target's records, once (in transform): stage what
        load will send, in a form a person can read, and return the records refused or settled on
        the way. By default the mapped rows are the records (a feed), staged as flat CSV."""
        path = ctx.staging.transform_chunk(index)
        write_flat(path, rows)
        return StagedRecords(str(path), len(rows))

    def load(self, ctx: RunContext, index: int, flat_path) -> dict:
        """Send (or, on a dry run, only prepare) one chunk's staged records; record one ledger result
        per record (step `load`). Load never maps or decodes again.

        Returns counts: written, created, updated, unchanged, skipped, refused, would_write.
        """
        raise NotImplementedError

    def load_parents(self, ctx: RunContext, transformed: list[dict]) -> dict:
        """(With the "parents" extra step) write, in order, the records other records depend on
        (ledger step `parents`); the chunk loads then leave them alone."""
        return {}

    def link(self, ctx: RunContext, transformed: list[dict], loads: list[dict]) -> dict:
        """(With the "link" extra step) write what joins records once every chunk is loaded (ledger
        step `link`, only for records whose outcome it changes)."""
        return {}

    def commit(self, ctx: RunContext, loads: list[dict], dry_run: bool) -> dict:
        """Called once after every chunk loaded, unless the run is failing its error threshold.
        Returns what the summary should show (e.g. the output path)."""
        return {}
