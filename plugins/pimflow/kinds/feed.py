"""The `feed` source and target: flat CSV files in, flat CSV files out."""
from __future__ import annotations

from collections import Counter

from pimflow import ledger
from pimflow.csv_safety import neutralised_row
from pimflow.errors import NotRetried
from pimflow.kinds.base import RECORD_COLUMN, RunContext, SourceChunk, SourceKind, TargetKind
from pimflow.ledger import RecordResult, Status
from pimflow.mapping import unknown_references
from pimflow.paths import check_local, contained_storage_path, local_part
from pimflow.staging import as_storage_path, read_jsonl, write_jsonl
from productsup.errors import FeedError as FeedFileError
from productsup.feed import Dialect, FeedWriter, csv_reader, expand_paths
from productsup.reader import FeedReader


class FeedError(NotRetried):
    """A feed cannot be read as a feed of the profile (missing, empty, not CSV, a header that does not
    fit): the run stops in extract, before any load, naming the file; never retried."""


def shown_path(path) -> str:
    """A feed's location as a person reads it: a local file's path, or the URL."""
    text = str(path)
    return text[len("file://"):] if text.startswith("file:///") else text


def _dialect(config) -> Dialect:
    return Dialect(config.delimiter, config.quotechar, config.encoding)


class FeedSourceKind(SourceKind):
    carries = frozenset({"models", "associations"})

    def key_column(self, ctx: RunContext, header: list[str]) -> str | None:
        return self.config.identifier_column

    def feedback_dialect(self) -> Dialect:
        return _dialect(self.config)

    def files(self, ctx: RunContext) -> list:
        """The feed's files: one, or those a glob finds (none found is an error: a run never publishes
        an empty output because a feed did not arrive)."""
        location = contained_storage_path(self.config.path, ctx.profile_dir)
        files = expand_paths(location)
        if files == [location] and not location.exists():
            raise FeedError(f"feed file not found: {shown_path(location)}")
        if not files and not self.config.allow_empty:
            raise FeedError(f"no feed file matches {self.config.path} (in {shown_path(ctx.profile_dir)}; "
                            "source.allow_empty: true makes that normal)")
        if local_part(self.config.path) is not None:  # a file the glob found may be a symlink that leaves
            for file in files:
                check_local(file.path, ctx.profile_dir, glob=False)
        return files

    def extract(self, ctx: RunContext) -> list[dict]:
        """Every file's records into chunks. A file that cannot be read as a feed of this profile
        fails the run here, before any load, naming the file (FeedError); a line that cannot be read
        as the file meant is a refused record naming the file and line, and the others go on."""
        wanted = set(ctx.window.identifiers) if ctx.window and ctx.window.mode == "manual" else None
        if ctx.window and ctx.window.mode == "full" and ctx.params.full_sync:
            ctx.log.info("a feed is always read whole: full_sync changes nothing for a feed source")
        files = self.files(ctx)
        chunks: list[dict] = []
        first_seen: dict[str, str] = {}  # identifier → where it first appeared (across every file)
        column = self.config.identifier_column
        for path in files:
            name = path.name
            with path.open("rb") as handle:
                reader = self._reader(path, handle)
                header = reader.header
                self._check_header(path, header)
                unknown = unknown_references(ctx.profile.mapping, header)
                if unknown:  # before any chunk is staged: nothing is written or published
                    raise FeedError(f"{path}: " + "; ".join(unknown))
                id_position = header.index(column)
                batch: list[dict] = []
                for row in reader:
                    identifier = row.values[id_position].strip() if id_position < len(row.values) else ""
                    if wanted is not None and identifier not in wanted:
                        continue
                    record = {"n": len(batch), "line": row.line, "values": row.values}
                    if row.problem:
                        record["error"] = [row.problem[0], f"{name}: {row.problem[1]}"]
                    elif len(row.values) != len(header):
                        record["error"] = ["malformed_line", f"{name}: line {row.line} has {len(row.values)} "
                                                             f"fields, the header has {len(header)}"]
                    elif identifier and identifier in first_seen:
                        record["error"] = ["duplicate_identifier", f"{name}: line {row.line} repeats {column} "
                                                                   f"{identifier!r}, already on {first_seen[identifier]}"]
                    elif identifier:
                        first_seen[identifier] = f"line {row.line}" + (f" of {name}" if len(files) > 1 else "")
                    batch.append(record)
                    if len(batch) == ctx.profile.chunk_size:
                        chunks.append(self._write_chunk(ctx, len(chunks), path, header, batch))
                        batch = []
                if not reader.records and not self.config.allow_empty:
                    raise FeedError(f"{shown_path(path)}: the feed has a header line but no data line "
                                    "(an empty feed is not published; source.allow_empty: true makes it normal)")
                if batch or not reader.records:  # an allowed empty feed: a chunk of no record carries its header
                    chunks.append(self._write_chunk(ctx, len(chunks), path, header, batch))
            ctx.log.info("read %s: %d record(s)", path, reader.records)
        return chunks

    def _reader(self, path, handle) -> FeedReader:
        config = self.config
        try:
            return FeedReader(handle, config.delimiter, config.quotechar, config.encoding)
        except FeedFileError as exc:
            raise FeedError(f"{shown_path(path)}: {exc}") from None

    def _check_header(self, path, header: list[str]) -> None:
        twice = [name for name, count in Counter(header).items() if count > 1]
        if twice:
            raise FeedError(f"{shown_path(path)}: column(s) {', '.join(map(repr, twice))} appear more than once "
                            "in the header")
        if self.config.identifier_column not in header:
            shown = ", ".join(map(repr, header[:10])) + (f" and {len(header) - 10:,} more" if len(header) > 10 else "")
            raise FeedError(f"{shown_path(path)}: identifier column {self.config.identifier_column!r} is not in "
                            f"the header ({shown}; source.identifier_column)")

    @staticmethod
    def _write_chunk(ctx: RunContext, index: int, path, header: list[str], records: list[dict]) -> dict:
        target = ctx.staging.extract_chunk(index)
        write_jsonl(target, [{"file": str(path), "header": header}, *records])
        return {"index": index, "path": str(target), "records": len(records)}

    def read_chunk(self, ctx: RunContext, chunk: dict) -> SourceChunk:
        lines = read_jsonl(as_storage_path(chunk["path"]))
        first = next(lines)
        header = first["header"]
        positions, values, refused, originals = [], [], {}, {}
        for record in lines:
            originals[record["n"]] = record["values"]
            if "error" in record:
                refused[record["n"]] = tuple(record["error"])
            else:
                positions.append(record["n"])
                values.append(record["values"])
        import pandas as pd  # task time only: a DAG is built without it

        frame = pd.DataFrame(values, columns=header, index=positions, dtype="str")
        if any(len(line) != len(header) for line in values):  # extract refuses such lines: never, normally
            frame = frame.fillna("")  # (a pass over every column: skipped when no cell is missing)
        return SourceChunk(frame, refused, header, originals, origin=first["file"])


class FeedTargetKind(TargetKind):
    def load(self, ctx: RunContext, index: int, flat_path) -> dict:
        """The staged rows become this chunk's part of the output (published whole by commit),
        copied line by line: no table is built, so a feed of many columns costs what it holds."""
        part = ctx.staging.output(f"part-{index:05d}.csv")
        positions: list[int] = []
        with flat_path.open("r", encoding="utf-8", newline="") as staged, \
                part.open("w", encoding="utf-8", newline="") as sink:
            rows = csv_reader(staged)
            writer = FeedWriter(sink, next(rows, [RECORD_COLUMN])[1:], _dialect(self.config))
            for values in rows:
                positions.append(int(values[0]))
                writer.write(values[1:])
        status = (lambda n: RecordResult.would_write(n)) if ctx.params.dry_run else (
            lambda n: RecordResult(n=n, status=Status.WRITTEN))
        results = ledger.record(ctx.staging, "load", index, [status(n) for n in positions])
        return {**ledger.counts(results), "part": str(part)}

    def commit(self, ctx: RunContext, loads: list[dict], dry_run: bool) -> dict:
        dialect = _dialect(self.config)
        destination = contained_storage_path(self.config.path.format(**ctx.template_vars), ctx.profile_dir)
        if dry_run:
            destination = ctx.staging.dry_run(destination.name)
        parts = [as_storage_path(load["part"]) for load in sorted(loads, key=lambda l: l["index"]) if load.get("part")]
        headers = []
        for part in parts:
            with part.open("r", encoding="utf-8", newline="") as handle:
                headers.append(next(csv_reader(handle, dialect), []))
        header = list(dict.fromkeys(name for part_header in headers for name in part_header))  # in order, once
        if not header:  # nothing to write this run: still a well-formed feed with its header
            header = ctx.profile.mapping.output_columns([])
        destination.parent.mkdir(parents=True, exist_ok=True)
        temporary = destination.parent / f".{destination.name}.pimflow-tmp"
        rows = 0
        with temporary.open("w", encoding=self.config.encoding, newline="") as sink:
            cells = neutralised_row if self.config.escape_formulas else list
            writer = FeedWriter(sink, cells(header), dialect, write_header=bool(header))  # no column known: an empty file
            for part, part_header in zip(parts, headers):
                same = part_header == header
                with part.open("r", encoding="utf-8", newline="") as handle:
                    reader = csv_reader(handle, dialect)
                    next(reader, None)
                    for values in reader:
                        if not same:  # parts whose columns differ: each value under its column's name
                            by_name = dict(zip(part_header, values))
                            values = [by_name.get(name, "") for name in header]
                        writer.write(cells(values))
                        rows += 1
        temporary.rename(destination)
        ctx.log.info("%s %d row(s) to %s", "dry run: would write" if dry_run else "wrote", rows, destination)
        return {"output": str(destination), "output_rows": rows}
