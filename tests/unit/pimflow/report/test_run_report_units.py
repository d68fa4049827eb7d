"""The report's small parts on their own: a download streamed in chunks (never read whole), its
headers, and the names that may not reach the storage."""
from __future__ import annotations

import io

import pytest

from pimflow.report import downloads
from pimflow.report.store import ReportError, checked_file_name, checked_id


class CountingFile(io.BytesIO):
    """A file that records every read's size, and whether it was closed."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        return super().read(size)


def test_a_download_is_read_and_sent_a_chunk_at_a_time_and_the_file_is_closed():
    data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and 4 bytes
    handle = CountingFile(data)
    sent = list(downloads.chunks(handle, size=64 * 1024))
    assert b"".join(sent) == data
    assert len(sent) == 17 and all(len(block) <= 64 * 1024 for block in sent)
    assert set(handle.reads) == {64 * 1024}  # never read(-1): never the whole file at once
    assert handle.closed


def test_an_abandoned_download_closes_its_file():
    handle = CountingFile(b"x" * 1000)
    stream = downloads.chunks(handle, size=100)
    assert next(stream) == b"x" * 100
    stream.close()  # the browser went away
    assert handle.closed and len(handle.reads) == 1


def test_a_download_names_its_run_and_says_its_type():
    name = downloads.download_name("shop_feed", "manual__2026-03-01T10:00:00+00:00", "feedback.csv")
    assert name == "shop_feed-manual__2026-03-01T10_00_00_00_00-feedback.csv"
    assert downloads.content_disposition(name) == (f'attachment; filename="{name}"; filename*=UTF-8\'\'{name}')
    assert downloads.content_disposition('a"b\\é.csv') == ('attachment; filename="a_b__.csv"; '
                                                           "filename*=UTF-8''a%22b%5C%C3%A9.csv")
    assert [downloads.content_type(n) for n in ("a.csv", "a.jsonl", "a.json", "a.bin", "README")] == [
        "text/csv", "application/x-ndjson", "application/json", "application/octet-stream",
        "application/octet-stream"]


@pytest.mark.parametrize("name", ["..", "../state.json", "a/b.csv", ".hidden", "", "a..b", "/etc/passwd",
                                  "x" * 300, "a b.csv", "a\\b.csv", "a%2Fb"])
def test_a_file_name_that_is_not_a_plain_name_is_refused(name):
    with pytest.raises(ReportError) as refused:
        checked_file_name(name)
    assert refused.value.status == 400 and "file name" in refused.value.message


@pytest.mark.parametrize("name", ["part-00000.csv", "diff-00012.csv", "akeneo-products-00000.jsonl",
                                  "shop_products.csv", "feed@2026+1.csv"])
def test_the_names_pimflow_writes_are_accepted(name):
    assert checked_file_name(name) == name


def test_ids_that_would_leave_the_staging_base_are_refused():
    for value in ("..", ".", "", "x" * 251):
        with pytest.raises(ReportError):
            checked_id(value, "run_id")
    assert checked_id("manual__2026-03-01T10:00:00+00:00", "run_id") == "manual__2026-03-01T10_00_00_00_00"
    assert checked_id("../../etc", "dag_id") == ".._.._etc"  # one folder name: no separator survives
