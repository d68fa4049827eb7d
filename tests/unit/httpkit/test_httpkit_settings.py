"""Settings from a connection: extras with or without the form prefix, defaults, readable errors."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from pydantic import BaseModel, Field, SecretStr

from httpkit.settings import build_settings, connection_extras, settings_from_connection


class ShopSettings(BaseModel):
    username: str = Field(min_length=1)
    api_key: SecretStr
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0)


class ShopConfigError(Exception):
    pass


def conn(extra, conn_id="shop_default", login="admin"):
    return SimpleNamespace(conn_id=conn_id, login=login, extra_dejson=extra)


def read(connection):
    return settings_from_connection(ShopSettings, connection, conn_type="shop", service="Shop",
                                    error=ShopConfigError, standard={"username": connection.login or ""})


def test_extras_fill_the_model_and_absent_or_empty_ones_take_the_defaults():
    settings = read(conn({"api_key": "k-123456", "timeout": "", "retries": None}))
    assert settings.username == "admin"
    assert settings.api_key.get_secret_value() == "k-123456"
    assert (settings.timeout, settings.retries) == (30.0, 3)


def test_prefixed_form_keys_are_read_and_win_over_bare_ones():
    settings = read(conn({"api_key": "k-bare", "extra__shop__api_key": "k-form", "extra__shop__timeout": "5"}))
    assert settings.api_key.get_secret_value() == "k-form" and settings.timeout == 5


def test_standard_fields_win_over_extras_of_the_same_name():
    assert read(conn({"api_key": "k-123456", "username": "intruder"})).username == "admin"


def test_a_raw_extra_string_is_parsed_when_there_is_no_extra_dejson():
    raw = SimpleNamespace(conn_id="shop", login="admin", extra=json.dumps({"extra__shop__api_key": "k-1"}))
    assert read(raw).api_key.get_secret_value() == "k-1"


def test_an_extra_that_is_not_a_json_object_is_a_config_error_naming_the_connection():
    broken = SimpleNamespace(conn_id="shop_eu", login="admin", extra="{not json")
    with pytest.raises(ShopConfigError, match="'shop_eu'.*not a JSON object"):
        read(broken)
    assert connection_extras(SimpleNamespace(extra=None), "shop", error=ShopConfigError) == {}


def test_an_invalid_connection_names_the_connection_the_field_and_the_reason_never_the_value():
    with pytest.raises(ShopConfigError) as raised:
        read(conn({"api_key": "k-123456", "timeout": "-3", "retries": "many-secret-word"}, conn_id="shop_eu"))
    message = str(raised.value)
    assert message.startswith("Invalid Shop connection settings (connection 'shop_eu'): ")
    assert "timeout: Input should be greater than 0" in message
    assert "retries: Input should be a valid integer" in message
    assert "many-secret-word" not in message and "k-123456" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_missing_required_field_is_named():
    with pytest.raises(ShopConfigError, match="api_key: Field required"):
        read(conn({}))


def test_build_settings_validates_plain_values_without_a_connection():
    assert build_settings(ShopSettings, {"username": "u", "api_key": "k"}, error=ShopConfigError,
                          service="Shop").timeout == 30.0
    with pytest.raises(ShopConfigError, match=r"^Invalid Shop connection settings: username"):
        build_settings(ShopSettings, {"username": "", "api_key": "k"}, error=ShopConfigError, service="Shop")
