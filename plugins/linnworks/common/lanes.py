"""Run the writer's calls: one lane per method side by side, batches cut at the method's limit.

Linnworks' quotas are per method, so a lane per method lets every quota be used at once: a lane
waiting for its quota does not hold up the others. A task catches its own data errors (a refused
call refuses its SKUs); anything else it raises (auth, throttling that never ended, a bug) stops
every lane and is raised once the calls in flight are done.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from linnworks.api.batching import chunked
from linnworks.api.errors import (
    LinnworksAuthError,
    LinnworksConfigError,
    LinnworksQuotaExceeded,
    LinnworksRequestError,
    LinnworksServerError,
)
from linnworks.common.report import Tally

T = TypeVar("T")
Task = Callable[[], None]
# Errors that concern the data or the call at hand: its SKUs are refused and the run goes on.
DATA_ERRORS = (LinnworksRequestError, LinnworksServerError)
# Errors about the connection, never about one SKU: they stop the run.
FATAL_ERRORS = (LinnworksAuthError, LinnworksConfigError, LinnworksQuotaExceeded)


def run_lanes(lanes: dict[str, list[Task]], workers: int) -> None:
    """Each lane's tasks in order, lanes side by side, about `workers` threads in all (1+ per lane)."""
    queues = [deque(tasks) for tasks in lanes.values() if tasks]
    if not queues:
        return
    per_lane = max(1, workers // len(queues))
    stop = threading.Event()

    def drain(queue: deque) -> None:
        while not stop.is_set():
            try:
                task = queue.popleft()
            except IndexError:
                return
            try:
                task()
            except BaseException:
                stop.set()
                raise

    drainers = [queue for queue in queues for _ in range(min(per_lane, len(queue)))]
    if len(drainers) == 1:
        drain(drainers[0])
        return
    with ThreadPoolExecutor(max_workers=len(drainers), thread_name_prefix="linnworks-writer") as pool:
        futures = [pool.submit(drain, queue) for queue in drainers]
        errors = [future.exception() for future in futures]
    first = next((error for error in errors if error is not None), None)
    if first is not None:
        raise first


def batch_tasks(endpoint: str, rows: Sequence[tuple[str, T]], limit: int, send: Callable[[list[T]], Any],
                tally: Tally, wire: Callable[[T], Any] = lambda row: row, split: bool = True) -> list[Task]:
    """One task per batch of (sku, row) pairs; rows of one SKU may span two batches."""
    return [lambda batch=batch: send_batch(endpoint, batch, send, tally, wire, split)
            for batch in chunked(rows, limit)]


def send_batch(endpoint: str, batch: list[tuple[str, T]], send: Callable[[list[T]], Any], tally: Tally,
               wire: Callable[[T], Any], split: bool) -> None:
    """Send one batch; a 400 refuses its SKUs, or with `split` resends it in halves by SKU first.

    Linnworks' row writes answer nothing per row and land whole or not at all, so halving finds
    the SKUs at fault (about 2·log2(n) more calls per bad SKU) instead of refusing the innocent.
    """
    skus = list(dict.fromkeys(sku for sku, _ in batch))
    tally.called(endpoint)
    try:
        send([row for _, row in batch])
    except LinnworksRequestError as exc:
        if split and exc.status == 400 and len(skus) > 1:  # 404 & co. are about the call, not a row
            first = set(skus[:len(skus) // 2])
            send_batch(endpoint, [pair for pair in batch if pair[0] in first], send, tally, wire, split)
            send_batch(endpoint, [pair for pair in batch if pair[0] not in first], send, tally, wire, split)
            return
        tally.refuse_error(skus, endpoint, exc, _sent_by_sku(batch, wire))
        return
    except LinnworksServerError as exc:  # retries exhausted: not the data's fault, so no halving
        tally.refuse_error(skus, endpoint, exc, _sent_by_sku(batch, wire))
        return
    tally.wrote(skus)


def _sent_by_sku(batch: Iterable[tuple[str, Any]], wire: Callable[[Any], Any]) -> dict[str, list]:
    sent: dict[str, list] = {}
    for sku, row in batch:
        sent.setdefault(sku, []).append(wire(row))
    return sent
