"""AkeneoHook: settings from an Airflow connection, a client, and a readable test_connection."""
import json
from unittest import mock

import pytest
import requests
from akeneo_unit_helpers import BASE, CLIENT_SECRET, PASSWORD, TOKEN_URL

from akeneo.client import AkeneoClient
from akeneo.hook import AkeneoHook


@pytest.fixture
def akeneo_conn(monkeypatch):
    def define(conn_id="akeneo_default", **extra):
        uri = json.dumps({"conn_type": "akeneo", "host": BASE, "login": "admin", "password": PASSWORD,
                          "extra": {"client_id": "pimflow", "client_secret": CLIENT_SECRET,
                                    "retry_base_delay": 0.001, **extra}})
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", uri)
        return conn_id
    return define


def test_hook_builds_one_client_from_the_connection(akeneo_conn):
    akeneo_conn(product_id_format="identifier", max_concurrent_requests=3)
    hook = AkeneoHook()
    client = hook.get_conn()
    assert isinstance(client, AkeneoClient) and hook.get_conn() is client
    assert client.settings.base_url == BASE
    assert client.settings.product_id_format == "identifier"
    assert client.transport.limiter.max_concurrent == 3


def test_hook_declares_what_airflow_needs():
    assert AkeneoHook.conn_type == "akeneo"
    assert AkeneoHook.conn_name_attr == "akeneo_conn_id"
    assert AkeneoHook.default_conn_name == "akeneo_default"
    assert AkeneoHook.hook_name == "Akeneo"


def test_test_connection_succeeds_with_a_token_and_one_product_read(akeneo_conn, token):
    akeneo_conn("pim")
    token.get(BASE + "/api/rest/v1/products-uuid", json={"_embedded": {"items": []}})
    ok, message = AkeneoHook("pim").test_connection()
    assert ok, message
    assert "Connected to Akeneo at https://pim.example.com as admin" in message
    read = [c for c in token.calls if "/products-uuid" in c.request.url]
    assert len(read) == 1 and "limit=1" in read[0].request.url


def test_test_connection_with_a_wrong_secret_fails_readably_without_secrets(akeneo_conn, mocked):
    akeneo_conn()
    mocked.post(TOKEN_URL, status=422, json={
        "code": 422,
        "message": 'Parameter "client_id" is missing or does not match any client, or secret is invalid'})
    ok, message = AkeneoHook().test_connection()
    assert not ok
    assert "refused the credentials" in message and "secret is invalid" in message
    assert CLIENT_SECRET not in message and PASSWORD not in message


def test_test_connection_explains_an_unreachable_server(akeneo_conn, mocked):
    akeneo_conn()
    mocked.post(TOKEN_URL, body=requests.ConnectionError("[Errno 111] Connection refused"))
    ok, message = AkeneoHook().test_connection()
    assert not ok and "connection refused" in message and BASE in message


def test_test_connection_hints_at_the_id_format_when_products_uuid_is_missing(akeneo_conn, token):
    akeneo_conn()
    token.get(BASE + "/api/rest/v1/products-uuid", status=404, json={"code": 404, "message": "No route found"})
    ok, message = AkeneoHook().test_connection()
    assert not ok and "identifier" in message and "7.0" in message


def test_test_connection_reports_invalid_settings(akeneo_conn):
    akeneo_conn(max_concurrent_requests="many")
    ok, message = AkeneoHook().test_connection()
    assert not ok and "max_concurrent_requests" in message


def test_test_connection_reports_a_missing_connection():
    ok, message = AkeneoHook("no_such_connection").test_connection()
    assert not ok and message == "The connection 'no_such_connection' is not defined"


def test_airflow_connection_test_uses_the_hook(akeneo_conn, token):
    from airflow.models.connection import Connection

    token.get(BASE + "/api/rest/v1/products-uuid", json={"_embedded": {"items": []}})
    conn = Connection(conn_id="ui_test", conn_type="akeneo", host=BASE, login="admin", password=PASSWORD,
                      extra=json.dumps({"extra__akeneo__client_id": "pimflow",
                                        "extra__akeneo__client_secret": CLIENT_SECRET}))
    akeneo_conn("ui_test")  # the API server exports the tested connection the same way
    ok, message = conn.test_connection()
    assert ok, message


def test_the_hook_registers_the_connections_secrets_and_every_token_with_airflows_masker(akeneo_conn, token):
    akeneo_conn()
    with mock.patch("airflow.sdk.log.mask_secret") as mask_secret:
        client = AkeneoHook().get_conn()
        assert {c.args[0] for c in mask_secret.call_args_list if isinstance(c.args[0], str)} == {PASSWORD, CLIENT_SECRET}
        client.authenticate()
    masked = {c.args[0] for c in mask_secret.call_args_list if isinstance(c.args[0], str)}
    assert masked == {PASSWORD, CLIENT_SECRET, "access-1", "refresh-1"}


def test_invalid_settings_name_the_connection_the_field_and_the_reason(akeneo_conn):
    akeneo_conn("pim_eu", max_concurrent_requests="many")
    ok, message = AkeneoHook("pim_eu").test_connection()
    assert not ok
    assert message.startswith("Invalid Akeneo connection settings (connection 'pim_eu'): ")
    assert "max_concurrent_requests: Input should be a valid integer" in message
