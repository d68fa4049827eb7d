"""The `akeneo` connection type as Airflow 3.3.2 reads it from pimflow's provider info."""
import json
import subprocess
import sys
from pathlib import Path

import airflow
import jsonschema

from akeneo.connection import CONNECTION_TYPE
from pimflow.provider import get_provider_info


def test_connection_type_matches_airflows_provider_schema():
    schema = json.loads((Path(airflow.__file__).parent / "provider.yaml.schema.json").read_text())
    jsonschema.validate([CONNECTION_TYPE], schema["properties"]["connection-types"])
    assert CONNECTION_TYPE["hook-class-name"] == "akeneo.hook.AkeneoHook"


def test_provider_info_registers_the_akeneo_type():
    types = {t["connection-type"]: t for t in get_provider_info()["connection-types"]}
    assert types["akeneo"] is CONNECTION_TYPE


def test_every_form_field_is_labelled_and_described_and_the_secrets_are_passwords():
    secrets = {"client_secret", "events_secret", "events_secret_secondary"}
    for name, spec in CONNECTION_TYPE["conn-fields"].items():
        assert spec["label"] and spec["description"], name
        assert (spec["schema"].get("format") == "password") == (name in secrets), name
    # the events secrets are optional: a connection without event-driven sync leaves them empty
    assert all("null" in CONNECTION_TYPE["conn-fields"][name]["schema"]["type"] for name in secrets - {"client_secret"})


def test_connection_module_imports_nothing_heavy():
    code = ("import sys, akeneo.connection; "
            "print(sorted(m for m in ('requests', 'pydantic', 'airflow', 'urllib3') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_providers_manager_builds_the_form_and_finds_the_testable_hook():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    widgets = manager.connection_form_widgets
    secret = widgets["extra__akeneo__client_secret"]
    assert secret.is_sensitive
    assert widgets["extra__akeneo__client_id"].field["schema"]["title"] == "Client ID"
    assert widgets["extra__akeneo__max_concurrent_requests"].field["value"] == 4
    behaviour = manager.field_behaviours["akeneo"]
    assert behaviour["relabeling"]["host"] == "Base URL"
    assert behaviour["placeholders"]["host"] == "https://my-pim.cloud.akeneo.com"
    hook = manager.hooks["akeneo"]
    assert hook.hook_class_name == "akeneo.hook.AkeneoHook"
    assert hook.connection_id_attribute_name == "akeneo_conn_id"
    assert hook.connection_testable
