"""Feed → Akeneo through real Airflow into the Akeneo sandbox: products written, every bad line in
the feedback file with its code and message, and a re-run that changes nothing."""
from __future__ import annotations

import json
import uuid

import pytest

from pipeline_helpers import akeneo_calls, akeneo_product, value

pytestmark = pytest.mark.integration

HEADER = "sku;family;categories;name~en_US;name~de_DE;name~es_ES;ean;ean~en_US;color;material;price@EUR;cost;weight;warranty_years;release_date;fabric"
LINES = [
    "NEW-1;clothing;jackets;Rain Jacket;Regenjacke;;4006381333931;;red;cotton<###>wool;89.90 EUR;;0.8 KGM;2;2026-03-01;",
    "NEW-2;sports;;Yoga Mat;Yogamatte;;;;blue;;25.00 EUR;;1200 GRM;1;;",
    "PF-000003;;;Renamed jacket;;;;;;;;;;;;",
    "NEW-4;clothing;;Shirt;;;;;;;;;;;;silk",
    "NEW-5;clothing;;Shirt;;Camisa;;;;;;;;;;",
    "NEW-6;clothing;;Shirt;;;;123;;;;;;;;",
    "NEW-7;clothing;;Shirt;;;;;;;;12.00 XYZ;;;;",
    "NEW-8;clothing;;Shirt;;;;;;;;;3 MTR;;;",
    "NEW-9;clothing;;Shirt;;;;;fuchsia;;;;;;;",
    "NEW-10;clothing;;Shirt;;;;;;;;;;two;;",
    "NEW-11;clothing;;Shirt;;;;;;;;;;;31/02/2026;",
    "NEW-1;clothing;;Rain Jacket again;;;;;;;;;;;;",
    ";clothing;;No identifier;;;;;;;;;;;;",
    "NEW-14;clothing;no_such_category;Shirt;;;;;;;;;;;;",
]

PROFILE = """
id: {dag_id}
source:
  kind: feed
  path: supplier.csv
  delimiter: ";"
target:
  kind: akeneo
  product_id: identifier
batch_size: 5
retries: 0
chunk_size: 6
"""


@pytest.fixture
def feed_profile(tmp_path):
    (tmp_path / "supplier.csv").write_text("\n".join([HEADER, *LINES]) + "\n", encoding="utf-8")
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE.format(dag_id=f"feed_to_akeneo_{uuid.uuid4().hex[:8]}"), encoding="utf-8")
    return path


def feedback(staging) -> list[str]:
    return (staging / "feedback.csv").read_text(encoding="utf-8").splitlines()


def test_feed_to_akeneo_writes_good_lines_and_explains_every_refusal(connected, feed_profile, run_profile):
    dag_run, staging = run_profile(feed_profile)
    assert dag_run.state == "success"

    created = akeneo_product(connected, "NEW-1")
    assert created["family"] == "clothing" and created["categories"] == ["jackets"]
    assert value(created, "name", "en_US") == "Rain Jacket" and value(created, "name", "de_DE") == "Regenjacke"
    assert value(created, "material") == ["cotton", "wool"]
    assert value(created, "price") == [{"amount": "89.90", "currency": "EUR"}]
    assert value(created, "weight") == {"amount": "0.8000", "unit": "KILOGRAM"}  # Akeneo keeps 4 decimals
    assert value(akeneo_product(connected, "NEW-2"), "weight") == {"amount": "1200.0000", "unit": "GRAM"}
    assert value(akeneo_product(connected, "PF-000003"), "name", "en_US") == "Renamed jacket"
    for refused in ("NEW-4", "NEW-5", "NEW-6", "NEW-7", "NEW-8", "NEW-9", "NEW-10", "NEW-11", "NEW-14"):
        assert akeneo_product(connected, refused) is None, refused

    summary = json.loads((staging / "summary.json").read_text())
    assert summary["read"] == len(LINES)
    assert summary["statuses"] == {"created": 2, "updated": 1, "refused": 11}
    assert summary["refused_before_sending"] == 10
    assert feedback(staging) == EXPECTED_FEEDBACK


def test_rerunning_the_same_feed_changes_nothing_and_refuses_the_same_lines(connected, feed_profile, run_profile):
    run_profile(feed_profile)
    before = {sku: akeneo_product(connected, sku) for sku in ("NEW-1", "NEW-2", "PF-000003")}
    dag_run, staging = run_profile(feed_profile)
    assert dag_run.state == "success"
    after = {sku: akeneo_product(connected, sku) for sku in before}
    assert after == before  # same values, same `updated` stamps: nothing changed
    assert feedback(staging) == EXPECTED_FEEDBACK


EXPECTED_FEEDBACK = [
    'sku;family;categories;name~en_US;name~de_DE;name~es_ES;ean;ean~en_US;color;material;price@EUR;cost;weight;warranty_years;release_date;fabric;akeneo_code;akeneo_message',
    "NEW-4;clothing;;Shirt;;;;;;;;;;;;silk;invalid_value;fabric: 'silk': unknown attribute 'fabric'",
    "NEW-5;clothing;;Shirt;;Camisa;;;;;;;;;;;invalid_value;name~es_ES: 'Camisa': locale 'es_ES' is not activated (active: de_DE, en_US, fr_FR)",
    "NEW-6;clothing;;Shirt;;;;123;;;;;;;;;invalid_value;ean~en_US: '123': attribute 'ean' is not localizable: remove the locale 'en_US'",
    "NEW-7;clothing;;Shirt;;;;;;;;12.00 XYZ;;;;;invalid_value;cost: '12.00 XYZ': unknown currency 'XYZ'",
    "NEW-8;clothing;;Shirt;;;;;;;;;3 MTR;;;;invalid_value;weight: '3 MTR': unit 'MTR' is not in measurement family 'Weight' (use one of MGM, GRM, KGM, TNE, GRN, ONZ, LBR)",
    "NEW-9;clothing;;Shirt;;;;;fuchsia;;;;;;;;invalid_value;color: 'fuchsia': unknown option 'fuchsia' of attribute 'color'",
    "NEW-10;clothing;;Shirt;;;;;;;;;;two;;;invalid_value;warranty_years: 'two': not a number: write digits with '.' for decimals, like 12.50",
    "NEW-11;clothing;;Shirt;;;;;;;;;;;31/02/2026;;invalid_value;release_date: '31/02/2026': not a date: write YYYY-MM-DD, like 2026-01-31",
    "NEW-1;clothing;;Rain Jacket again;;;;;;;;;;;;;duplicate_identifier;supplier.csv: line 13 repeats sku 'NEW-1', already on line 2",
    ";clothing;;No identifier;;;;;;;;;;;;;invalid_value;sku: the identifier (column 'sku') is empty",
    'NEW-14;clothing;no_such_category;Shirt;;;;;;;;;;;;;422;The no_such_category category does not exist in your PIM. Check the expected format on the API documentation.',
]


def test_with_create_products_off_unknown_identifiers_are_refused_and_nothing_is_created(
        connected, feed_profile, run_profile):
    text = feed_profile.read_text().replace("  product_id: identifier", "  product_id: identifier\n  create_products: false")
    feed_profile.write_text(text)
    (feed_profile.parent / "supplier.csv").write_text(
        "sku;name~en_US\nPF-000004;Known product\nNEW-404;Unknown product\n", encoding="utf-8")
    dag_run, staging = run_profile(feed_profile)

    assert dag_run.state == "success"
    assert value(akeneo_product(connected, "PF-000004"), "name", "en_US") == "Known product"
    assert akeneo_product(connected, "NEW-404") is None
    assert feedback(staging) == [
        "sku;name~en_US;akeneo_code;akeneo_message",
        "NEW-404;Unknown product;unknown_product;'NEW-404' does not exist in Akeneo and create_products is off",
    ]


def by_uuid(connected, monkeypatch) -> None:
    """`akeneo_default` with product_id_format uuid: the connection is where the format is set."""
    connection = connected.connections()["akeneo_default"]
    connection = {**connection, "extra": {**connection["extra"], "product_id_format": "uuid"}}
    monkeypatch.setenv("AIRFLOW_CONN_AKENEO_DEFAULT", json.dumps(connection))


def test_a_uuid_column_addresses_products_on_the_uuid_endpoints(connected, feed_profile, run_profile, monkeypatch):
    existing = akeneo_product(connected, "PF-000005")
    by_uuid(connected, monkeypatch)
    feed_profile.write_text(feed_profile.read_text().replace("  product_id: identifier\n", ""))
    (feed_profile.parent / "supplier.csv").write_text(
        f"uuid;sku;name~en_US\n{existing['uuid']};PF-000005;Renamed by uuid\n", encoding="utf-8")
    dag_run, staging = run_profile(feed_profile)

    assert dag_run.state == "success"
    assert json.loads((staging / "summary.json").read_text())["statuses"] == {"updated": 1}
    assert value(akeneo_product(connected, "PF-000005"), "name", "en_US") == "Renamed by uuid"


def test_a_profile_product_id_other_than_the_connections_fails_the_run_at_its_start(
        connected, feed_profile, run_profile, monkeypatch, capsys):
    """`product_id` in a profile is deprecated: the connection's product_id_format decides, and a
    profile saying otherwise gets an error naming both, before anything is read or written."""
    by_uuid(connected, monkeypatch)  # the profile still says identifier
    dag_run, _ = run_profile(feed_profile)

    assert dag_run.state == "failed"
    printed = capsys.readouterr().out
    dag_id = feed_profile.read_text().split()[1]
    assert (f"AirflowFailException: profile '{dag_id}': target.product_id is 'identifier', but connection "
            f"'akeneo_default' reads and writes products by uuid (its product_id_format, default uuid). The "
            f"product id format is a setting of the connection now: set product_id_format to 'identifier' in "
            f"connection 'akeneo_default'") in printed
    assert "(not retried: another try would fail the same way)" in printed
    assert akeneo_calls(connected, "PATCH /api/rest/v1/products") == 0
    assert akeneo_calls(connected, "PATCH /api/rest/v1/products-uuid") == 0
    assert akeneo_product(connected, "NEW-1") is None


def test_a_profile_product_id_that_agrees_is_accepted_with_a_deprecation_warning(
        connected, feed_profile, run_profile, caplog):
    dag_run, _ = run_profile(feed_profile)  # says identifier, as the sandbox connection does

    assert dag_run.state == "success"
    assert ("target.product_id is deprecated and can go: connection 'akeneo_default' already reads and writes "
            "products by identifier (its product_id_format)") in caplog.text


def prices_of(product) -> dict[str, str | None]:
    return {price["currency"]: price["amount"] for price in value(product, "price") or []}


@pytest.mark.parametrize("empty_cells", ["no_change", "clear"])
def test_a_line_updating_one_currency_of_three_keeps_the_other_two(connected, feed_profile, run_profile,
                                                                   empty_cells):
    """Akeneo replaces a price collection whole: a line giving EUR alone must not delete the USD and
    GBP prices it never mentioned. Columns one per currency or Productsup's `@currency` cell alike;
    with `empty_cells: clear` an empty `price@USD` cell still clears USD, and GBP (no column) stays."""
    before = {sku: prices_of(akeneo_product(connected, sku)) for sku in ("PF-000003", "PF-000004", "PF-000006")}
    assert all(set(held) == {"EUR", "GBP", "USD"} for held in before.values())
    feed_profile.write_text(feed_profile.read_text().replace(
        "  product_id: identifier", f"  product_id: identifier\n  empty_cells: {empty_cells}"))
    (feed_profile.parent / "supplier.csv").write_text("\n".join([
        "sku;price@EUR;price@USD;cost@currency",
        "PF-000003;7.00 EUR;;",
        "PF-000004;;8.00 USD;",
        "PF-000006;;;3.00 USD",  # cost, given in Productsup's form: the EUR cost stays
        "NEW-P;1.00 EUR;2.00 USD;",
    ]) + "\n", encoding="utf-8")
    dag_run, staging = run_profile(feed_profile)

    assert dag_run.state == "success"
    assert json.loads((staging / "summary.json").read_text())["statuses"] == {"updated": 3, "created": 1}
    cleared_usd = {"USD": None} if empty_cells == "clear" else {}
    assert prices_of(akeneo_product(connected, "PF-000003")) == {**before["PF-000003"], "EUR": "7.00", **cleared_usd}
    cleared_eur = {"EUR": None} if empty_cells == "clear" else {}
    assert prices_of(akeneo_product(connected, "PF-000004")) == {**before["PF-000004"], "USD": "8.00", **cleared_eur}
    cost = {price["currency"]: price["amount"] for price in value(akeneo_product(connected, "PF-000006"), "cost")}
    assert cost["USD"] == "3.00" and cost["EUR"] is not None
    assert prices_of(akeneo_product(connected, "NEW-P")) == {"EUR": "1.00", "USD": "2.00"}
    # what Akeneo held was read once for the chunk's four lines (at most one read per 100 lines)
    assert akeneo_calls(connected, "GET /api/rest/v1/products") == 1
