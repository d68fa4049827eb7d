"""Reading a feed file so that a careless or hostile one is refused early and clearly, whole or line
by line, and never read as something it is not.

Whole-file problems raise `FeedError` before any data line is read: a file that is not text (a PNG,
a ZIP or Excel workbook, NUL bytes), text in another encoding than the declared one (a UTF-16 or
UTF-32 byte-order mark), JSON, an empty file, a header line that cannot be read, or a header that
is one cell holding another common delimiter (the file is delimited by something else).

Every other problem belongs to one line: the reader yields that line with its problem
(`FeedRow.problem`: code and reason) and goes on with the next one.
- Lines are decoded one at a time, so a byte the declared encoding cannot read refuses its line
  only (the line is then read with the byte written as `\\xe9`).
- A cell over `MAX_CELL_CHARS` refuses its line (the csv module's own limit raised an error that
  stopped the whole file, so it is lifted: pimflow decides).
- A quoted field still open at the end of the file, or `MAX_QUOTED_LINES` lines after it opened,
  refuses the line that opened it; the lines it took in are read again, on their own.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import deque
from typing import BinaryIO, Iterator, NamedTuple

from .errors import FeedError

#: The largest cell a feed line may hold (characters); a larger one refuses its line.
MAX_CELL_CHARS = 1 << 20
#: A quoted field spanning more physical lines than this is taken for an unterminated quote.
MAX_QUOTED_LINES = 1000
#: The csv module's field limit, lifted (2**31 - 1 fits a C long everywhere).
_CSV_FIELD_LIMIT = 2**31 - 1
#: How much of the file is looked at to tell what it is (text, binary, JSON).
SNIFF_BYTES = 1 << 16
COMMON_DELIMITERS = (",", ";", "\t", "|")
#: How a refused line's oversized cell is kept for the feedback file: its start only.
KEPT_OF_LARGE_CELL = 200

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document (an Excel .xls workbook?)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)
#: UTF-32 LE's mark starts with UTF-16 LE's: the longer ones first.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)


def lift_field_limit() -> None:
    """Let the csv module read any cell: pimflow refuses oversized cells itself, line by line."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)


class FeedRow(NamedTuple):
    """One data record: `line` is the physical line it starts on (the header is line 1); `problem`
    is (code, reason) when the reader could not read it as the file meant, the reason starting
    with `line N`."""

    line: int
    values: list[str]
    problem: tuple[str, str] | None = None


class _Line(NamedTuple):
    number: int
    text: str
    problem: tuple[str, str] | None  # (code, what is wrong with this line, without its number)


class _QuoteRunsOn(Exception):
    """A quoted field took in MAX_QUOTED_LINES lines and is still open."""


class _Lines:
    """The file's lines as the csv module reads them, one at a time: remembers which lines the
    record being read took in (their numbers and problems), and hands lines out again when a
    runaway quote's record is undone."""

    def __init__(self, raw: Iterator[bytes], decode):
        self._raw = raw
        self._decode = decode
        self._again: deque[_Line] = deque()
        self.read = 0  # physical lines read from the file
        self.taken: list[_Line] = []  # the lines of the record being read
        self.chars = 0  # their characters
        self.ended_open = False  # the file ended inside the record: a quote never closed

    def start_record(self) -> None:
        self.taken, self.chars, self.ended_open = [], 0, False

    def read_again(self, lines: list[_Line]) -> None:
        self._again.extendleft(reversed(lines))

    def __iter__(self):
        return self

    def __next__(self) -> str:
        taken = self.taken
        if len(taken) >= MAX_QUOTED_LINES:  # asked for one more line: the quote is still open
            raise _QuoteRunsOn
        if self._again:
            line = self._again.popleft()
        else:
            raw = next(self._raw, None)
            if raw is None:
                self.ended_open = bool(taken)
                raise StopIteration
            self.read += 1
            text, problem = self._decode(raw)
            line = _Line(self.read, text, problem)
        taken.append(line)
        self.chars += len(line.text)
        return line.text


def _shown(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "ascii": "ASCII"}.get(name, encoding)


def _line_decoder(encoding: str):
    """bytes of one line → (text, problem): a byte the encoding cannot read is a problem of the line,
    which is then read with that byte escaped. Every line ends with a line break (the last one gets
    one), so a record the csv module reads past the end of the file is an open quote."""
    shown = _shown(encoding)

    def decode(raw: bytes) -> tuple[str, tuple[str, str] | None]:
        problem = None
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            column = len(raw[:exc.start].decode(encoding, "replace")) + 1
            problem = ("invalid_encoding", f"is not valid {shown} (byte 0x{raw[exc.start]:02x} at column {column})")
            text = raw.decode(encoding, "backslashreplace")
        if "\x00" in text:  # the csv module refuses NUL: the line is refused, the others go on
            problem = problem or ("binary_data", f"holds a NUL byte at column {text.index(chr(0)) + 1} "
                                                 "(binary data, not text)")
            text = text.replace("\x00", "\\x00")
        if not text.endswith(("\n", "\r")):
            text += "\n"
        return text, problem

    return decode


def _physical_lines(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Lines ended by LF, CRLF or a lone CR (as text files with universal newlines)."""
    for raw in lines:
        if b"\r" in raw:
            yield from raw.splitlines(keepends=True)
        else:
            yield raw


def _breaks_are_bytes(encoding: str) -> bool:
    """Whether line breaks are the bytes CR and LF in this encoding (UTF-8, Latin-1, cp1252...: a
    file's lines can be split before they are decoded), unlike UTF-16 or UTF-32."""
    try:
        return "\r\n;".encode(encoding) == b"\r\n;"
    except (UnicodeError, LookupError):
        return False


def sniff(head: bytes, encoding: str) -> str | None:
    """What is wrong with a file that starts with `head` as a feed in `encoding` (None: nothing)."""
    declared = codecs.lookup(encoding).name
    for mark, name in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            if name.lower().replace("-", "") in declared.replace("-", "").replace("_", ""):
                return None
            return (f"the file is {name} text (it starts with a {name} byte-order mark), "
                    f"not {_shown(encoding)} as the profile says (source.encoding)")
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return f"the file is {name}, not a CSV feed"
    if not _breaks_are_bytes(encoding):
        return None  # UTF-16 or UTF-32 declared: the text decoder says whether the file is that
    if b"\x00" in head:
        return (f"the file is not {_shown(encoding)} text: it holds NUL bytes (binary data, or UTF-16 or "
                "UTF-32 text without a byte-order mark)")
    start = head[len(codecs.BOM_UTF8):] if head.startswith(codecs.BOM_UTF8) else head
    start = start.lstrip()
    if start[:1] in (b"{", b"["):
        return f"the file is JSON (it starts with {start[:1].decode()!r}), not a CSV feed"
    return None


class FeedReader:
    """A feed file's header and data records. Raises `FeedError` (what is wrong, without the file's
    name) for a whole-file problem; yields every data record, a line it could not read as the file
    meant with its `problem`. Blank lines are skipped."""

    def __init__(self, handle: BinaryIO, delimiter: str, quotechar: str, encoding: str):
        lift_field_limit()
        self.delimiter = delimiter
        self.quotechar = quotechar
        self.header: list[str] = []
        self.records = 0  # data records read so far (blank lines not counted)
        if codecs.lookup(encoding).name == "utf-8-sig":
            encoding = "utf-8"  # the mark is taken off below, whichever way UTF-8 is spelled
        head = handle.read(SNIFF_BYTES)
        problem = sniff(head, encoding)
        if problem:
            raise FeedError(problem)
        whole = itertools.chain(io.BytesIO(head + handle.readline()), handle)
        if _breaks_are_bytes(encoding):
            if codecs.lookup(encoding).name == "utf-8" and head.startswith(codecs.BOM_UTF8):
                first = next(whole)[len(codecs.BOM_UTF8):]  # Excel writes the mark first
                whole = itertools.chain([first], whole)
            raw_lines = _physical_lines(whole)
            decode = _line_decoder(encoding)
        else:  # UTF-16 or UTF-32: decoded whole; a byte it cannot read stops the file, named
            raw_lines = _text_lines(whole, encoding)
            decode = lambda text: (text if text.endswith(("\n", "\r")) else text + "\n", None)  # noqa: E731
        self._lines = _Lines(raw_lines, decode)
        self._csv = csv.reader(self._lines, delimiter=delimiter, quotechar=quotechar, strict=False)
        self.header = self._read_header()

    def _read_header(self) -> list[str]:
        row = self._next(header=True)
        if row is None:
            raise FeedError("the file is empty: the feed has no header line")
        if row.problem:
            raise FeedError(f"the header {row.problem[1]}")
        if not row.values or all(not name.strip() for name in row.values):
            raise FeedError("the feed has no header line (its first line is blank)")
        header = row.values
        if len(header) == 1:
            others = [d for d in COMMON_DELIMITERS if d != self.delimiter and d in header[0]]
            if others:
                shown = header[0] if len(header[0]) <= 60 else header[0][:57] + "..."
                found = " and ".join(repr(d) for d in others)
                raise FeedError(f"the header is one column, {shown!r}, that holds {found}: the file is "
                                f"delimited by {others[0]!r}, not by {self.delimiter!r} as the profile says "
                                "(source.delimiter)")
        return header

    def __iter__(self) -> Iterator[FeedRow]:
        while True:
            row = self._next()
            if row is None:
                return
            if not row.values or row.values == [""]:
                if row.problem is None:
                    continue  # a blank line
            self.records += 1
            yield row

    def _next(self, header: bool = False) -> FeedRow | None:
        """The next record as the csv module reads it, or the line a problem made it refuse."""
        lines = self._lines
        lines.start_record()
        try:
            values = next(self._csv)
        except StopIteration:
            return None
        except _QuoteRunsOn:
            return self._unterminated(f"is still open {MAX_QUOTED_LINES:,} lines later", header)
        except csv.Error as exc:  # anything else the csv module cannot read: that record only
            first = lines.taken[0]
            return FeedRow(first.number, self._alone(first),
                           ("malformed_line", f"line {first.number} cannot be read as CSV ({exc})"))
        if lines.ended_open:
            return self._unterminated("is never closed (it runs to the end of the file)", header)
        taken = lines.taken
        first = taken[0]
        if first.problem or len(taken) > 1:
            for line in taken:
                if line.problem:
                    code, what = line.problem
                    return FeedRow(first.number, values, (code, f"line {line.number} {what}"))
        if lines.chars > MAX_CELL_CHARS:  # only then can a cell be too large
            return self._large_cells(first.number, values)
        return FeedRow(first.number, values)

    def _unterminated(self, how: str, header: bool) -> FeedRow:
        """The record a quote never closed: its first line is refused, the lines the quote took in
        are read again on their own (a header's: the file stops there)."""
        first, rest = self._lines.taken[0], self._lines.taken[1:]
        after = ""
        if rest and not header:
            self._lines.read_again(rest)
            after = f"; the {len(rest):,} line(s) after it are read on their own"
        return FeedRow(first.number, self._alone(first),
                       ("unterminated_quote", f"line {first.number} opens a quote that {how}{after}"))

    def _alone(self, line: _Line) -> list[str]:
        """A line's cells read on its own (for the feedback file)."""
        text = line.text.rstrip("\r\n")
        return next(csv.reader([text], delimiter=self.delimiter, quotechar=self.quotechar, strict=False), [])

    def _large_cells(self, number: int, values: list[str]) -> FeedRow:
        large = [i for i, value in enumerate(values) if len(value) > MAX_CELL_CHARS]
        if not large:
            return FeedRow(number, values)
        at = large[0]
        column = f" (column {self.header[at]!r})" if at < len(self.header) else f" (field {at + 1})"
        what = (f"line {number} has a cell of {len(values[at]):,} characters{column}, more than the "
                f"limit of {MAX_CELL_CHARS:,}")
        kept = list(values)
        for i in large:  # the feedback file keeps the start of such a cell, not megabytes of it
            kept[i] = f"{values[i][:KEPT_OF_LARGE_CELL]}... ({len(values[i]):,} characters)"
        return FeedRow(number, kept, ("cell_too_large", what))


def _text_lines(whole: Iterator[bytes], encoding: str) -> Iterator[str]:
    """An encoding whose line breaks are not single bytes (UTF-16, UTF-32): the file decoded as one
    stream; a byte it cannot read is a whole-file error (the lines cannot be told apart)."""
    stream = io.TextIOWrapper(_IterStream(whole), encoding=encoding, newline="")
    number = 0
    while True:
        try:
            text = stream.readline()
        except UnicodeDecodeError as exc:
            raise FeedError(f"the file is not valid {encoding} text after line {number} ({exc.reason})") from None
        if not text:
            return
        number += 1
        yield text


class _IterStream(io.RawIOBase):
    """Bytes from an iterator of byte strings, as a stream TextIOWrapper can read."""

    def __init__(self, parts: Iterator[bytes]):
        self._parts = parts
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            self._rest = next(self._parts, b"")
            if not self._rest:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size
