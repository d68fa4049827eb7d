"""Cut work into the largest batches an endpoint takes and run them a few at a time."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    if size < 1:
        raise ValueError("batch size must be at least 1")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def map_batches(call: Callable[[list[T]], R], items: Sequence[T], size: int, concurrency: int) -> list[R]:
    """`call` on each batch of `items`, up to `concurrency` at once; results in batch order.

    The quotas pace the calls, so concurrency only hides network latency. On the first error the
    batches not yet started are cancelled, and the error is raised once those in flight finish.
    """
    batches = list(chunked(items, size))
    if concurrency <= 1 or len(batches) <= 1:
        return [call(batch) for batch in batches]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(batches)),
                            thread_name_prefix="linnworks") as pool:
        futures = [pool.submit(call, batch) for batch in batches]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise
