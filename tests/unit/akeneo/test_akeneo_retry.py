"""Retry classification and backoff: 408/429/5xx/dropped are retried, other 4xx never."""
import io
import random

import pytest
import requests
import urllib3
from akeneo_unit_helpers import BASE, TOKEN_URL, make_settings

from akeneo.errors import (
    AkeneoConnectionError, AkeneoForbiddenError, AkeneoNotFoundError, AkeneoRateLimited,
    AkeneoServerError, AkeneoValidationError,
)
from akeneo.retry import RetryPolicy, is_retryable_status
from akeneo.throttle import RequestLimiter
from akeneo.transport import Transport

CHANNELS = BASE + "/api/rest/v1/channels"


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def transport(sleeps=None, **overrides):
    # The connection-wide hold after a 429 is not what these tests measure: it is skipped.
    limiter = RequestLimiter(0, 1.0, 4)
    limiter.hold_off = lambda seconds: None
    return Transport(make_settings(**overrides), limiter=limiter,
                     sleep=sleeps if sleeps is not None else Sleeps())


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_until_success(token, status):
    token.get(CHANNELS, status=status, json={"code": status, "message": "busy"})
    token.get(CHANNELS, json={"_embedded": {"items": []}})
    sleeps = Sleeps()
    answer = transport(sleeps).request("GET", "/api/rest/v1/channels")
    assert answer.status_code == 200
    assert len(sleeps) == 1


@pytest.mark.parametrize("status, error", [(400, AkeneoValidationError), (403, AkeneoForbiddenError),
                                           (404, AkeneoNotFoundError), (422, AkeneoValidationError)])
def test_client_errors_are_never_retried(token, status, error):
    token.get(CHANNELS, status=status, json={"code": status, "message": "nope"})
    sleeps = Sleeps()
    with pytest.raises(error) as info:
        transport(sleeps).request("GET", "/api/rest/v1/channels")
    assert info.value.status == status and info.value.akeneo_message == "nope"
    assert info.value.endpoint == "GET /api/rest/v1/channels"
    assert sleeps == []
    assert sum(1 for c in token.calls if c.request.url.startswith(CHANNELS)) == 1


def test_retry_after_is_honoured(token):
    token.get(CHANNELS, status=429, headers={"Retry-After": "2"}, json={"code": 429, "message": "slow down"})
    token.get(CHANNELS, json={})
    sleeps = Sleeps()
    transport(sleeps, retry_base_delay=0.5).request("GET", "/api/rest/v1/channels")
    assert 2.0 <= sleeps[0] <= 2.5


def test_429_without_retry_after_still_backs_off(token):
    token.get(CHANNELS, status=429, json={"code": 429, "message": "slow down"})
    token.get(CHANNELS, status=429, json={"code": 429, "message": "slow down"})
    token.get(CHANNELS, json={})
    sleeps = Sleeps()
    transport(sleeps, retry_base_delay=1.0, retry_max_delay=60).request("GET", "/api/rest/v1/channels")
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_a_429_holds_back_every_thread_of_the_connection(token):
    token.get(CHANNELS, status=429, headers={"Retry-After": "3"}, json={"code": 429, "message": "x"})
    token.get(CHANNELS, json={})
    held = []
    t = transport()
    t.limiter.hold_off = held.append
    t.request("GET", "/api/rest/v1/channels")
    assert len(held) == 1 and held[0] >= 3


def test_dropped_connections_and_timeouts_are_retried(token):
    token.get(CHANNELS, body=requests.ConnectionError("Connection aborted: RemoteDisconnected"))
    token.get(CHANNELS, body=requests.ReadTimeout("read timed out"))
    token.get(CHANNELS, json={"ok": True})
    sleeps = Sleeps()
    assert transport(sleeps).request("GET", "/api/rest/v1/channels").json() == {"ok": True}
    assert len(sleeps) == 2


def test_exhausted_retries_raise_the_matching_error(token):
    token.get(CHANNELS, status=503, json={"code": 503, "message": "maintenance"})
    with pytest.raises(AkeneoServerError) as info:
        transport(max_retries=2).request("GET", "/api/rest/v1/channels")
    assert info.value.status == 503 and "maintenance" in str(info.value)
    assert sum(1 for c in token.calls if c.request.url.startswith(CHANNELS)) == 3


def test_exhausted_429_retries_raise_rate_limited(token):
    token.get(CHANNELS, status=429, headers={"Retry-After": "1"}, json={"code": 429, "message": "Too many"})
    with pytest.raises(AkeneoRateLimited) as info:
        transport(max_retries=1, max_retry_after=0.01).request("GET", "/api/rest/v1/channels")
    assert info.value.retry_after == 1.0


def test_unreachable_server_is_a_connection_error_in_plain_words(token):
    token.get(CHANNELS, body=requests.ConnectionError("[Errno 111] Connection refused"))
    with pytest.raises(AkeneoConnectionError, match="connection refused") as info:
        transport(max_retries=1).request("GET", "/api/rest/v1/channels")
    assert "after 2 tries" in str(info.value)


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling():
    policy = RetryPolicy(max_retries=8, base_delay=0.5, max_delay=4.0, rng=random.Random(7))
    for retries, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)]:
        delays = {policy.delay(retries) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jitter


def test_retryable_statuses():
    assert all(is_retryable_status(s) for s in (408, 429, 500, 599))
    assert not any(is_retryable_status(s) for s in (400, 401, 403, 404, 409, 413, 415, 422))


class _CutShort(io.RawIOBase):
    """A body that breaks after its first bytes, like a connection dropped mid-answer."""

    def __init__(self):
        self.sent = False

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent:
            raise urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead")
        self.sent = True
        buffer[:10] = b'{"_links":'
        return 10


def test_an_answer_cut_short_is_retried(token):
    token.get(CHANNELS, body=io.BufferedReader(_CutShort()))
    token.get(CHANNELS, json={"complete": True})
    sleeps = Sleeps()
    assert transport(sleeps).request("GET", "/api/rest/v1/channels").json() == {"complete": True}
    assert len(sleeps) == 1


def test_429_on_the_token_endpoint_is_rate_limiting_not_bad_credentials(mocked):
    mocked.post(TOKEN_URL, status=429, json={"code": 429, "message": "Too many requests"})
    with pytest.raises(AkeneoRateLimited):
        transport(max_retries=1).auth.token()
    assert len(mocked.calls) == 2
