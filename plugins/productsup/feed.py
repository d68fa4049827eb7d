"""Writing flat CSV feeds, and where to read them (local paths or any fsspec URL, globs for several files);
reading a feed file is `productsup.reader`."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable, TextIO

from .reader import lift_field_limit

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Dialect:
    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "utf-8"  # read: a UTF-8 feed may start with a byte-order mark (`productsup.reader`)


def expand_paths(location):
    """The files a location names, sorted; a location with `*`, `?` or `[` is a glob."""
    text = str(location)
    if not _GLOB_CHARS & set(text):
        return [location]
    parts = location.parts
    cut = next(i for i, part in enumerate(parts) if _GLOB_CHARS & set(part))
    parent = location.__class__(location)
    for _ in range(len(parts) - cut):
        parent = parent.parent
    pattern = "/".join(parts[cut:])
    if not parent.exists():
        return []
    return sorted((p for p in parent.glob(pattern) if p.is_file()), key=str)


def csv_reader(handle: TextIO, dialect: Dialect | None = None):
    """A csv reader over a file pimflow wrote (a staged chunk, an output part): any cell size, since
    the feed reader already refused the lines whose cells are too large (`productsup.reader`)."""
    lift_field_limit()
    dialect = dialect or Dialect()
    return csv.reader(handle, delimiter=dialect.delimiter, quotechar=dialect.quotechar)


class FeedWriter:
    """Writes rows under a fixed header in the feed's dialect (UTF-8 without BOM by default)."""

    def __init__(self, handle: TextIO, header: list[str], dialect: Dialect, write_header: bool = True):
        self._writer = csv.writer(handle, delimiter=dialect.delimiter, quotechar=dialect.quotechar,
                                  lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        self.header = list(header)
        if write_header:
            self._writer.writerow(self.header)

    def write(self, values: Iterable[str]) -> None:
        self._writer.writerow(values)

    def write_dict(self, row: dict) -> None:
        self._writer.writerow([row.get(name, "") for name in self.header])


def to_csv_text(header: list[str], rows: Iterable[Iterable[str]], dialect: Dialect) -> str:
    buffer = io.StringIO()
    writer = FeedWriter(buffer, header, dialect)
    for row in rows:
        writer.write(row)
    return buffer.getvalue()
