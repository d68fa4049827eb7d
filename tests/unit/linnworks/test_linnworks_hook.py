"""LinnworksHook: reads the Airflow connection once, hands out the client, answers the Test button."""
from __future__ import annotations

import json
from unittest import mock

import pytest
from linnworks_unit_helpers import APP_ID, APP_SECRET, AUTH_HOST, AUTH_URL, INSTALL_TOKEN, SESSION_TOKENS, api

from linnworks.api.client import LinnworksClient
from linnworks.hook import LinnworksHook


@pytest.fixture
def linnworks_conn(monkeypatch):
    def define(conn_id="linnworks_default", **extra):
        fields = {"installation_token": INSTALL_TOKEN, "auth_host": AUTH_HOST, "backoff_seconds": 0,
                  "max_retries": 0, **extra}
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(
            {"conn_type": "linnworks", "login": APP_ID, "password": APP_SECRET, "extra": fields}))
        return conn_id

    return define


def test_hook_declares_what_the_connections_page_needs():
    assert LinnworksHook.conn_type == "linnworks"
    assert LinnworksHook.conn_name_attr == "linnworks_conn_id"
    assert LinnworksHook.default_conn_name == "linnworks_default"
    assert LinnworksHook.hook_name == "Linnworks"


def test_get_conn_returns_one_client_built_from_the_connection(linnworks_conn):
    linnworks_conn("lw_shop", timeout=12)
    hook = LinnworksHook(linnworks_conn_id="lw_shop")
    client = hook.get_conn()
    assert isinstance(client, LinnworksClient)
    assert client is hook.get_conn()
    assert client.settings.application_id == APP_ID
    assert client.settings.timeout == 12
    assert client.settings.auth_host == AUTH_HOST


def test_test_connection_authorizes_and_reads_locations(linnworks_conn, authorized):
    linnworks_conn()
    authorized.get(api("Inventory/GetStockLocations"), json=[{"StockLocationId": "0", "LocationName": "Default"}])
    ok, message = LinnworksHook().test_connection()
    assert ok
    assert "1 stock location" in message


def test_test_connection_reports_refused_credentials_readably_without_secrets(linnworks_conn, mocked):
    linnworks_conn()
    mocked.post(AUTH_URL, status=400, json={"Code": None, "Message": f"Application {APP_SECRET} not found"})
    ok, message = LinnworksHook().test_connection()
    assert not ok
    assert "refused the application credentials" in message and "not found" in message
    assert APP_SECRET not in message and INSTALL_TOKEN not in message


def test_test_connection_reports_invalid_settings(linnworks_conn):
    linnworks_conn(installation_token="")
    ok, message = LinnworksHook().test_connection()
    assert not ok
    assert "installation_token" in message


def test_test_connection_reports_an_unreachable_host(linnworks_conn):
    linnworks_conn(auth_host="http://127.0.0.1:9", timeout=2)
    ok, message = LinnworksHook().test_connection()
    assert not ok
    assert "Auth/AuthorizeByApplication" in message


def test_the_hook_registers_the_connections_secrets_and_the_session_token_with_airflows_masker(
        linnworks_conn, authorized):
    linnworks_conn()
    authorized.get(api("Inventory/GetStockLocations"), json=[])
    with mock.patch("airflow.sdk.log.mask_secret") as mask_secret:
        client = LinnworksHook().get_conn()
        assert {c.args[0] for c in mask_secret.call_args_list if isinstance(c.args[0], str)} == {APP_SECRET, INSTALL_TOKEN}
        client.get_stock_locations()
    masked = {c.args[0] for c in mask_secret.call_args_list if isinstance(c.args[0], str)}
    assert masked == {APP_SECRET, INSTALL_TOKEN, SESSION_TOKENS[0]}
