"""Writes and the connection test against the Akeneo sandbox over real HTTP."""
from __future__ import annotations

import json

import pytest

from akeneo.hook import AkeneoHook

pytestmark = pytest.mark.integration


def value(data, locale=None, scope=None):
    return [{"locale": locale, "scope": scope, "data": data}]


def test_writes_report_every_refused_line_with_akeneos_message(writable_sandbox):
    client = writable_sandbox.client(product_id_format="identifier")
    known = client.fetch_catalog_metadata().attribute_codes
    records = []
    for i in range(230):
        records.append({"identifier": f"NEW-{i:04d}", "family": "electronics",
                        "values": {"name": value(f"New product {i}", locale="en_US")}})
    records[5]["values"]["brand"] = value("no_such_brand")             # not an option of brand
    records[77]["family"] = "no_such_family"                          # unknown family
    records[150]["values"]["colour_typo"] = value("red")              # unknown attribute: never sent
    records[200]["values"]["name"] = value(42, locale="en_US")        # wrong type
    results = client.patch_products(records, known_attributes=known)

    assert [r.index for r in results] == list(range(230))
    refused = {r.index: r for r in results if not r.ok}
    assert set(refused) == {5, 77, 150, 200}
    for index in (5, 77, 200):
        line = refused[index]
        assert line.sent and line.status_code == 422 and line.identifier == f"NEW-{index:04d}"
        assert line.message and line.summary
    assert "brand" in refused[5].summary
    assert "no_such_family" in refused[77].summary
    assert not refused[150].sent and "colour_typo" in refused[150].summary
    stats = writable_sandbox.stats()["requests"]
    assert stats["PATCH /api/rest/v1/products"] == 3  # 229 sent lines in batches of <= 100
    created = [r for r in results if r.ok]
    assert all(r.created for r in created) and len(created) == 226
    stored = writable_sandbox.stored_product("NEW-0001")
    assert stored["family"] == "electronics"
    assert stored["values"]["name"][0]["data"] == "New product 1"
    assert writable_sandbox.stored_product("NEW-0150") is None


def test_second_write_of_the_same_records_reports_updates(writable_sandbox):
    client = writable_sandbox.client(product_id_format="identifier")
    records = [{"identifier": f"UPD-{i}", "values": {"name": value(f"v1 {i}", locale="en_US")}} for i in range(3)]
    assert all(r.created for r in client.patch_products(records))
    records[1]["values"]["name"] = value("v2", locale="en_US")
    again = client.patch_products(records)
    assert all(r.updated for r in again)
    assert writable_sandbox.stored_product("UPD-1")["values"]["name"][0]["data"] == "v2"


def test_writes_survive_faults(writable_sandbox):
    writable_sandbox.configure(error_rate_5xx=0.2, drop_rate=0.1, fault_seed=3)
    client = writable_sandbox.client(product_id_format="identifier")
    records = [{"identifier": f"F-{i:03d}", "values": {"name": value(f"n{i}", locale="en_US")}} for i in range(450)]
    results = client.patch_products(records, batch_size=50)
    assert all(r.ok for r in results) and len(results) == 450
    assert all(writable_sandbox.stored_product(f"F-{i:03d}") for i in range(0, 450, 37))


def connection_env(monkeypatch, sandbox, conn_id: str, secret: str) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({
        "conn_type": "akeneo", "host": sandbox.url, "login": "admin", "password": "admin",
        "extra": {"extra__akeneo__client_id": "pimflow", "extra__akeneo__client_secret": secret}}))


def test_test_connection_succeeds(monkeypatch, sandbox):
    connection_env(monkeypatch, sandbox, "akeneo_live", "pimflow-secret")
    ok, message = AkeneoHook("akeneo_live").test_connection()
    assert ok, message
    assert sandbox.url in message


def test_test_connection_with_a_wrong_secret_fails_readably(monkeypatch, sandbox):
    connection_env(monkeypatch, sandbox, "akeneo_wrong", "not-the-secret")
    ok, message = AkeneoHook("akeneo_wrong").test_connection()
    assert not ok
    assert "refused the credentials" in message
    assert 'does not match any client, or secret is invalid' in message
    assert "not-the-secret" not in message
