"""The product id format has one home, the Akeneo connection (`product_id_format`); a profile's
`product_id` is deprecated: accepted with a warning when it names the connection's format, a
run-stopping error naming the profile, the field and the connection when it does not."""
from __future__ import annotations

import json
import logging

import pytest

from pimflow.errors import NotRetried
from pimflow.kinds.akeneo import AkeneoProfileError, akeneo_client, product_id_format
from pimflow.profile import Profile


@pytest.fixture
def connection(monkeypatch):
    def define(conn_id: str = "akeneo_default", **extra) -> str:
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({
            "conn_type": "akeneo", "host": "http://pim.test", "login": "api", "password": "api-password-1",
            "extra": {"client_id": "client-1", "client_secret": "client-secret-1", **extra}}))
        return conn_id
    return define


def profile(**target) -> Profile:
    return Profile.model_validate({"id": "feed_in", "source": {"kind": "feed", "path": "in.csv"},
                                   "target": {"kind": "akeneo", **target}})


@pytest.mark.parametrize("fmt", ["uuid", "identifier"])
def test_without_product_id_in_the_profile_the_connection_decides(connection, caplog, fmt):
    connection(product_id_format=fmt)
    assert product_id_format(profile().target, "target", "feed_in", logging.getLogger("t")) == fmt
    assert akeneo_client("akeneo_default").settings.product_id_format == fmt
    assert not [record for record in caplog.records if record.name == "t"]


def test_a_connection_without_the_setting_goes_by_uuid(connection):
    connection()
    assert product_id_format(profile().target, "target", "feed_in") == "uuid"


def test_a_product_id_naming_the_connections_format_is_accepted_with_a_deprecation_warning(connection, caplog):
    connection(product_id_format="identifier")
    with caplog.at_level(logging.WARNING):
        fmt = product_id_format(profile(product_id="identifier").target, "target", "feed_in", logging.getLogger("t"))
    assert fmt == "identifier"
    assert [record.getMessage() for record in caplog.records if record.name == "t"] == ["profile feed_in: target.product_id is deprecated and can go: connection "
                               "'akeneo_default' already reads and writes products by identifier (its "
                               "product_id_format)"]


def test_a_product_id_the_connection_does_not_say_stops_the_run_saying_what_to_set_where(connection):
    connection("akeneo_eu")  # no product_id_format: uuid
    source = Profile.model_validate({
        "id": "pim_out", "source": {"kind": "akeneo", "connection": "akeneo_eu", "product_id": "identifier"},
        "target": {"kind": "feed", "path": "out.csv"}}).source
    with pytest.raises(AkeneoProfileError) as raised:
        product_id_format(source, "source", "pim_out")
    assert isinstance(raised.value, NotRetried)  # no retry: another try would fail the same way
    assert str(raised.value) == (
        "profile 'pim_out': source.product_id is 'identifier', but connection 'akeneo_eu' reads and writes "
        "products by uuid (its product_id_format, default uuid). The product id format is a setting of the "
        "connection now: set product_id_format to 'identifier' in connection 'akeneo_eu' (Admin > "
        "Connections, or its extra), or name a connection that has it, and remove product_id from the profile")


def test_the_client_follows_the_connection_whatever_a_profile_said(connection):
    """No per-profile override is left: one connection, one way of naming products."""
    connection(product_id_format="identifier")
    client = akeneo_client("akeneo_default")
    assert client.settings.products_path == "/api/rest/v1/products"
    with pytest.raises(TypeError):
        akeneo_client("akeneo_default", "uuid")


def test_pimflow_count_says_the_same_before_calling_akeneo(connection, tmp_path, capsys):
    from pimflow.cli import main

    connection(product_id_format="uuid")
    path = tmp_path / "pim_out.yaml"
    path.write_text("id: pim_out\nsource: {kind: akeneo, product_id: identifier}\n"
                    "target: {kind: feed, path: out.csv}\n", encoding="utf-8")
    assert main(["count", str(path)]) == 1  # http://pim.test is never called: it does not exist
    assert capsys.readouterr().err.startswith(
        f"{path}: profile 'pim_out': source.product_id is 'identifier', but connection 'akeneo_default' reads "
        f"and writes products by uuid")
