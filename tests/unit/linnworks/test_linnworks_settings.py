"""Connection settings: read once from an Airflow-like connection, validated, secrets kept out of errors."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from linnworks_unit_helpers import APP_ID, APP_SECRET, INSTALL_TOKEN

from linnworks.api.errors import LinnworksConfigError
from linnworks.api.settings import LinnworksSettings


def connection(login=APP_ID, password=APP_SECRET, **extra):
    return SimpleNamespace(login=login, password=password, extra_dejson={"installation_token": INSTALL_TOKEN, **extra})


def test_reads_credentials_from_login_password_and_extra_with_defaults():
    settings = LinnworksSettings.from_connection(connection())
    assert settings.application_id == APP_ID
    assert settings.application_secret.get_secret_value() == APP_SECRET
    assert settings.installation_token.get_secret_value() == INSTALL_TOKEN
    assert settings.auth_host == "https://api.linnworks.net"
    assert (settings.timeout, settings.quota_window_seconds, settings.session_idle_seconds) == (60, 60, 1200)


def test_extras_override_defaults_and_empty_form_values_do_not():
    settings = LinnworksSettings.from_connection(connection(
        auth_host="http://127.0.0.1:8082/", timeout="15", quota_window_seconds=None, session_idle_seconds="",
        quota_overrides='{"Inventory/AddInventoryItemBulk": 100}'))
    assert settings.auth_host == "http://127.0.0.1:8082"
    assert settings.timeout == 15
    assert settings.quota_window_seconds == 60
    assert settings.calls_per_window("Inventory/AddInventoryItemBulk") == 100
    assert settings.calls_per_window("Inventory/GetStockItemIdsBySKU") == 250


def test_missing_token_is_a_config_error_naming_the_field():
    conn = SimpleNamespace(login=APP_ID, password=APP_SECRET, extra_dejson={})
    with pytest.raises(LinnworksConfigError, match="installation_token"):
        LinnworksSettings.from_connection(conn)


def test_invalid_settings_never_echo_secret_values():
    with pytest.raises(LinnworksConfigError) as raised:
        LinnworksSettings.from_connection(connection(password=APP_SECRET, timeout=-1, auth_host="ftp://x"))
    message = str(raised.value)
    assert "timeout" in message and "auth_host" in message
    assert APP_SECRET not in message and INSTALL_TOKEN not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_unknown_quota_method_is_refused():
    with pytest.raises(LinnworksConfigError, match="unknown methods"):
        LinnworksSettings.from_connection(connection(quota_overrides={"Inventory/AddInventoryItemBulkk": 1}))


def test_unknown_extra_is_refused_to_catch_typos():
    with pytest.raises(LinnworksConfigError, match="timout"):
        LinnworksSettings.from_connection(connection(timout=3))


def test_quota_share_scales_every_method_and_never_reaches_zero():
    settings = LinnworksSettings.from_connection(connection(quota_share=0.005))
    assert settings.calls_per_window("Inventory/AddInventoryItemBulk") == 1
    half = LinnworksSettings.from_connection(connection(quota_share=0.5))
    assert half.calls_per_window("Inventory/AddInventoryItemBulk") == 75


def test_secrets_are_hidden_in_repr():
    settings = LinnworksSettings.from_connection(connection())
    assert APP_SECRET not in repr(settings) and INSTALL_TOKEN not in repr(settings)


def test_airflow_2_prefixed_extras_are_read_too():
    conn = SimpleNamespace(login=APP_ID, password=APP_SECRET, extra_dejson={
        "extra__linnworks__installation_token": INSTALL_TOKEN, "extra__linnworks__timeout": 9})
    settings = LinnworksSettings.from_connection(conn)
    assert settings.installation_token.get_secret_value() == INSTALL_TOKEN and settings.timeout == 9


def test_the_client_works_without_airflow():
    import subprocess
    import sys

    code = ("import sys, linnworks.api.client, linnworks.api.settings; "
            "print('airflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
