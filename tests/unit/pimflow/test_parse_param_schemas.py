"""`check_param_schemas_once`: Airflow's param validation checks each schema against the metaschema
once per process, and validates exactly as `jsonschema.validate` does."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from pimflow.loader import check_param_schemas_once


@pytest.fixture
def checks(monkeypatch) -> list[dict]:
    """The memo installed (undone after the test); returns the schemas checked against the metaschema."""
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validators.validate)  # the original (a DAG file may have wrapped it)
    check_param_schemas_once()
    checked: list[dict] = []
    original = Draft202012Validator.check_schema.__func__
    monkeypatch.setattr(Draft202012Validator, "check_schema",
                        classmethod(lambda cls, schema, *a, **kw: checked.append(schema) or original(cls, schema, *a, **kw)))
    return checked


def test_a_schema_is_checked_once_and_every_value_still_validated(checks):
    schema = {"type": ["array", "null"], "items": {"type": "string"}, "title": "Identifiers"}
    for _ in range(5):
        jsonschema.validate(["SKU-1"], dict(schema), format_checker=FormatChecker())
        with pytest.raises(jsonschema.ValidationError, match="1 is not of type 'string'"):
            jsonschema.validate([1], dict(schema), format_checker=FormatChecker())
    assert len(checks) == 1
    jsonschema.validate(None, {**schema, "title": "Other"})
    assert len(checks) == 2


def test_a_bad_schema_is_refused_every_time(checks):
    for _ in range(3):
        with pytest.raises(jsonschema.SchemaError):
            jsonschema.validate(1, {"type": "not-a-type"})
    assert len(checks) == 3


def test_installing_twice_wraps_once(monkeypatch):
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validators.validate)  # the original (a DAG file may have wrapped it)
    check_param_schemas_once()
    installed = jsonschema.validate
    check_param_schemas_once()
    assert jsonschema.validate is installed


def test_airflow_params_behave_the_same(checks):
    from airflow.sdk import Param
    from airflow.sdk.definitions.param import ParamsDict
    from airflow.sdk.exceptions import ParamValidationError

    params = ParamsDict({"flag": Param(False, type=["boolean", "null"]), "ids": Param([], type="array", items={"type": "string"})})
    assert params.validate() == {"flag": False, "ids": []} and params.dump() == {"flag": False, "ids": []}
    with pytest.raises(ParamValidationError, match="is not of type 'boolean', 'null'"):
        params["flag"] = "yes"
    assert len(checks) == 2


def test_serialized_dags_are_the_same_with_and_without_it(monkeypatch):
    from airflow.serialization.serialized_objects import DagSerialization

    from pimflow.factory import build_dag
    from pimflow.loader import load_profiles

    monkeypatch.setattr(jsonschema, "validate", jsonschema.validators.validate)  # the original (a DAG file may have wrapped it)
    loaded, _ = load_profiles()
    before = [DagSerialization.to_dict(build_dag(item)) for item in loaded]
    check_param_schemas_once()
    assert jsonschema.validate._pimflow_checks_once
    assert [DagSerialization.to_dict(build_dag(item)) for item in loaded] == before
