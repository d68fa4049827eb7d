"""The `linnworks` connection type as Airflow 3.3.2 reads it from pimflow's provider info."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import airflow
import jsonschema

from linnworks.api.settings import LinnworksSettings
from linnworks.connection import CONNECTION_TYPE
from pimflow.provider import get_provider_info


def test_connection_type_matches_airflows_provider_schema():
    schema = json.loads((Path(airflow.__file__).parent / "provider.yaml.schema.json").read_text())
    jsonschema.validate([CONNECTION_TYPE], schema["properties"]["connection-types"])


def test_provider_info_registers_the_linnworks_type():
    types = {t["connection-type"]: t for t in get_provider_info()["connection-types"]}
    assert types["linnworks"] is CONNECTION_TYPE
    assert CONNECTION_TYPE["hook-class-name"] == "linnworks.hook.LinnworksHook"


def test_form_fields_are_labelled_described_and_the_token_is_a_password():
    fields = CONNECTION_TYPE["conn-fields"]
    for name, spec in fields.items():
        assert spec["label"] and spec["description"], name
    secret_fields = {name for name, spec in fields.items() if spec["schema"].get("format") == "password"}
    assert secret_fields == {"installation_token"}


def test_every_form_field_is_a_setting_and_form_defaults_match_the_settings_defaults():
    defaults = LinnworksSettings.model_fields
    for name, spec in CONNECTION_TYPE["conn-fields"].items():
        assert name in defaults, name
        if "default" in spec["schema"] and name != "quota_overrides":
            assert spec["schema"]["default"] == defaults[name].default, name


def test_connection_module_imports_nothing_heavy():
    code = ("import sys, linnworks.connection; "
            "print(sorted(m for m in ('requests', 'pydantic', 'airflow', 'urllib3') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_providers_manager_builds_the_form_and_finds_the_testable_hook():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    widgets = manager.connection_form_widgets
    token = widgets["extra__linnworks__installation_token"]
    assert token.is_sensitive
    assert token.field["schema"]["title"] == "Installation token"
    assert widgets["extra__linnworks__auth_host"].field["value"] == "https://api.linnworks.net"
    assert not widgets["extra__linnworks__timeout"].is_sensitive
    behaviour = manager.field_behaviours["linnworks"]
    assert behaviour["relabeling"] == {"login": "Application ID", "password": "Application secret"}
    assert {"host", "port", "schema"} <= set(behaviour["hidden_fields"])
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    hook = ProvidersManagerTaskRuntime().hooks["linnworks"]
    assert hook.hook_class_name == "linnworks.hook.LinnworksHook"
    assert hook.connection_id_attribute_name == "linnworks_conn_id"
    assert hook.hook_name == "Linnworks"
    assert hook.connection_testable
