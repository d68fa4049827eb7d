"""Two-host auth, raw session tokens, idle expiry, 404 shapes."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def test_authorize_with_json_body_returns_session_pointing_at_data_host(lw):
    answer = lw.authorize(json=lw.credentials())
    assert answer.status_code == 200
    session = answer.json()
    assert session["Server"] == lw.sandbox.data_url
    assert session["Server"] != lw.sandbox.auth_url
    assert isinstance(session["TTL"], int) and session["TTL"] == 1200
    assert len(session["Token"]) == 36 and session["Token"] != lw.credentials()["Token"]
    assert {"Id", "UserName", "Status", "Locality", "SuperAdmin", "PushServer"} <= session.keys()


def test_authorize_with_form_fields_and_with_form_request_json(lw):
    creds = lw.credentials()
    form = {"applicationId": creds["ApplicationId"], "applicationSecret": creds["ApplicationSecret"],
            "token": creds["Token"]}
    assert lw.authorize(data=form).status_code == 200
    assert lw.authorize(data={"request": json.dumps(creds)}).status_code == 200


@pytest.mark.parametrize("field", ["ApplicationId", "ApplicationSecret", "Token"])
def test_authorize_with_a_wrong_credential_is_refused_with_a_message(lw, field):
    creds = {**lw.credentials(), field: "11111111-2222-4333-8444-555555555555"}
    answer = lw.authorize(json=creds)
    assert answer.status_code == 401
    assert answer.json()["Message"]
    assert "Token" not in answer.json()


def test_authorize_without_credentials_is_a_400(lw):
    answer = lw.authorize(json={"ApplicationId": lw.credentials()["ApplicationId"]})
    assert answer.status_code == 400
    assert "required" in answer.json()["Message"]


def test_data_calls_take_the_raw_session_token(lw):
    answer = lw.call("Inventory/GetStockLocations", "GET")
    assert answer.status_code == 200
    assert answer.json()[0]["LocationName"] == "Default"


@pytest.mark.parametrize("header", ["bearer", "installation", "missing", "unknown"])
def test_anything_but_the_raw_session_token_is_token_is_wrong(lw, header):
    token = {"bearer": f"Bearer {lw.token}", "installation": lw.credentials()["Token"], "missing": "",
             "unknown": "0a0a0a0a-0000-4000-8000-000000000000"}[header]
    answer = lw.call("Inventory/GetStockLocations", "GET", token=token)
    assert answer.status_code == 401
    assert answer.json() == {"Code": "-", "Message": "Token is wrong."}


def test_idle_session_expires_and_a_new_authorize_works(lw, clock):
    lw.settings(session_idle_seconds=0.3)
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200
    clock.advance(0.3)
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200  # idle exactly the limit: still alive
    clock.advance(0.31)
    expired = lw.call("Inventory/GetChannels", "GET")
    assert expired.status_code == 401
    assert expired.json()["Message"] == "Token is wrong."
    fresh = lw.authorize().json()["Token"]
    assert lw.call("Inventory/GetChannels", "GET", token=fresh).status_code == 200


def test_activity_keeps_the_session_alive(lw, clock):
    lw.settings(session_idle_seconds=0.6)
    for _ in range(4):  # 2 s in total, never more than 0.6 s idle
        clock.advance(0.5)
        assert lw.call("Inventory/GetChannels", "GET").status_code == 200
    clock.advance(0.61)
    assert lw.call("Inventory/GetChannels", "GET").status_code == 401


def test_sandbox_control_can_expire_every_session(lw):
    assert lw.call("Inventory/GetChannels", "GET").status_code == 200
    assert lw.control("POST", "sessions/expire").status_code == 200
    assert lw.call("Inventory/GetChannels", "GET").status_code == 401


def test_unknown_method_answers_aspnet_404(lw):
    answer = lw.call("Inventory/NoSuchMethod")
    assert answer.status_code == 404
    assert answer.json()["Message"].startswith("No HTTP resource was found that matches the request URI")


def test_missing_api_prefix_is_404_on_both_hosts(lw):
    assert lw.http.post(f"{lw.sandbox.data_url}/Inventory/GetChannels",
                        headers={"Authorization": lw.token}).status_code == 404
    assert lw.http.post(f"{lw.sandbox.auth_url}/Auth/AuthorizeByApplication", json=lw.credentials()).status_code == 404


def test_data_methods_are_not_served_by_the_auth_host(lw):
    answer = lw.http.get(f"{lw.sandbox.auth_url}/api/Inventory/GetChannels", headers={"Authorization": lw.token})
    assert answer.status_code == 404


def test_write_methods_refuse_get(lw):
    answer = lw.call("Inventory/AddInventoryItemBulk", "GET")
    assert answer.status_code == 405
    assert "does not support http method 'GET'" in answer.json()["Message"]


def test_method_names_route_case_insensitively(lw):
    assert lw.call("inventory/getstocklocations", "GET").status_code == 200
