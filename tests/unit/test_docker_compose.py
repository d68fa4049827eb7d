"""docker-compose.yaml cannot run here (no Docker engine): check that it parses and describes the
topology the README promises."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


def test_services_are_the_celery_topology_with_sandboxes():
    services = compose()["services"]
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "redis", "airflow-init", "akeneo-sandbox",
                                                "linnworks-sandbox"}
    for name in services:
        assert "container_name" not in services[name], f"{name}: a fixed name prevents --scale"


def test_every_long_running_service_has_a_healthcheck():
    for name, service in compose()["services"].items():
        if name != "airflow-init":
            assert service["healthcheck"]["test"], name


def test_airflow_services_share_executor_database_broker_and_staging():
    data = compose()
    for name in AIRFLOW_SERVICES:
        service = data["services"][name]
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
        assert env["AIRFLOW__PIMFLOW__STAGING_BASE"] == "/opt/airflow/staging"
        mounts = {volume.split(":")[1] for volume in service["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include",
                "/opt/airflow/staging"} <= mounts, name
        assert service["build"] == "." and service["image"] == "pimflow-airflow:latest"
    assert {"postgres-db-volume", "pimflow-staging"} <= set(data["volumes"])


def test_dockerfile_installs_the_project_on_the_pinned_airflow():
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "ARG AIRFLOW_VERSION=3.3.2" in dockerfile and '"apache-airflow==3.3.2"' in pyproject
    assert "pip install" in dockerfile and "/opt/pimflow" in dockerfile
