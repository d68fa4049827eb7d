"""Client-side quotas: per-method windows, counted from completion, shared by threads."""
from __future__ import annotations

import threading
import time

import pytest
from linnworks_unit_helpers import make_settings

from linnworks.api.endpoints import ENDPOINTS
from linnworks.api.quota import MethodWindow, QuotaBook, shared_quota_book
from tests.fakes import FakeClock as SharedFakeClock


class FakeClock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_window_admits_limit_calls_then_waits_until_the_oldest_completion_leaves():
    clock = FakeClock()
    window = MethodWindow(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert window.wait_time(clock.now) == 0
        window.acquire()
        clock.now += 1
        window.release()  # completions at 101, 102, 103
    assert window.wait_time(clock.now) == pytest.approx(101 + 60 - clock.now)
    clock.now = 161.0
    assert window.wait_time(clock.now) == 0


def test_calls_in_flight_hold_their_place_until_they_complete():
    clock = FakeClock()
    window = MethodWindow(limit=2, window=10, clock=clock)
    window.acquire()
    window.acquire()
    clock.now += 100  # long after the window, but both calls are still in flight
    assert window.wait_time(clock.now) == float("inf")
    window.release()
    assert window.wait_time(clock.now) > 0  # the completed call now counts for a full window
    clock.now += 10
    assert window.wait_time(clock.now) == 0


def test_pause_holds_callers_even_with_free_slots():
    clock = FakeClock()
    window = MethodWindow(limit=100, window=60, clock=clock)
    window.pause(5)
    assert window.wait_time(clock.now) == pytest.approx(5)
    clock.now += 5
    assert window.wait_time(clock.now) == 0


def test_book_sizes_each_method_from_the_documented_table_and_overrides():
    settings = make_settings(quota_overrides={"Inventory/AddInventoryItemBulk": 40}, quota_share=0.5)
    book = QuotaBook(settings)
    assert book.window("Inventory/AddInventoryItemBulk").limit == 20
    assert book.window("Stock/GetStockLevel_Batch").limit == 125  # 250 documented, half the share
    assert book.window("Stock/GetStockItemsFull").limit == 75


def test_threads_sharing_a_book_never_exceed_the_limit_within_a_window():
    # Fake time: a thread that must wait makes the clock jump to its deadline; no real waiting.
    clock = SharedFakeClock()
    settings = make_settings(quota_overrides={"Stock/GetStockLevel": 5}, quota_window_seconds=0.25)
    book = QuotaBook(settings, clock=clock, wait=clock.wait)
    starts: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(3):
            with book.slot("Stock/GetStockLevel"):
                with lock:
                    starts.append(clock())
                time.sleep(0.001)  # hold the slot a moment so the threads really interleave

    threads = [threading.Thread(target=worker) for _ in range(4)]
    began = clock()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)  # only stops a hung test
    assert not any(thread.is_alive() for thread in threads)
    starts.sort()
    assert len(starts) == 12 and book.usage()["Stock/GetStockLevel"][0] == 12
    # 12 calls at 5 per 0.25 s: the 6th and 11th must each wait for a window to pass.
    assert starts[:5] == [began] * 5
    assert starts[5] - began >= 0.25
    assert starts[10] - began >= 0.5
    for i in range(len(starts) - 5):
        assert starts[i + 5] - starts[i] >= 0.25
    assert clock.waits and all(wait > 0 for wait in clock.waits)


def test_a_waiting_caller_waits_exactly_until_the_oldest_completion_leaves_the_window():
    clock = SharedFakeClock()
    window = MethodWindow(limit=2, window=0.5, clock=clock, wait=clock.wait)
    for _ in range(2):
        window.acquire()
        window.release()
    clock.advance(0.125)
    assert window.acquire() == 0.375  # seconds waited, by the clock the window was given
    assert clock.waits == [0.375]


def test_book_is_shared_per_connection_and_separate_for_another_account():
    one = shared_quota_book(make_settings())
    again = shared_quota_book(make_settings())
    other = shared_quota_book(make_settings(installation_token="another-installation-token"))
    assert one is again
    assert other is not one


def test_every_documented_quota_is_150_or_250_per_minute():
    assert {endpoint.per_minute for endpoint in ENDPOINTS.values()} == {150, 250}
    assert ENDPOINTS["Inventory/AddInventoryItemBulk"].per_minute == 150
    assert ENDPOINTS["Stock/GetStockLevel_Batch"].per_minute == 250
    assert ENDPOINTS["Inventory/CreateInventoryItemTitles"].per_minute == 150
    assert ENDPOINTS["Inventory/CreateInventoryItemPrices"].per_minute == 250
