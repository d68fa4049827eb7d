"""Airflow finds the `akeneo` and `linnworks` connection types through the provider entry point,
with labelled form fields (the Connections page renders them). The Test button's behaviour is
tested against the sandboxes in tests/integration/akeneo and tests/integration/linnworks."""
from __future__ import annotations


def test_connection_types_are_registered_with_their_forms():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "pimflow" in manager.providers
    assert {"akeneo", "linnworks"} <= set(manager.hooks)
    widgets = manager.connection_form_widgets
    for field in ("extra__akeneo__client_id", "extra__akeneo__client_secret", "extra__akeneo__product_id_format",
                  "extra__linnworks__installation_token", "extra__linnworks__auth_host"):
        assert widgets[field].field["schema"].get("title"), field
    assert widgets["extra__akeneo__client_secret"].is_sensitive
    assert widgets["extra__linnworks__installation_token"].is_sensitive
    assert manager.field_behaviours["akeneo"]["relabeling"]["host"] == "Base URL"

