"""Reading disjoint partitions of a listing at once, yielding their items as one stream.

Workers fetch pages into a small bounded queue, so memory stays constant whatever the catalog
size; the consumer sees items in no particular order. Closing the stream early stops the workers.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

P = TypeVar("P")

_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def iter_concurrently(partitions: Iterable[P], fetch_pages: Callable[[P], Iterator[list[dict]]],
                      workers: int, pages_buffered: int | None = None) -> Iterator[dict]:
    """Yield every item of `fetch_pages(p)` for each partition, `workers` partitions at a time."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    count = 0
    for partition in partitions:
        todo.put(partition)
        count += 1
    workers = max(1, min(workers, count))
    pages: queue.Queue = queue.Queue(maxsize=pages_buffered or workers)
    stop = threading.Event()

    def put(message: object) -> bool:
        while not stop.is_set():
            try:
                pages.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    partition = todo.get_nowait()
                except queue.Empty:
                    return
                for page in fetch_pages(partition):
                    if not put(page):
                        return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(_Failure(exc))
        finally:
            put(_DONE)

    threads = [threading.Thread(target=work, name=f"akeneo-read-{i}", daemon=True)
               for i in range(workers)]
    for thread in threads:
        thread.start()
    running = len(threads)
    try:
        while running:
            message = pages.get()
            if message is _DONE:
                running -= 1
            elif isinstance(message, _Failure):
                raise message.error
            else:
                yield from message
    finally:
        stop.set()
        while any(t.is_alive() for t in threads):
            try:
                pages.get(timeout=0.05)
            except queue.Empty:
                pass
