"""The switches: latency, 429 (rate and concurrency), 5xx, dropped connections; stats and control API."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.fakes import SleepGate

pytestmark = pytest.mark.integration


def _parallel(akeneo, count: int, path: str = "/api/rest/v1/channels") -> list[httpx.Response]:
    headers = {"Authorization": akeneo.http.headers["Authorization"]}

    def call(_) -> httpx.Response:
        with httpx.Client(base_url=akeneo.url, timeout=10, headers=headers) as client:
            return client.get(path)
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


def test_rate_limit_answers_429_with_retry_after_then_recovers(akeneo, clock):
    akeneo.settings(rate_limit_per_second=3)
    answers = [akeneo.get("/api/rest/v1/channels") for _ in range(6)]  # all in the same (fake) second
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]
    assert answers[3].json() == {"code": 429, "message": "You have exceeded the limit of API requests per second."}
    assert answers[3].headers["retry-after"] == "1"
    clock.advance(0.99)
    assert akeneo.get("/api/rest/v1/channels").status_code == 429  # the window has not moved on yet
    clock.advance(0.01)
    assert [akeneo.get("/api/rest/v1/channels").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_rate_limit_can_answer_like_a_proxy_without_retry_after(akeneo, clock):
    akeneo.settings(rate_limit_per_second=1, retry_after_header=False)
    answers = [akeneo.get("/api/rest/v1/channels") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 429, 429]
    assert "retry-after" not in answers[1].headers


def test_concurrency_cap_refuses_calls_beyond_the_cap(akeneo):
    # The latency is a gate that holds every call until all four have arrived: two are in flight,
    # two were refused (refusals get the latency too), whatever the machine's speed.
    gate = SleepGate(expected=4)
    akeneo.app_faults().sleep = gate
    akeneo.settings(max_concurrency=2, latency_ms=400)
    answers = _parallel(akeneo, 4)
    assert sorted(answer.status_code for answer in answers) == [200, 200, 429, 429]
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.json() == {"code": 429, "message": "Too many concurrent requests."}
    assert refused.headers["retry-after"] == "1"
    assert gate.most_at_once == 4 and gate.sleeps == [0.4] * 4


def test_latency_switch_delays_every_api_call_and_not_the_control_api(akeneo, clock):
    akeneo.settings(latency_ms=300)
    assert akeneo.get("/api/rest/v1/channels").status_code == 200
    assert akeneo.get("/api/rest/v1/products/NOPE").status_code == 404
    assert akeneo.stats()["total"] == 2  # control calls are neither delayed nor counted
    assert clock.sleeps == [0.3, 0.3]
    akeneo.settings(latency_ms=0)
    akeneo.get("/api/rest/v1/channels")
    assert clock.sleeps == [0.3, 0.3]


def test_latency_overlaps_for_concurrent_calls(akeneo):
    # Four calls asleep in the latency at the same moment: the sandbox does not serialize them.
    gate = SleepGate(expected=4)
    akeneo.app_faults().sleep = gate
    akeneo.settings(latency_ms=300)
    answers = _parallel(akeneo, 4)
    assert all(answer.status_code == 200 for answer in answers)
    assert gate.most_at_once == 4 and gate.sleeps == [0.3] * 4


def test_stats_count_the_most_calls_in_flight_at_once_until_reset(akeneo):
    # Three calls held in the latency together, then one alone: the peak stays 3; a reset forgets it.
    akeneo.http.post("/_sandbox/stats/reset")
    gate = SleepGate(expected=3)
    akeneo.app_faults().sleep = gate
    akeneo.settings(latency_ms=300)
    assert all(answer.status_code == 200 for answer in _parallel(akeneo, 3))
    assert akeneo.get("/api/rest/v1/channels").status_code == 200
    assert gate.most_at_once == 3 and akeneo.stats()["max_in_flight"] == 3
    assert akeneo.http.post("/_sandbox/stats/reset").json()["max_in_flight"] == 0
    akeneo.get("/api/rest/v1/channels")
    assert akeneo.stats()["max_in_flight"] == 1


def test_calls_refused_by_the_concurrency_cap_are_not_in_flight(akeneo):
    gate = SleepGate(expected=4)
    akeneo.app_faults().sleep = gate
    akeneo.settings(max_concurrency=2, latency_ms=400)
    assert sorted(answer.status_code for answer in _parallel(akeneo, 4)) == [200, 200, 429, 429]
    assert akeneo.stats()["max_in_flight"] == 2


def test_error_rate_one_answers_server_errors_in_akeneos_shape(akeneo):
    akeneo.settings(error_rate_5xx=1.0)
    answers = [akeneo.get("/api/rest/v1/channels") for _ in range(10)]
    assert {a.status_code for a in answers} <= {500, 502, 503}
    assert all(a.json()["code"] == a.status_code and a.json()["message"] for a in answers)
    assert sum(akeneo.stats()["status_codes"].get(str(code), 0) for code in (500, 502, 503)) == 10


def test_drop_rate_one_closes_the_connection_without_an_answer(akeneo):
    akeneo.settings(drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        akeneo.get("/api/rest/v1/products")
    akeneo.settings(drop_rate=0.0)
    assert akeneo.get("/api/rest/v1/products").status_code == 200
    stats = akeneo.stats()
    assert stats["dropped"] == 1 and stats["status_codes"] == {"200": 1}


def test_fault_draws_repeat_for_the_same_seed(akeneo):
    def outcomes() -> list[str]:
        akeneo.settings(fault_seed=7)
        result = []
        for _ in range(15):
            try:
                result.append(str(akeneo.get("/api/rest/v1/locales").status_code))
            except httpx.RemoteProtocolError:
                result.append("dropped")
        return result
    akeneo.settings(drop_rate=0.3, error_rate_5xx=0.3)
    first = outcomes()
    assert "dropped" in first and "200" in first and any(o.startswith("5") for o in first)
    assert outcomes() == first


def test_stats_count_by_route_template_and_status_and_reset(akeneo):
    akeneo.http.post("/_sandbox/stats/reset")
    akeneo.get("/api/rest/v1/products/PF-000001")
    akeneo.get("/api/rest/v1/products/NOPE")
    akeneo.get("/api/rest/v1/products")
    akeneo.patch_lines("/api/rest/v1/products", [{"identifier": "PF-000001"}])
    stats = akeneo.stats()
    assert stats["total"] == 4
    assert stats["requests"] == {"GET /api/rest/v1/products/{code}": 2, "GET /api/rest/v1/products": 1,
                                 "PATCH /api/rest/v1/products": 1}
    assert stats["status_codes"] == {"200": 3, "404": 1}
    assert akeneo.http.post("/_sandbox/stats/reset").json()["total"] == 0


def test_control_api_needs_no_token_and_is_never_faulted(akeneo):
    akeneo.settings(drop_rate=1.0, error_rate_5xx=1.0)
    anonymous = httpx.Client(base_url=akeneo.url)
    assert anonymous.get("/_sandbox/settings").status_code == 200
    assert anonymous.get("/_sandbox/stats").json()["total"] == 0


def test_settings_show_switches_but_no_secret_and_refuse_bad_changes(akeneo):
    shown = akeneo.http.get("/_sandbox/settings").json()
    assert shown["access_token_lifetime"] == 3600 and shown["link_base_url"] is None
    assert not {"secret", "password", "client_id", "username"} & set(shown)
    unknown = akeneo.http.patch("/_sandbox/settings", json={"secret": "x"})
    assert unknown.status_code == 422 and "secret" in unknown.json()["message"]
    invalid = akeneo.http.patch("/_sandbox/settings", json={"drop_rate": 2})
    assert invalid.status_code == 422
    assert akeneo.http.get("/_sandbox/settings").json()["drop_rate"] == 0


def test_catalog_can_be_replaced_and_stored_products_read(akeneo):
    answer = akeneo.http.post("/_sandbox/catalog", json={"products": 15, "seed": 3})
    assert answer.status_code == 200 and answer.json()["products"] == 15
    assert akeneo.get("/api/rest/v1/products", with_count="true").json()["items_count"] == 15
    stored = akeneo.stored("PF-000015")
    assert stored["identifier"] == "PF-000015" and stored["values"]
    assert akeneo.http.get("/_sandbox/products/PF-000016").status_code == 404
