"""The records of a chunk as they came in, kept once by transform for the feedback file.

The feedback file gives each refused record's original line; keeping it when transform decodes the
chunk means no step decodes a source record twice. Layout: `originals/chunk-00000.jsonl`, a header
line (`header`, `origin`: the file the chunk came from, `key`: the column naming a record), then one
`{"n", "values"}` line per record.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from pimflow.staging import write_jsonl


@dataclass
class ChunkOriginals:
    header: list[str]
    lines: dict[int, list[str]] = field(default_factory=dict)  # position → values in header order
    origin: str | None = None
    key_column: str | None = None

    def keys(self) -> dict[int, str]:
        """Each record's key (its value in the key column), where the source names one."""
        if self.key_column not in self.header:
            return {}
        at = self.header.index(self.key_column)
        return {n: values[at] for n, values in self.lines.items() if at < len(values) and values[at]}


def stage_originals(staging, index: int, originals: ChunkOriginals) -> None:
    head = {"header": originals.header, "origin": originals.origin, "key": originals.key_column}
    write_jsonl(staging.originals(index),
                [head, *({"n": n, "values": values} for n, values in sorted(originals.lines.items()))])


def read_originals(staging, index: int) -> ChunkOriginals:
    path = staging.originals(index)
    with path.open("rb") as handle:
        lines = [msgspec.json.decode(line) for line in handle if line.strip()]
    head, records = lines[0], lines[1:]
    return ChunkOriginals(head["header"], {r["n"]: r["values"] for r in records}, head.get("origin"), head.get("key"))
