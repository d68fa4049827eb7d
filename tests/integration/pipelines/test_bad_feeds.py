"""Careless and hostile feeds through a real feed → feed run (`dag.test()`), issue 17.

A file the run cannot read as a feed of its profile fails the run in extract, before any load, with
a message naming the file and what is wrong, without the task's retries; the shop feed published
before stays as it was. A line the run cannot read as the file meant is refused with the file, its
line number and why, in the feedback file; the other lines are published."""
from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PROFILE = """
id: {dag_id}
retries: 2
source: {{kind: feed, path: "{path}", delimiter: ";"}}
target: {{kind: feed, path: out/shop.csv}}
"""
PUBLISHED_BEFORE = "sku,name\nOLD-1,published by an earlier run\n"
NOT_RETRIED = " (not retried: another try would fail the same way)"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PADDING = "".join(f"P-{n};{'padding ' * 8}\n" for n in range(1, 1001))  # 73 KB: past what the reader looks at first


def run_feed(tmp_path: Path, run_profile, files: dict[str, bytes], source: str = "in.csv", allow_empty: bool = False):
    """Run a feed → feed profile over `files` (name → content) with an output published before."""
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    (tmp_path / "incoming").mkdir(exist_ok=True)
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "out" / "shop.csv").write_text(PUBLISHED_BEFORE, encoding="utf-8")
    dag_id = f"bad_feed_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "profile.yaml"
    profile = PROFILE.replace('delimiter: ";"}}', 'delimiter: ";", allow_empty: true}}') if allow_empty else PROFILE
    path.write_text(profile.format(dag_id=dag_id, path=source), encoding="utf-8")
    dag_run, staging = run_profile(path)
    return dag_id, dag_run, staging


def task_tries(dag_id: str, run_id: str) -> dict[str, tuple]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        return {ti.task_id: (ti.state, ti.try_number, ti.max_tries) for ti in
                session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=run_id)}


WHOLE_FILE = [
    # (case, files, source path, what the run says after "<file>: " (None: the message is whole))
    ("missing file", {}, "in.csv", "feed file not found: {dir}/in.csv"),
    ("glob matching nothing", {"incoming/notes.txt": b"sku;name\nA;b\n"}, "incoming/*.csv",
     "no feed file matches incoming/*.csv (in {dir}; source.allow_empty: true makes that normal)"),
    ("empty file", {"in.csv": b""}, "in.csv", "{dir}/in.csv: the file is empty: the feed has no header line"),
    ("blank first line", {"in.csv": b"\n\nsku;name\nA;b\n"}, "in.csv",
     "{dir}/in.csv: the feed has no header line (its first line is blank)"),
    ("header only", {"in.csv": b"sku;name\n\n"}, "in.csv",
     "{dir}/in.csv: the feed has a header line but no data line (an empty feed is not published; source.allow_empty: true makes it normal)"),
    ("one header-only file of a glob", {"incoming/a.csv": b"sku;name\nA;b\n", "incoming/b.csv": b"sku;name\n"},
     "incoming/*.csv",
     "{dir}/incoming/b.csv: the feed has a header line but no data line (an empty feed is not published; source.allow_empty: true makes it normal)"),
    ("identifier column missing", {"in.csv": b"id;name\nA;b\n"}, "in.csv",
     "{dir}/in.csv: identifier column 'sku' is not in the header ('id', 'name'; source.identifier_column)"),
    ("column twice", {"in.csv": b"sku;name;name\nA;b;c\n"}, "in.csv",
     "{dir}/in.csv: column(s) 'name' appear more than once in the header"),
    ("comma-delimited", {"in.csv": b"sku,name,price\nA,b,1.00\n"}, "in.csv",
     "{dir}/in.csv: the header is one column, 'sku,name,price', that holds ',': the file is delimited by ',', "
     "not by ';' as the profile says (source.delimiter)"),
    ("tab-delimited", {"in.csv": b"sku\tname\nA\tb\n"}, "in.csv",
     "{dir}/in.csv: the header is one column, 'sku\\tname', that holds '\\t': the file is delimited by '\\t', "
     "not by ';' as the profile says (source.delimiter)"),
    ("pipe-delimited", {"in.csv": b"sku|name\nA|b\n"}, "in.csv",
     "{dir}/in.csv: the header is one column, 'sku|name', that holds '|': the file is delimited by '|', "
     "not by ';' as the profile says (source.delimiter)"),
    ("JSON object", {"in.csv": b'{"sku": "A", "name": "b"}\n'}, "in.csv",
     "{dir}/in.csv: the file is JSON (it starts with '{{'), not a CSV feed"),
    ("JSON array", {"in.csv": b'\n  [{"sku": "A"}]'}, "in.csv",
     "{dir}/in.csv: the file is JSON (it starts with '['), not a CSV feed"),
    ("PNG image", {"in.csv": PNG}, "in.csv", "{dir}/in.csv: the file is a PNG image, not a CSV feed"),
    ("Excel workbook", {"in.csv": b"PK\x03\x04\x14\x00\x06\x00"}, "in.csv",
     "{dir}/in.csv: the file is a ZIP archive (an Excel .xlsx workbook is one), not a CSV feed"),
    ("UTF-16 text", {"in.csv": "sku;name\nA;b\n".encode("utf-16")}, "in.csv",
     "{dir}/in.csv: the file is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8 as the profile "
     "says (source.encoding)"),
    ("binary data", {"in.csv": b"sku;name\nA;\x00\x01\x02\x03\n"}, "in.csv",
     "{dir}/in.csv: the file is not UTF-8 text: it holds NUL bytes (binary data, or UTF-16 or UTF-32 text "
     "without a byte-order mark)"),
    ("header in Latin-1", {"in.csv": "sku;d\xe9signation\nA;b\n".encode("latin-1")}, "in.csv",
     "{dir}/in.csv: the header line 1 is not valid UTF-8 (byte 0xe9 at column 6)"),
    ("quote never closed in the header", {"in.csv": b'sku;"name\nA;b\n'}, "in.csv",
     "{dir}/in.csv: the header line 1 opens a quote that is never closed (it runs to the end of the file)"),
]


@pytest.mark.parametrize(("files", "source", "message"), [case[1:] for case in WHOLE_FILE],
                         ids=[case[0] for case in WHOLE_FILE])
def test_a_file_that_is_not_a_feed_fails_the_run_at_once_and_publishes_nothing(tmp_path, run_profile, capsys,
                                                                                 files, source, message):
    message = message.format(dir=tmp_path)
    dag_id, dag_run, staging = run_feed(tmp_path, run_profile, files, source)

    assert dag_run.state == "failed"
    tries = task_tries(dag_id, dag_run.run_id)
    assert tries["extract"] == ("failed", 1, 2)  # 2 retries allowed, none used
    assert "load" not in tries or tries["load"][0] != "success"
    assert (tmp_path / "out" / "shop.csv").read_text(encoding="utf-8") == PUBLISHED_BEFORE  # unchanged
    assert not (staging / "output").exists()  # no load wrote a part of an output
    printed = capsys.readouterr().out
    assert f"pimflow.kinds.feed.FeedError: {message}\n" in printed  # the not-retried error, as raised
    assert f"AirflowFailException: {message}{NOT_RETRIED}\n" in printed  # what the task log shows


PER_LINE = [
    # (case, feed, SKUs published in order, feedback rows: the line's cells as read, code, message)
    ("Latin-1 bytes in a UTF-8 feed",
     "sku;name\nA;ok\nB;caf\xe9 cr\xe8me\nC;ok\n".encode("latin-1"), ["A", "C"],
     [["B", "caf\\xe9 cr\\xe8me", "invalid_encoding", "in.csv: line 3 is not valid UTF-8 (byte 0xe9 at column 6)"]]),
    ("a 10 MB cell",
     ("sku;name\nA;ok\nB;" + "x" * 10_000_000 + "\nC;ok\n").encode(), ["A", "C"],
     [["B", "x" * 200 + "... (10,000,000 characters)", "cell_too_large",
       "in.csv: line 3 has a cell of 10,000,000 characters (column 'name'), more than the limit of 1,048,576"]]),
    ("a quote never closed",
     b'sku;name\nA;ok\nB;"Special edition\nC;ok\nD;ok\n', ["A", "C", "D"],
     [["B", "Special edition", "unterminated_quote",
       "in.csv: line 3 opens a quote that is never closed (it runs to the end of the file); the 2 line(s) after "
       "it are read on their own"]]),
    ("a quote still open 1,000 lines later",
     ('sku;name\nA;"Special edition\n' + PADDING + "Z;ok\n").encode(), [f"P-{n}" for n in range(1, 1001)] + ["Z"],
     [["A", "Special edition", "unterminated_quote",
       "in.csv: line 2 opens a quote that is still open 1,000 lines later; the 999 line(s) after it are read on "
       "their own"]]),
    ("a NUL byte in a line",
     ("sku;name\n" + PADDING + "B;x\x00y\nC;ok\n").encode(), [f"P-{n}" for n in range(1, 1001)] + ["C"],
     [["B", "x\\x00y", "binary_data", "in.csv: line 1002 holds a NUL byte at column 4 (binary data, not text)"]]),
    ("a line with a field too many",
     b"sku;name\nA;ok\nB;b;extra\nC;ok\n", ["A", "C"],
     [["B", "b", "malformed_line", "in.csv: line 3 has 3 fields, the header has 2"]]),  # cells under the header
    ("an identifier twice",
     b"sku;name\nA;ok\n\nB;ok\nA;again\n", ["A", "B"],
     [["A", "again", "duplicate_identifier", "in.csv: line 5 repeats sku 'A', already on line 2"]]),
]


@pytest.mark.parametrize(("feed", "published", "refused"), [case[1:] for case in PER_LINE],
                         ids=[case[0] for case in PER_LINE])
def test_a_line_that_cannot_be_read_is_refused_with_its_file_and_line_and_the_others_go_on(
        tmp_path, run_profile, feed, published, refused):
    dag_id, dag_run, staging = run_feed(tmp_path, run_profile, {"in.csv": feed})

    assert dag_run.state == "success"
    with (tmp_path / "out" / "shop.csv").open(encoding="utf-8", newline="") as handle:
        output = list(csv.reader(handle))
    assert output[0] == ["sku", "name"]
    assert [row[0] for row in output[1:]] == published
    assert all(len(row) == 2 and "x" * 1000 not in row[1] for row in output[1:])  # no swallowed or giant cell
    with (staging / "feedback.csv").open(encoding="utf-8", newline="") as handle:
        feedback = list(csv.reader(handle, delimiter=";"))
    assert feedback == [["sku", "name", "code", "message"], *refused]


@pytest.mark.parametrize(("files", "source", "published"), [
    ({}, "incoming/*.csv", ""),  # a glob matching nothing: no header to publish either
    ({"in.csv": b"sku;name\n"}, "in.csv", "sku,name\n"),  # a header line and no data line
], ids=["glob matching nothing", "header only"])
def test_a_profile_that_allows_an_empty_feed_publishes_no_line(tmp_path, run_profile, files, source, published):
    dag_id, dag_run, _ = run_feed(tmp_path, run_profile, files, source, allow_empty=True)
    assert dag_run.state == "success"
    assert (tmp_path / "out" / "shop.csv").read_text(encoding="utf-8") == published
