"""The trigger form Airflow's UI renders from a profile DAG's params (no stack needed): no field is
marked required, and an emptied field, which the form sends as null, is accepted and means "not set"."""
from __future__ import annotations


def test_every_trigger_field_is_optional_and_an_emptied_one_means_not_set():
    from pimflow.factory import trigger_params
    from pimflow.window import RunParams

    params = trigger_params()
    assert set(params) == {"full_sync", "identifiers", "dry_run"}
    for name, param in params.items():
        # Airflow's form marks a field required, and refuses it emptied, unless its type allows null
        assert "null" in param.schema["type"], name
        assert param.resolve(None) is None, name
        assert param.schema["title"] and param.description, name
    assert params["identifiers"].resolve(["PF-000001", "PF-000002"]) == ["PF-000001", "PF-000002"]
    assert RunParams.from_params({name: None for name in params}) == RunParams.from_params({})
    assert RunParams.from_params({"identifiers": ["PF-000001"], "dry_run": True}).identifiers == ("PF-000001",)
