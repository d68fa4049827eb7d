"""The Akeneo and Linnworks connection forms as Airflow 3.3.2's Connections page gets them: the
answer of `GET /ui/connections/hook_meta` (`HookMetaService.hook_meta_data`), built from pimflow's
provider info.

What the 3.3.2 page does with that answer (its React form, `airflow/ui/dist`):
- an extra field is required (a star, and an error while empty) when its `schema.type` is given and
  is not a list holding "null";
- a standard field (host, port, login, password, schema, description) is hidden, relabelled or gets
  a placeholder from `standard_fields`; nothing else of `ui-field-behaviour` reaches the page, so an
  extra field's placeholder or a hidden "extra" would be promises the form does not keep;
- an extra field shows its `description` under it.
The stack test (tests/integration/stack/test_stock_connection_test.py) reads the same answer from a
running API server."""
from __future__ import annotations

import pytest

from akeneo.connection import CONNECTION_TYPE as AKENEO
from linnworks.connection import CONNECTION_TYPE as LINNWORKS

#: `ui-field-behaviour` name → the key of `standard_fields` the page reads.
STANDARD_FIELDS = {"description": "description", "schema": "url_schema", "host": "host", "port": "port",
                   "login": "login", "password": "password"}


@pytest.fixture(scope="module")
def hook_meta() -> dict[str, dict]:
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    return {meta.connection_type: meta.model_dump(mode="json") for meta in HookMetaService.hook_meta_data()}


def required_in_the_form(field: dict) -> bool:
    """The 3.3.2 page's rule for an extra field."""
    kind = field["schema"].get("type")
    return bool(kind) and not (isinstance(kind, list) and "null" in kind)


def test_the_secrets_and_ids_a_connection_cannot_work_without_are_required(hook_meta):
    linnworks, akeneo = hook_meta["linnworks"]["extra_fields"], hook_meta["akeneo"]["extra_fields"]
    assert {name for name, field in linnworks.items() if required_in_the_form(field)} == {"installation_token"}
    assert {name for name, field in akeneo.items() if required_in_the_form(field)} >= {"client_id", "client_secret"}
    assert linnworks["installation_token"]["schema"]["format"] == "password"  # masked, and still required
    assert linnworks["installation_token"]["schema"]["minLength"] == 1  # an empty token is refused too


def test_optional_settings_are_not_required(hook_meta):
    """Every field with a default may be left empty (the client's default applies)."""
    for conn_type, spec in (("akeneo", AKENEO), ("linnworks", LINNWORKS)):
        for name, field in hook_meta[conn_type]["extra_fields"].items():
            if "default" in spec["conn-fields"][name]["schema"] and name != "product_id_format":
                assert not required_in_the_form(field), (conn_type, name)


@pytest.mark.parametrize("spec", [AKENEO, LINNWORKS], ids=["akeneo", "linnworks"])
def test_every_hidden_field_is_one_the_form_hides(hook_meta, spec):
    behaviour = spec["ui-field-behaviour"]
    standard = hook_meta[spec["connection-type"]]["standard_fields"]
    for name in behaviour["hidden-fields"]:
        assert name in STANDARD_FIELDS, f"{name}: the 3.3 form cannot hide it"
        assert standard[STANDARD_FIELDS[name]]["hidden"] is True, name
    for name in set(STANDARD_FIELDS) - set(behaviour["hidden-fields"]):
        assert (standard[STANDARD_FIELDS[name]] or {}).get("hidden") in (None, False), name


@pytest.mark.parametrize("spec", [AKENEO, LINNWORKS], ids=["akeneo", "linnworks"])
def test_every_placeholder_reaches_the_form(hook_meta, spec):
    standard = hook_meta[spec["connection-type"]]["standard_fields"]
    placeholders = spec["ui-field-behaviour"]["placeholders"]
    assert placeholders
    for name, text in placeholders.items():
        assert name in STANDARD_FIELDS, f"{name}: the 3.3 form shows no placeholder there"
        assert standard[STANDARD_FIELDS[name]]["placeholder"] == text


def test_the_akeneo_form_shows_where_to_find_each_credential(hook_meta):
    akeneo = hook_meta["akeneo"]
    assert akeneo["standard_fields"]["host"] == {"hidden": False, "title": "Base URL",
                                                 "placeholder": "https://my-pim.cloud.akeneo.com"}
    assert akeneo["standard_fields"]["login"]["placeholder"]
    client_id = akeneo["extra_fields"]["client_id"]
    assert client_id["schema"]["title"] == "Client ID"
    assert "Connection settings" in client_id["description"] and "1_" in client_id["description"]


def test_the_linnworks_form_shows_only_the_fields_it_uses(hook_meta):
    standard = hook_meta["linnworks"]["standard_fields"]
    assert {name for name, field in standard.items() if field and field["hidden"]} == {"host", "port", "url_schema"}
    assert standard["login"] == {"hidden": False, "title": "Application ID",
                                 "placeholder": "00000000-0000-0000-0000-000000000000"}
    assert standard["password"]["title"] == "Application secret"
