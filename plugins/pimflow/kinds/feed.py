"""The `feed` source and target: flat CSV files in, flat CSV files out."""
from __future__ import annotations

import csv
from collections import Counter

from pimflow import ledger
from pimflow.csv_safety import neutralised_row
from pimflow.errors import NotRetried
from pimflow.kinds.base import RunContext, SourceChunk, SourceKind, TargetKind, read_flat
from pimflow.ledger import RecordResult, Status
from pimflow.mapping import unknown_references
from pimflow.paths import check_local, contained_storage_path, local_part
from pimflow.staging import as_storage_path, read_jsonl, write_jsonl
from productsup.feed import Dialect, FeedWriter, expand_paths, open_feed, read_rows


class FeedError(NotRetried):
    """A feed cannot be read at all (missing file, broken header): the run stops, naming the file."""


def _dialect(config) -> Dialect:
    return Dialect(config.delimiter, config.quotechar, config.encoding)


class FeedSourceKind(SourceKind):
    carries = frozenset({"models", "associations"})

    def key_column(self, ctx: RunContext, header: list[str]) -> str | None:
        return self.config.identifier_column

    def feedback_dialect(self) -> Dialect:
        return _dialect(self.config)

    def files(self, ctx: RunContext) -> list:
        location = contained_storage_path(self.config.path, ctx.profile_dir)
        files = expand_paths(location)
        if files == [location] and not location.exists():
            raise FeedError(f"feed file not found: {location}")
        if local_part(self.config.path) is not None:  # a file the glob found may be a symlink that leaves
            for file in files:
                check_local(file.path, ctx.profile_dir, glob=False)
        return files

    def extract(self, ctx: RunContext) -> list[dict]:
        dialect = _dialect(self.config)
        wanted = set(ctx.window.identifiers) if ctx.window and ctx.window.mode == "manual" else None
        if ctx.window and ctx.window.mode == "full" and ctx.params.full_sync:
            ctx.log.info("a feed is always read whole: full_sync changes nothing for a feed source")
        files = self.files(ctx)
        if not files:
            ctx.log.warning("no feed file matches %s: nothing to do", self.config.path)
        chunks: list[dict] = []
        first_seen: dict[str, str] = {}  # identifier → where it first appeared (across every file)
        for path in files:
            with open_feed(path, dialect) as handle:
                header, rows = read_rows(handle, dialect)
                self._check_header(path, header, wanted)
                unknown = unknown_references(ctx.profile.mapping, header)
                if unknown:  # before any chunk is staged: nothing is written or published
                    raise FeedError(f"{path}: " + "; ".join(unknown))
                column = self.config.identifier_column
                id_position = header.index(column) if column in header else None
                batch: list[dict] = []
                for row in rows:
                    identifier = ""
                    if id_position is not None and id_position < len(row.values):
                        identifier = row.values[id_position].strip()
                    if wanted is not None and identifier not in wanted:
                        continue
                    record = {"n": len(batch), "row": row.row, "values": row.values}
                    if len(row.values) != len(header):
                        record["error"] = ["malformed_line", f"line has {len(row.values)} fields, the header has {len(header)}"]
                    elif identifier and identifier in first_seen:
                        record["error"] = ["duplicate_identifier",
                                           f"{column} {identifier!r} already appears on {first_seen[identifier]}"]
                    elif identifier:
                        first_seen[identifier] = f"row {row.row}" + (f" of {path.name}" if len(files) > 1 else "")
                    batch.append(record)
                    if len(batch) == ctx.profile.chunk_size:
                        chunks.append(self._write_chunk(ctx, len(chunks), path, header, batch))
                        batch = []
                if batch:
                    chunks.append(self._write_chunk(ctx, len(chunks), path, header, batch))
            ctx.log.info("read %s", path)
        return chunks

    def _check_header(self, path, header: list[str], wanted) -> None:
        if not header or all(not name.strip() for name in header):
            raise FeedError(f"{path}: the feed has no header line")
        twice = [name for name, count in Counter(header).items() if count > 1]
        if twice:
            raise FeedError(f"{path}: column(s) {', '.join(map(repr, twice))} appear more than once in the header")
        if wanted is not None and self.config.identifier_column not in header:
            raise FeedError(f"{path}: identifier column {self.config.identifier_column!r} is not in the header")

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
        return SourceChunk(frame.fillna(""), refused, header, originals, origin=first["file"])


class FeedTargetKind(TargetKind):
    def load(self, ctx: RunContext, index: int, flat_path) -> dict:
        """The staged rows become this chunk's part of the output (published whole by commit)."""
        rows = read_flat(flat_path)
        part = ctx.staging.output(f"part-{index:05d}.csv")
        with part.open("w", encoding="utf-8", newline="") as sink:
            writer = FeedWriter(sink, list(rows.columns), _dialect(self.config))
            for values in rows.itertuples(index=False, name=None):
                writer.write(list(values))
        status = (lambda n: RecordResult.would_write(n)) if ctx.params.dry_run else (
            lambda n: RecordResult(n=n, status=Status.WRITTEN))
        results = ledger.record(ctx.staging, "load", index, [status(int(n)) for n in rows.index])
        return {**ledger.counts(results), "part": str(part)}

    def commit(self, ctx: RunContext, loads: list[dict], dry_run: bool) -> dict:
        dialect = _dialect(self.config)
        destination = contained_storage_path(self.config.path.format(**ctx.template_vars), ctx.profile_dir)
        if dry_run:
            destination = ctx.staging.dry_run(destination.name)
        parts = [as_storage_path(load["part"]) for load in sorted(loads, key=lambda l: l["index"]) if load.get("part")]
        header: list[str] = []
        for part in parts:
            with part.open("r", encoding="utf-8", newline="") as handle:
                for name in next(csv.reader(handle, delimiter=dialect.delimiter, quotechar=dialect.quotechar), []):
                    if name not in header:
                        header.append(name)
        if not header:  # nothing to write this run: still a well-formed feed with its header
            header = ctx.profile.mapping.output_columns([])
        destination.parent.mkdir(parents=True, exist_ok=True)
        temporary = destination.parent / f".{destination.name}.pimflow-tmp"
        rows = 0
        with temporary.open("w", encoding=self.config.encoding, newline="") as sink:
            cells = neutralised_row if self.config.escape_formulas else list
            writer = FeedWriter(sink, cells(header), dialect)
            for part in parts:
                with part.open("r", encoding="utf-8", newline="") as handle:
                    reader = csv.DictReader(handle, delimiter=dialect.delimiter, quotechar=dialect.quotechar)
                    for row in reader:
                        writer.write(cells(row.get(name, "") for name in header))
                        rows += 1
        temporary.rename(destination)
        ctx.log.info("%s %d row(s) to %s", "dry run: would write" if dry_run else "wrote", rows, destination)
        return {"output": str(destination), "output_rows": rows}
