"""A misbehaving sandbox (expiring tokens, 429 storms, 5xx, dropped connections) changes nothing
in what the client extracts."""
from __future__ import annotations

import pytest

from akeneo.errors import AkeneoRateLimited
from akeneo.search import ProductQuery
from akeneo.throttle import RequestLimiter
from tests.fakes import FakeClock, SleepGate

pytestmark = pytest.mark.integration

QUERY = ProductQuery(families=["clothing", "electronics"])


def expected(sandbox) -> list[str]:
    return sorted(r.uuid for r in sandbox.state.products.values() if r.family in ("clothing", "electronics"))


def read_both(client) -> tuple[list[str], list[str]]:
    sequential = sorted(p["uuid"] for p in client.iter_products(QUERY))
    concurrent = sorted(p["uuid"] for p in client.iter_products_concurrently(QUERY))
    return sequential, concurrent


def test_token_expiring_mid_run_is_renewed_and_the_result_is_unchanged(sandbox):
    # The server's tokens and its latency share a fake clock: each call costs 100 ms of it, so the
    # token expires mid-run however fast or slow the machine is (before, this counted on >= 1 s of
    # real time going by; the fixture puts the real clock back).
    clock = FakeClock()
    sandbox.runtime.tokens.clock = clock
    sandbox.runtime.faults.clock, sandbox.runtime.faults.sleep = clock, clock.async_sleep
    sandbox.configure(access_token_lifetime=1, latency_ms=100)
    client = sandbox.client()
    # the whole catalog, page after page: 13 calls of 100 fake ms outlive the 1 s token
    sequential = sorted(p["uuid"] for p in client.iter_products())
    concurrent = sorted(p["uuid"] for p in client.iter_products_concurrently())
    assert sequential == concurrent == sorted(sandbox.state.products)
    stats = sandbox.stats()
    assert stats["requests"]["POST /api/oauth/v1/token"] >= 2
    assert client.transport.auth.grants["refresh_token"] >= 1
    # One renewal answers every call in flight that met the expired token. (The client renews on
    # its own, real, clock too, ahead of expiry, when the run takes long enough: then fewer 401s.)
    renewals = stats["requests"]["POST /api/oauth/v1/token"] - 1
    assert stats["status_codes"].get("401", 0) <= renewals * client.transport.settings.max_concurrent_requests


def test_expired_token_answered_401_is_refreshed_once(sandbox):
    # The server's tokens live 60 s of a fake clock that the test moves past their expiry, while
    # the client, on real time, still believes its token valid for most of a minute.
    clock = FakeClock()
    sandbox.runtime.tokens.clock = clock  # the fixture puts the real clock back
    sandbox.configure(access_token_lifetime=60)
    client = sandbox.client()
    client.authenticate()
    sandbox.configure(access_token_lifetime=3600)
    clock.advance(60)
    assert sorted(p["uuid"] for p in client.iter_products(QUERY)) == expected(sandbox)
    stats = sandbox.stats()
    assert stats["status_codes"].get("401") == 1
    assert stats["requests"]["POST /api/oauth/v1/token"] == 2
    assert client.transport.auth.grants == {"password": 1, "refresh_token": 1}


@pytest.mark.parametrize("rate, concurrency, retry_after_header, latency_ms", [
    (8, 0, True, 100),    # over the rate: 429 with Retry-After (whole seconds, honoured)
    (0, 1, False, 20),    # over the concurrency cap behind a proxy: 429 without Retry-After
    (15, 2, False, 50),
])
def test_429_storms_change_nothing(sandbox, rate, concurrency, retry_after_header, latency_ms):
    # The sandbox's rate window runs on a fake clock that only its latency moves: every call
    # costs `latency_ms` of it, so the 16 calls of the two reads go faster than `rate` per second
    # and some are refused, however fast or slow the machine is (the fixture restores real time).
    clock = FakeClock()
    faults = sandbox.runtime.faults
    faults.clock, faults.sleep = clock, clock.async_sleep
    faults.reset()  # a rate window on the new clock
    sandbox.configure(rate_limit_per_second=rate, max_concurrency=concurrency, latency_ms=latency_ms,
                      retry_after_header=retry_after_header)
    client = sandbox.client(max_concurrent_requests=4, retry_base_delay=0.05, max_retries=12)
    sequential = sorted(p["uuid"] for p in client.iter_products(QUERY))
    gate = None
    if concurrency == 1:
        # The two families are read at once: the gate holds the first call until the second has
        # arrived, and the cap refuses that one.
        gate = faults.sleep = SleepGate(expected=2, clock=clock)
    concurrent = sorted(p["uuid"] for p in client.iter_products_concurrently(QUERY))
    assert sequential == concurrent == expected(sandbox)
    assert sandbox.stats()["status_codes"].get("429", 0) > 0
    if gate is not None:
        assert gate.most_at_once == 2


def test_the_client_throttle_prevents_429s(sandbox):
    # The client's throttle and the server's rate window share a fake clock that only the
    # throttle's waits move, so the server counts calls per second of the same time the client
    # paces them in, however fast or slow the machine is (before, both ran on real time).
    # The server's caps leave room for the client's 2 calls in flight: one started before the
    # throttle moved the clock on may arrive after (5 = 3 + 2), and the server counts a call in
    # flight until its coroutine ends, a moment after the client has read the answer (3 > 2).
    # Without the throttle the 9 calls of this read all start at the same instant: some are refused.
    clock = FakeClock()
    faults = sandbox.runtime.faults
    faults.clock = clock
    faults.reset()  # a rate window on the new clock
    sandbox.configure(rate_limit_per_second=5, max_concurrency=3)
    throttle = RequestLimiter(3, 1.0, 2, clock=clock, sleep=clock.sleep)
    client = sandbox.client(limiter=throttle, max_concurrent_requests=2, throttle_requests=3,
                            throttle_window_seconds=1.0)
    assert sorted(p["uuid"] for p in client.iter_products_concurrently(QUERY)) == expected(sandbox)
    stats = sandbox.stats()
    assert stats["status_codes"].get("429", 0) == 0
    assert stats["total"] > 5 and len(clock.sleeps) >= 2  # more calls than a second allows: the throttle waited


def test_5xx_faults_and_dropped_connections_change_nothing(sandbox):
    sandbox.configure(error_rate_5xx=0.2, drop_rate=0.15, fault_seed=11)
    client = sandbox.client()
    sequential, concurrent = read_both(client)
    assert sequential == concurrent == expected(sandbox)
    stats = sandbox.stats()
    assert stats["dropped"] > 0
    assert sum(stats["status_codes"].get(code, 0) for code in ("500", "502", "503")) > 0


def test_a_429_that_never_ends_fails_with_a_clear_error(sandbox):
    sandbox.configure(rate_limit_per_second=0.001, retry_after_header=False)
    client = sandbox.client(max_retries=2)
    with pytest.raises(AkeneoRateLimited) as info:
        list(client.iter_products(QUERY))
    assert info.value.status == 429
    assert info.value.endpoint in ("POST /api/oauth/v1/token", "GET /api/rest/v1/products-uuid")
    assert "requests per second" in str(info.value)
