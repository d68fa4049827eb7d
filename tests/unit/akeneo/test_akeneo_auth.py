"""Token paths: password grant, cache, refresh before expiry and after a 401, fallback."""
import base64
import json
import threading

import pytest
import responses
from akeneo_unit_helpers import BASE, CLIENT_SECRET, PASSWORD, TOKEN_URL, make_settings, token_answer

from akeneo.auth import TokenAuthenticator
from akeneo.errors import AkeneoAuthError
from akeneo.transport import Transport

CURRENCIES = BASE + "/api/rest/v1/currencies"


def grants(mocked) -> list[dict]:
    return [json.loads(c.request.body) for c in mocked.calls if c.request.url == TOKEN_URL]


def bearer(call) -> str:
    return call.request.headers["Authorization"]


def test_password_grant_sends_basic_client_credentials_and_json_body(mocked):
    mocked.post(TOKEN_URL, json=token_answer())
    mocked.get(CURRENCIES, json=[])
    transport = Transport(make_settings())
    transport.request("GET", "/api/rest/v1/currencies")
    token_call = mocked.calls[0].request
    expected = base64.b64encode(f"pimflow:{CLIENT_SECRET}".encode()).decode()
    assert token_call.headers["Authorization"] == f"Basic {expected}"
    assert token_call.headers["Content-Type"] == "application/json"
    assert json.loads(token_call.body) == {"grant_type": "password", "username": "admin",
                                           "password": PASSWORD}
    assert bearer(mocked.calls[1]) == "Bearer access-1"


def test_token_is_cached_across_calls(mocked):
    mocked.post(TOKEN_URL, json=token_answer())
    mocked.get(CURRENCIES, json=[])
    transport = Transport(make_settings())
    for _ in range(5):
        transport.request("GET", "/api/rest/v1/currencies")
    assert len(grants(mocked)) == 1


def test_expired_token_mid_run_is_refreshed_once(mocked):
    mocked.post(TOKEN_URL, json=token_answer(1))
    mocked.post(TOKEN_URL, json=token_answer(2))
    # The server expires access-1 after the second call.
    answers = iter([200, 200, 401, 200, 200])

    def currencies(request):
        status = next(answers)
        if status == 401:
            assert request.headers["Authorization"] == "Bearer access-1"
            return 401, {}, json.dumps({"code": 401, "message": "The access token provided has expired."})
        return 200, {}, "[]"

    mocked.add_callback(responses.GET, CURRENCIES, callback=currencies)
    transport = Transport(make_settings())
    for _ in range(4):
        transport.request("GET", "/api/rest/v1/currencies")
    assert grants(mocked) == [
        {"grant_type": "password", "username": "admin", "password": PASSWORD},
        {"grant_type": "refresh_token", "refresh_token": "refresh-1"},
    ]
    assert bearer(mocked.calls[-1]) == "Bearer access-2"


def test_token_is_refreshed_shortly_before_it_expires():
    now = [1000.0]
    sent = []

    def send(body, headers):
        sent.append(body["grant_type"])
        return token_answer(len(sent), expires_in=100)

    auth = TokenAuthenticator(make_settings(token_refresh_margin=60), send, clock=lambda: now[0])
    assert auth.token() == "access-1"
    now[0] += 89  # margin is min(60, 100/10) = 10 s: still valid
    assert auth.token() == "access-1"
    now[0] += 2   # 91 s after the grant: inside the margin
    assert auth.token() == "access-2"
    assert sent == ["password", "refresh_token"]


def test_refused_refresh_token_falls_back_to_a_password_grant(mocked):
    mocked.post(TOKEN_URL, json=token_answer(1))
    mocked.post(TOKEN_URL, status=422, json={"code": 422, "message": "Refresh token has expired"})
    mocked.post(TOKEN_URL, json=token_answer(3))
    mocked.get(CURRENCIES, status=401, json={"code": 401, "message": "expired"})
    mocked.get(CURRENCIES, json=[])
    transport = Transport(make_settings())
    transport.request("GET", "/api/rest/v1/currencies")
    assert [g["grant_type"] for g in grants(mocked)] == ["password", "refresh_token", "password"]
    assert bearer(mocked.calls[-1]) == "Bearer access-3"


def test_wrong_secret_is_an_auth_error_with_akeneos_message_and_no_secret(mocked):
    message = 'Parameter "client_id" is missing or does not match any client, or secret is invalid'
    mocked.post(TOKEN_URL, status=422, json={"code": 422, "message": message})
    transport = Transport(make_settings())
    with pytest.raises(AkeneoAuthError) as info:
        transport.request("GET", "/api/rest/v1/currencies")
    error = info.value
    assert error.status == 422 and error.akeneo_message == message
    assert error.endpoint == "POST /api/oauth/v1/token"
    assert CLIENT_SECRET not in str(error) and PASSWORD not in str(error)
    assert len(mocked.calls) == 1  # a 4xx on the token endpoint is not retried


def test_a_server_echoing_the_password_has_it_scrubbed(mocked):
    mocked.post(TOKEN_URL, status=400, json={"code": 400, "message": f"bad password {PASSWORD}"})
    with pytest.raises(AkeneoAuthError) as info:
        Transport(make_settings()).auth.token()
    assert PASSWORD not in str(info.value)
    assert "***" in str(info.value)


def test_concurrent_401s_renew_the_token_once(mocked):
    mocked.post(TOKEN_URL, json=token_answer(1))
    mocked.post(TOKEN_URL, json=token_answer(2))
    barrier = threading.Barrier(4, timeout=5)

    def currencies(request):
        if request.headers["Authorization"] == "Bearer access-1":
            try:
                barrier.wait()  # all four threads hold the old token before any renews it
            except threading.BrokenBarrierError:
                pass
            return 401, {}, json.dumps({"code": 401, "message": "expired"})
        return 200, {}, "[]"

    mocked.add_callback(responses.GET, CURRENCIES, callback=currencies)
    transport = Transport(make_settings(max_concurrent_requests=4))
    transport.auth.token()
    threads = [threading.Thread(target=transport.request, args=("GET", "/api/rest/v1/currencies"))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert [g["grant_type"] for g in grants(mocked)] == ["password", "refresh_token"]
    assert sum(1 for c in mocked.calls if c.request.url == CURRENCIES and c.response.status_code == 200) == 4


def test_a_token_refused_again_and_again_ends_in_an_auth_error(mocked):
    mocked.post(TOKEN_URL, json=token_answer())
    mocked.get(CURRENCIES, status=401, json={"code": 401, "message": "User is disabled"})
    with pytest.raises(AkeneoAuthError, match="User is disabled"):
        Transport(make_settings()).request("GET", "/api/rest/v1/currencies")
