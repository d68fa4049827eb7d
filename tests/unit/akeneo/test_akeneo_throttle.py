"""The connection's limiter: requests per sliding window, calls in flight, and 429 hold-offs."""
import threading
import time

from akeneo.throttle import RequestLimiter


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_requests_beyond_the_window_quota_wait_for_the_window_to_slide():
    fake = FakeTime()
    limiter = RequestLimiter(3, 1.0, 4, clock=fake.clock, sleep=fake.sleep)
    starts = []
    for _ in range(7):
        with limiter.slot():
            starts.append(fake.now)
    assert starts == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]
    # never more than 3 starts in any 1 s window
    assert all(sum(1 for s in starts if t - 1.0 < s <= t) <= 3 for t in starts)


def test_zero_requests_per_window_turns_the_rate_limit_off():
    fake = FakeTime()
    limiter = RequestLimiter(0, 1.0, 4, clock=fake.clock, sleep=fake.sleep)
    for _ in range(50):
        with limiter.slot():
            pass
    assert fake.sleeps == []


def test_hold_off_delays_every_next_start():
    fake = FakeTime()
    limiter = RequestLimiter(0, 1.0, 4, clock=fake.clock, sleep=fake.sleep)
    limiter.hold_off(2.5)
    with limiter.slot():
        assert fake.now == 2.5
    limiter.hold_off(1.0)
    limiter.hold_off(0.2)  # a shorter hold does not shorten the longer one
    with limiter.slot():
        assert fake.now == 3.5


def test_no_more_calls_in_flight_than_the_cap_across_threads():
    limiter = RequestLimiter(0, 1.0, 2)
    lock = threading.Lock()
    in_flight = peak = 0
    cap_reached = threading.Event()

    def call():
        nonlocal in_flight, peak
        with limiter.slot():
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
                if in_flight == 2:
                    cap_reached.set()
            # The first caller holds its slot until a second one is in: the cap is then really
            # reached (however slowly the threads start), and a third must not get in meanwhile.
            cap_reached.wait(timeout=20)  # the timeout only stops a hung test
            time.sleep(0.001)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cap_reached.is_set() and peak == 2


def test_clients_of_one_connection_in_a_process_share_one_limiter():
    from akeneo_unit_helpers import make_settings

    from akeneo.client import AkeneoClient

    first, second = AkeneoClient(make_settings()), AkeneoClient(make_settings())
    other = AkeneoClient(make_settings(username="someone-else"))
    assert first.transport.limiter is second.transport.limiter
    assert other.transport.limiter is not first.transport.limiter
