"""OAuth of the sandbox: Akeneo's grants, messages and statuses."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_password_grant_answers_a_bearer_token_pair_with_the_configured_lifetime(akeneo):
    akeneo.settings(access_token_lifetime=120)
    answer = akeneo.token()
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 120 and body["scope"] is None
    assert body["access_token"] and body["refresh_token"] and body["access_token"] != body["refresh_token"]


def test_form_encoded_token_request_is_accepted(akeneo):
    answer = akeneo.http.post("/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"),
                              data={"grant_type": "password", "username": "admin", "password": "admin"})
    assert answer.status_code == 200 and answer.json()["access_token"]


@pytest.mark.parametrize("client, username, password, message", [
    (("pimflow", "wrong"), "admin", "admin",
     'Parameter "client_id" is missing or does not match any client, or secret is invalid'),
    (("someone", "pimflow-secret"), "admin", "admin",
     'Parameter "client_id" is missing or does not match any client, or secret is invalid'),
    (("pimflow", "pimflow-secret"), "admin", "wrong", "No user found for the given username and password"),
    (("pimflow", "pimflow-secret"), "", "admin",
     'Parameter "grant_type", "username" or "password" is missing, empty or invalid'),
])
def test_wrong_credentials_are_refused_with_akeneos_422_and_message(akeneo, client, username, password, message):
    answer = akeneo.token(username=username, password=password, client=client)
    assert answer.status_code == 422
    assert answer.json() == {"code": 422, "message": message}


def test_token_request_without_basic_auth_is_refused(akeneo):
    answer = akeneo.http.post("/api/oauth/v1/token", headers={"Authorization": ""},
                              json={"grant_type": "password", "username": "admin", "password": "admin"})
    assert answer.status_code == 422
    assert "client_id" in answer.json()["message"]


def test_unsupported_content_type_on_token_is_415(akeneo):
    answer = akeneo.http.post("/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"), content=b"<a/>",
                              headers={"Content-Type": "application/xml"})
    assert answer.status_code == 415
    assert answer.json()["message"].startswith('"application/xml" in "Content-Type" header is not valid.')


def test_missing_token_is_401_authentication_required(akeneo):
    akeneo.use(None)
    answer = akeneo.get("/api/rest/v1/products")
    assert answer.status_code == 401
    assert answer.json() == {"code": 401, "message": "Authentication is required"}


def test_unknown_token_is_401_invalid(akeneo):
    akeneo.use("not-a-token")
    answer = akeneo.get("/api/rest/v1/channels")
    assert answer.status_code == 401
    assert answer.json()["message"] == "The access token provided is invalid."


def test_expired_token_is_401_with_akeneos_expired_message(akeneo, clock):
    akeneo.settings(access_token_lifetime=0.3)
    akeneo.login()
    clock.advance(0.29)
    assert akeneo.get("/api/rest/v1/channels").status_code == 200
    clock.advance(0.01)
    answer = akeneo.get("/api/rest/v1/channels")
    assert answer.status_code == 401
    assert answer.json() == {"code": 401, "message": "The access token provided has expired."}


def test_refresh_grant_gives_a_new_working_pair_and_uses_up_the_refresh_token(akeneo, clock):
    akeneo.settings(access_token_lifetime=0.3)
    first = akeneo.login()
    clock.advance(0.4)
    assert akeneo.get("/api/rest/v1/channels").status_code == 401
    refreshed = akeneo.http.post("/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"),
                                 json={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200
    pair = refreshed.json()
    assert pair["access_token"] != first["access_token"] and pair["refresh_token"] != first["refresh_token"]
    akeneo.use(pair["access_token"])
    assert akeneo.get("/api/rest/v1/channels").status_code == 200
    again = akeneo.http.post("/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"),
                             json={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert again.status_code == 422
    assert again.json()["message"] == "Refresh token is invalid or has expired"


def test_expired_refresh_token_is_refused(akeneo, clock):
    akeneo.settings(refresh_token_lifetime=0.2)
    first = akeneo.login()
    clock.advance(0.2)
    answer = akeneo.http.post("/api/oauth/v1/token", auth=("pimflow", "pimflow-secret"),
                              json={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert answer.status_code == 422
    assert answer.json()["message"] == "Refresh token is invalid or has expired"


def test_api_root_lists_routes_without_authentication(akeneo):
    akeneo.use(None)
    answer = akeneo.get("/api/rest/v1")
    assert answer.status_code == 200
    assert "/api/rest/v1/products" in {route["route"] for route in answer.json()["routes"].values()}
