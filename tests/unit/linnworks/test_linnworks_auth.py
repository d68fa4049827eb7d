"""Authorization: AuthorizeByApplication, the raw session token, the session server, renewals."""
from __future__ import annotations

import logging

import pytest
import responses
from linnworks_unit_helpers import (
    APP_ID,
    APP_SECRET,
    AUTH_URL,
    INSTALL_TOKEN,
    SERVER,
    SESSION_TOKENS,
    api,
    body_of,
    make_client,
    session_answer,
)

from linnworks.api.errors import LinnworksAuthError
from linnworks.api.session import Authenticator

LOCATIONS = api("Inventory/GetStockLocations")


def data_calls(mocked):
    return [call for call in mocked.calls if not call.request.url.startswith(AUTH_URL)]


def test_authorizes_with_application_credentials_as_json(authorized, client):
    authorized.get(LOCATIONS, json=[])
    client.get_stock_locations()
    auth = authorized.calls[0]
    assert auth.request.url == AUTH_URL
    assert body_of(auth) == {"ApplicationId": APP_ID, "ApplicationSecret": APP_SECRET, "Token": INSTALL_TOKEN}
    assert "Authorization" not in auth.request.headers


def test_data_calls_go_to_the_session_server_with_the_raw_token_and_no_bearer(authorized, client):
    authorized.get(LOCATIONS, json=[])
    client.get_stock_locations()
    (call,) = data_calls(authorized)
    assert call.request.url.startswith(f"{SERVER}/api/Inventory/GetStockLocations")
    assert call.request.headers["Authorization"] == SESSION_TOKENS[0]
    assert INSTALL_TOKEN not in str(call.request.headers)


def test_session_is_reused_across_calls(authorized, client):
    authorized.get(LOCATIONS, json=[])
    for _ in range(3):
        client.get_stock_locations()
    assert client.authorizations == 1
    assert len(data_calls(authorized)) == 3


def test_token_is_wrong_is_answered_by_one_reauthorization_and_the_call_succeeds(authorized, client):
    authorized.get(LOCATIONS, status=401, json={"Code": "-", "Message": "Token is wrong."})
    authorized.get(LOCATIONS, json=[{"StockLocationId": "00000000-0000-0000-0000-000000000000",
                                     "LocationName": "Default"}])
    locations = client.get_stock_locations()
    assert [loc.location_name for loc in locations] == ["Default"]
    assert client.authorizations == 2
    first, second = data_calls(authorized)
    assert first.request.headers["Authorization"] == SESSION_TOKENS[0]
    assert second.request.headers["Authorization"] == SESSION_TOKENS[1]


def test_token_is_wrong_message_under_another_status_also_means_expired(authorized, client):
    authorized.get(LOCATIONS, status=400, json={"Code": "-", "Message": "Token is wrong."})
    authorized.get(LOCATIONS, json=[])
    assert client.get_stock_locations() == []
    assert client.authorizations == 2


def test_a_fresh_session_refused_again_raises_auth_error_after_one_renewal(authorized, client):
    authorized.get(LOCATIONS, status=401, json={"Code": "-", "Message": "Token is wrong."})
    with pytest.raises(LinnworksAuthError, match="Token is wrong"):
        client.get_stock_locations()
    assert client.authorizations == 2
    assert len(data_calls(authorized)) == 2


def test_refused_credentials_raise_auth_error_without_any_secret(mocked, client):
    mocked.post(AUTH_URL, status=401,
                json={"Code": None, "Message": f"Invalid application {APP_SECRET} / {INSTALL_TOKEN}"})
    with pytest.raises(LinnworksAuthError) as raised:
        client.get_stock_locations()
    message = str(raised.value)
    assert "refused the application credentials" in message
    assert APP_SECRET not in message and INSTALL_TOKEN not in message


def test_idle_session_is_renewed_before_linnworks_expires_it(mocked):
    now = [1000.0]
    mocked.post(AUTH_URL, json=session_answer(SESSION_TOKENS[0]))
    mocked.post(AUTH_URL, json=session_answer(SESSION_TOKENS[1]))
    with make_client(session_idle_seconds=1200) as lw:
        lw._auth._clock = lambda: now[0]
        first = lw._auth.current()
        lw._auth.touch()
        now[0] += 1100  # still inside the idle limit with margin
        assert lw._auth.current() is first
        lw._auth.touch()
        now[0] += 1150  # past idle - margin (1140 s): renew proactively
        renewed = lw._auth.current()
    assert (first.token, renewed.token) == SESSION_TOKENS[:2]


def test_renewal_by_one_thread_is_not_repeated_by_another_holding_the_old_session(authorized, client):
    old = client._auth.current()
    client._auth.renew(old)
    client._auth.renew(old)  # a second thread that also saw the rejection
    assert client.authorizations == 2


def test_answer_without_token_or_server_is_an_auth_error(mocked, client):
    mocked.post(AUTH_URL, json={"Token": None, "Server": None})
    with pytest.raises(LinnworksAuthError, match="without a session Token"):
        client.get_stock_locations()


def test_session_token_and_secrets_never_reach_the_logs(authorized, client, caplog):
    caplog.set_level(logging.DEBUG)
    authorized.get(LOCATIONS, status=401, json={"Code": "-", "Message": "Token is wrong."})
    authorized.get(LOCATIONS, status=503, body=f"upstream down for {SESSION_TOKENS[1]}")
    authorized.get(LOCATIONS, json=[])
    client.get_stock_locations()
    text = caplog.text
    assert "GetStockLocations" in text
    for secret in (*SESSION_TOKENS, APP_SECRET, INSTALL_TOKEN):
        assert secret not in text


def test_session_repr_hides_the_token(authorized, client):
    assert SESSION_TOKENS[0] not in repr(client._auth.current())
    assert isinstance(client._auth, Authenticator)


def test_server_without_scheme_gets_https(mocked, client):
    mocked.post(AUTH_URL, json=session_answer(server="eu-ext.linnworks.test/"))
    mocked.add(responses.GET, LOCATIONS, json=[])
    assert client.server == SERVER
