"""The feed reader: whole-file problems raise before any line is read; a line it cannot read as the
file meant comes back with its problem, and the lines after it are still read (issue 17)."""
from __future__ import annotations

import io

import pytest

from productsup import reader as reader_module
from productsup.errors import FeedError
from productsup.reader import FeedReader


def read(data: bytes | str, delimiter: str = ";", encoding: str = "utf-8"):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    feed = FeedReader(io.BytesIO(raw), delimiter, '"', encoding)
    return feed.header, [(row.line, row.values, row.problem) for row in feed]


def whole_file_error(data: bytes | str, **kwargs) -> str:
    with pytest.raises(FeedError) as caught:
        read(data, **kwargs)
    return str(caught.value)


def test_a_clean_feed_reads_with_line_numbers_blank_lines_skipped_and_any_line_break():
    header, rows = read('\ufeffsku;name\r\nA;"two\nlines"\r\n\r\nB;b\rC;c')
    assert header == ["sku", "name"]  # Excel's byte-order mark is not part of the first column's name
    assert rows == [(2, ["A", "two\nlines"], None), (5, ["B", "b"], None), (6, ["C", "c"], None)]


def test_a_line_not_valid_in_the_declared_encoding_is_refused_alone_with_its_byte_and_column():
    header, rows = read("sku;name\nA;ok\nB;caf\xe9 cr\xe8me\nC;ok\n".encode("latin-1"))
    assert rows == [
        (2, ["A", "ok"], None),
        (3, ["B", "caf\\xe9 cr\\xe8me"], ("invalid_encoding", "line 3 is not valid UTF-8 (byte 0xe9 at column 6)")),
        (4, ["C", "ok"], None),
    ]


def test_the_declared_encoding_reads_what_utf8_would_refuse():
    header, rows = read("sku;n\xe4me\nB;caf\xe9\n".encode("latin-1"), encoding="latin-1")
    assert header == ["sku", "n\xe4me"] and rows == [(2, ["B", "caf\xe9"], None)]


def test_utf16_declared_is_read_whole():
    header, rows = read("sku;name\nA;\u00e9t\u00e9\n".encode("utf-16"), encoding="utf-16")
    assert header == ["sku", "name"] and rows == [(2, ["A", "\u00e9t\u00e9"], None)]


def test_a_quote_never_closed_refuses_its_line_and_the_lines_it_took_in_are_read_on_their_own():
    header, rows = read('sku;name\nA;"open\nB;b\nC;c\n')
    assert rows == [
        (2, ["A", "open"], ("unterminated_quote", "line 2 opens a quote that is never closed (it runs to the end of "
                                                  "the file); the 2 line(s) after it are read on their own")),
        (3, ["B", "b"], None),
        (4, ["C", "c"], None),
    ]


def test_a_quote_still_open_after_the_line_limit_is_taken_for_an_unterminated_one(monkeypatch):
    monkeypatch.setattr(reader_module, "MAX_QUOTED_LINES", 3)
    header, rows = read('sku;name\nA;"open\nB;b\nC;c\nD;"x\ny"\n')
    assert rows == [
        (2, ["A", "open"], ("unterminated_quote", "line 2 opens a quote that is still open 3 lines later; the 2 "
                                                  "line(s) after it are read on their own")),
        (3, ["B", "b"], None),
        (4, ["C", "c"], None),
        (5, ["D", "x\ny"], None),  # a quoted line break within the limit is a cell's
    ]


def test_a_cell_over_the_limit_refuses_its_line_and_keeps_only_its_start_for_the_feedback(monkeypatch):
    monkeypatch.setattr(reader_module, "MAX_CELL_CHARS", 12)
    monkeypatch.setattr(reader_module, "KEPT_OF_LARGE_CELL", 3)
    header, rows = read("sku;description\nA;short\nB;" + "x" * 13 + "\nC;c\n")
    assert rows == [
        (2, ["A", "short"], None),
        (3, ["B", "xxx... (13 characters)"],
         ("cell_too_large", "line 3 has a cell of 13 characters (column 'description'), more than the limit of 12")),
        (4, ["C", "c"], None),
    ]


def test_cells_over_the_csv_modules_own_limit_are_read():
    header, rows = read("sku;description\nA;" + "x" * 200_000 + "\n")
    assert rows == [(2, ["A", "x" * 200_000], None)]


def test_a_nul_byte_after_the_files_start_refuses_its_line(monkeypatch):
    monkeypatch.setattr(reader_module, "SNIFF_BYTES", 16)
    header, rows = read("sku;name\nA;ok\nB;x\x00y\nC;ok\n")
    assert rows == [
        (2, ["A", "ok"], None),
        (3, ["B", "x\\x00y"], ("binary_data", "line 3 holds a NUL byte at column 4 (binary data, not text)")),
        (4, ["C", "ok"], None),
    ]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty: the feed has no header line"),
    (b"\n\nsku\n", "the feed has no header line (its first line is blank)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "the file is a PNG image, not a CSV feed"),
    (b"PK\x03\x04\x14\x00", "the file is a ZIP archive (an Excel .xlsx workbook is one), not a CSV feed"),
    ("sku;name\nA;b\n".encode("utf-16"),
     "the file is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8 as the profile says (source.encoding)"),
    ("sku;name\n".encode("utf-16-le"),
     "the file is not UTF-8 text: it holds NUL bytes (binary data, or UTF-16 or UTF-32 text without a byte-order mark)"),
    (b'  {"sku": "A"}', "the file is JSON (it starts with '{'), not a CSV feed"),
    (b'\xef\xbb\xbf[{"sku": "A"}]', "the file is JSON (it starts with '['), not a CSV feed"),
    (b"sku,name\nA,b\n", "the header is one column, 'sku,name', that holds ',': the file is delimited by ',', not by "
                         "';' as the profile says (source.delimiter)"),
    (b"sku\tname|x\n", "the header is one column, 'sku\\tname|x', that holds '\\t' and '|': the file is delimited by "
                       "'\\t', not by ';' as the profile says (source.delimiter)"),
    (b"sku;n\xe4me\nA;b\n", "the header line 1 is not valid UTF-8 (byte 0xe4 at column 6)"),
    (b'sku;"name\nA;b\n', "the header line 1 opens a quote that is never closed (it runs to the end of the file)"),
])
def test_whole_file_problems_raise_before_any_line_is_read(data, message):
    assert whole_file_error(data) == message


def test_a_one_column_feed_is_a_feed():
    assert read("sku\nA\n") == (["sku"], [(2, ["A"], None)])
