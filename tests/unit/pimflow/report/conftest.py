"""The run report's fixtures: Airflow's own API server app (`create_app`), which mounts the report
plugin from its `airflow.plugins` entry point and authenticates with Airflow's auth manager, and a
local staging base (the S3 one is in test_run_report_s3.py)."""
from __future__ import annotations

import pytest

from report_helpers import JWT_SECRET, OTHER_DAG, Server


@pytest.fixture(scope="module")
def api_server(airflow_db):
    """Airflow's API server app (`airflow.api_fastapi.app.create_app`, the core apps), the report
    mounted from the plugin's entry point, with an auth manager that can refuse a user one DAG."""
    from fastapi.testclient import TestClient

    from airflow.api_fastapi import app as api_app
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    import report_auth

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW__CORE__AUTH_MANAGER", "report_auth.PerDagAuthManager")
        patch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", JWT_SECRET)
        patch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin,alice:viewer")
        patch.setattr(report_auth, "READS", {"alice": {OTHER_DAG}})
        api_app.purge_cached_app()
        app = api_app.create_app(apps="core")
        manager = api_app.get_auth_manager()
        tokens = {name: manager.generate_jwt(SimpleAuthManagerUser(username=name, role=role))
                  for name, role in (("admin", "admin"), ("alice", "viewer"), ("nobody", None))}
        try:
            yield Server(TestClient(app), tokens)
        finally:
            api_app.purge_cached_app()


@pytest.fixture
def local_base(staging_dir):
    from pimflow.staging import staging_base

    return staging_base()
