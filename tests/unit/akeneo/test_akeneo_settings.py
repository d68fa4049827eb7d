import json
from types import SimpleNamespace

import pytest

from akeneo.connection import CONNECTION_TYPE
from akeneo.errors import AkeneoConfigError
from akeneo.settings import AkeneoConnectionSettings


def conn(extra: dict | None = None, host="https://pim.example.com", port=None, login="api",
         password="p4ssword-xyz"):
    return SimpleNamespace(host=host, port=port, login=login, password=password,
                           extra=json.dumps(extra or {}), extra_dejson=extra or {})


BASE_EXTRA = {"client_id": "abc", "client_secret": "the-client-secret"}


def test_extras_without_prefix_are_read():
    settings = AkeneoConnectionSettings.from_connection(conn({**BASE_EXTRA, "max_concurrent_requests": 2}))
    assert settings.client_id == "abc"
    assert settings.client_secret.get_secret_value() == "the-client-secret"
    assert settings.max_concurrent_requests == 2


def test_extras_with_the_form_prefix_are_read_and_win_over_bare_keys():
    extra = {"extra__akeneo__client_id": "from-form", "client_id": "bare",
             "extra__akeneo__client_secret": "s3cr3t-form", "extra__akeneo__product_id_format": "identifier",
             "extra__akeneo__throttle_requests": "50", "extra__akeneo__verify_tls": "false"}
    settings = AkeneoConnectionSettings.from_connection(conn(extra))
    assert settings.client_id == "from-form"
    assert settings.product_id_format == "identifier"
    assert settings.throttle_requests == 50
    assert settings.verify_tls is False
    assert settings.products_path == "/api/rest/v1/products"


def test_missing_and_empty_extras_take_the_defaults():
    settings = AkeneoConnectionSettings.from_connection(
        conn({**BASE_EXTRA, "timeout_seconds": "", "max_retries": None}))
    assert settings.product_id_format == "uuid"
    assert settings.products_path == "/api/rest/v1/products-uuid"
    assert settings.max_concurrent_requests == 4
    assert settings.throttle_requests == 100
    assert settings.throttle_window_seconds == 1.0
    assert settings.timeout_seconds == 30.0
    assert settings.max_retries == 8
    assert settings.verify_tls is True


#: form fields the event receiver reads (pimflow.events.settings), not the client
RECEIVER_FIELDS = ("events_secret", "events_secret_secondary")


def test_form_defaults_match_the_settings_defaults():
    fields = AkeneoConnectionSettings.model_fields
    for name, spec in CONNECTION_TYPE["conn-fields"].items():
        if name in RECEIVER_FIELDS:
            continue
        assert name in fields, name
        if "default" in spec["schema"]:
            assert spec["schema"]["default"] == fields[name].default, name


def test_the_forms_events_secrets_are_the_ones_the_receiver_checks_signatures_with():
    from pimflow.events.settings import settings_from_extra

    extra = {name: f"{name}-0123456789abcdef" for name in RECEIVER_FIELDS}
    assert set(RECEIVER_FIELDS) <= set(CONNECTION_TYPE["conn-fields"])
    assert settings_from_extra("akeneo_default", "akeneo", extra).secrets == tuple(extra.values())


def test_base_url_gets_a_scheme_and_the_connection_port_and_loses_its_trailing_slash():
    settings = AkeneoConnectionSettings.from_connection(conn(BASE_EXTRA, host="pim.local/", port=8443))
    assert settings.base_url == "https://pim.local:8443"
    settings = AkeneoConnectionSettings.from_connection(conn(BASE_EXTRA, host="http://127.0.0.1:8081/"))
    assert settings.base_url == "http://127.0.0.1:8081"


def test_invalid_settings_say_what_is_wrong_without_echoing_any_value():
    extra = {"client_id": "abc", "client_secret": "the-client-secret",
             "max_concurrent_requests": "lots", "product_id_format": "sku"}
    with pytest.raises(AkeneoConfigError) as info:
        AkeneoConnectionSettings.from_connection(conn(extra, password="hunter2-password", host=""))
    message = str(info.value)
    assert "max_concurrent_requests" in message and "product_id_format" in message
    assert "base_url" in message
    assert "the-client-secret" not in message and "hunter2-password" not in message
    assert "lots" not in message


def test_missing_client_secret_is_a_config_error():
    with pytest.raises(AkeneoConfigError, match="client_secret"):
        AkeneoConnectionSettings.from_connection(conn({"client_id": "abc"}))


def test_secrets_do_not_show_in_repr():
    settings = AkeneoConnectionSettings.from_connection(conn(BASE_EXTRA, password="p4ssword-xyz"))
    assert "the-client-secret" not in repr(settings)
    assert "p4ssword-xyz" not in repr(settings)


def test_unknown_server_timezone_is_refused():
    with pytest.raises(AkeneoConfigError, match="server_timezone"):
        AkeneoConnectionSettings.from_connection(conn({**BASE_EXTRA, "server_timezone": "Mars/Olympus"}))
