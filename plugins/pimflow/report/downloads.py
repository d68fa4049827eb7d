"""A staged file sent to the browser in chunks: a run's output or feedback file may be hundreds of
megabytes on an object store, so it is never read whole, and the download names the run it is from."""
from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from urllib.parse import quote

from pimflow.staging import safe_name

#: Bytes read from the storage and sent at a time.
CHUNK_BYTES = 256 * 1024

CONTENT_TYPES = {
    ".csv": "text/csv",  # in the profile's encoding (the feedback file in the source feed's)
    ".jsonl": "application/x-ndjson",
    ".json": "application/json",
}


def content_type(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def download_name(dag_id: str, run_id: str, name: str) -> str:
    """`{dag}-{run}-{name}`: downloads of several runs do not overwrite each other."""
    return f"{safe_name(dag_id)}-{safe_name(run_id)}-{name}"


def content_disposition(filename: str) -> str:
    """An attachment with its file name (ASCII as is, and RFC 6266's `filename*` for the rest)."""
    plain = "".join(char if 32 <= ord(char) < 127 and char not in '"\\' else "_" for char in filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def chunks(handle, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The open file's bytes, `size` at a time; the file is closed when the last chunk is sent or the
    download is abandoned."""
    try:
        while True:
            block = handle.read(size)
            if not block:
                return
            yield block
    finally:
        handle.close()
