"""docker-compose.yaml cannot run here (no Docker engine; `make test-cluster` runs the same topology
as local processes): check that it parses and describes what docs/cluster.md promises."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from pimflow.cluster import SHARED_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


def test_services_are_the_celery_topology_with_staging_store_and_sandboxes():
    services = compose()["services"]
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "redis", "minio", "airflow-init", "akeneo-sandbox",
                                                "linnworks-sandbox"}
    for name in services:
        assert "container_name" not in services[name], f"{name}: a fixed name prevents --scale"
    assert "ports" not in services["airflow-worker"], "published ports prevent --scale"


def test_every_long_running_service_has_a_healthcheck():
    for name, service in compose()["services"].items():
        if name != "airflow-init":
            assert service["healthcheck"]["test"], name


def test_airflow_services_share_the_same_cluster_settings():
    data = compose()
    shared = {name: data["services"]["airflow-init"]["environment"][name] for name in SHARED_SETTINGS}
    for name in AIRFLOW_SERVICES:
        env = data["services"][name]["environment"]
        assert {key: env.get(key) for key in SHARED_SETTINGS} == shared, name
        mounts = {volume.split(":")[1] for volume in data["services"][name]["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include",
                "/opt/airflow/staging"} <= mounts, name
        assert data["services"][name]["build"] == "." and data["services"][name]["image"] == "pimflow-airflow:latest"
    assert shared["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert shared["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3: the result backend names its driver
    assert shared["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
    assert shared["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert shared["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    for conn in ("AIRFLOW_CONN_PIMFLOW_S3", "AIRFLOW_CONN_AKENEO_DEFAULT", "AIRFLOW_CONN_LINNWORKS_DEFAULT"):
        json.loads(shared[conn])


def test_staging_is_the_shared_volume_or_the_s3_store_of_the_s3_profile():
    data = compose()
    env = data["services"]["airflow-worker"]["environment"]
    assert env["AIRFLOW__PIMFLOW__STAGING_BASE"] == "${PIMFLOW_STAGING_BASE:-/opt/airflow/staging}"
    assert {"postgres-db-volume", "pimflow-staging", "minio-data"} <= set(data["volumes"])
    minio = data["services"]["minio"]
    assert minio["profiles"] == ["s3"]
    s3 = json.loads(env["AIRFLOW_CONN_PIMFLOW_S3"])
    assert s3["conn_type"] == "aws" and s3["extra"]["endpoint_url"] == "http://minio:9000"
    assert (s3["login"], s3["password"]) == (minio["environment"]["MINIO_ROOT_USER"],
                                             minio["environment"]["MINIO_ROOT_PASSWORD"])
    init = data["services"]["airflow-init"]
    assert "python -m pimflow.cluster prepare-staging" in init["command"][-1]
    assert init["depends_on"]["minio"] == {"condition": "service_healthy", "required": False}


def test_the_init_step_creates_the_pools_of_the_connections_the_profiles_write_to():
    # after the migration (the pool table exists) and with the profiles folder every service reads
    init = compose()["services"]["airflow-init"]
    steps = [step.strip() for step in init["command"][-1].split("&&")]
    assert steps.index("python -m pimflow.cli pools --create") > steps.index("airflow db migrate")
    assert init["environment"]["PIMFLOW_PROFILES_DIR"] == "/opt/airflow/include/profiles"
    assert "./include:/opt/airflow/include" in init["volumes"]


def test_the_init_step_lets_the_airflow_user_write_the_demo_output_under_the_data_root():
    init = compose()["services"]["airflow-init"]
    steps = [step.strip() for step in init["command"][-1].split("&&")]
    assert steps.index("mkdir -p /opt/airflow/include/output") < steps.index("chown 50000:0 /opt/airflow/include/output")
    assert init["user"] == "0:0" and compose()["services"]["airflow-worker"]["user"] == "50000:0"


def test_dockerfile_installs_the_project_with_the_cluster_pins_on_the_pinned_airflow():
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "ARG AIRFLOW_VERSION=3.3.2" in dockerfile and '"apache-airflow==3.3.2"' in pyproject
    assert re.search(r'pip install .*"/opt/pimflow\[cluster\]"', dockerfile)
    assert "mkdir -p /opt/airflow/staging" in dockerfile


def dockerfile_stages() -> list[tuple[str, str, list[str]]]:
    """(name, base, instructions) of each stage, in order; the last one is what `build: .` builds."""
    stages = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            words = line.split()
            stages.append((words[3] if len(words) > 3 else "", words[1], []))
        elif stages and line.strip() and not line.startswith("#"):
            stages[-1][2].append(line.strip())
    return stages


def test_the_airflow_image_has_no_sandboxes_and_the_sandboxes_have_an_image_of_their_own():
    stages = dockerfile_stages()
    by_name = {name: (base, instructions) for name, base, instructions in stages}
    name, chain = stages[-1][0], []
    while name in by_name:  # the default target and the stages it builds on
        chain += by_name[name][1]
        name = by_name[name][0]
    assert not [line for line in chain if "sandbox" in line or "tools" in line or "moto" in line
                or "cluster-test" in line], chain
    assert "COPY --chown=airflow:root sandbox /opt/pimflow-sandboxes/sandbox" in by_name["sandboxes"][1]
    services = compose()["services"]
    for name in ("akeneo-sandbox", "linnworks-sandbox"):
        assert services[name]["build"] == {"context": ".", "target": "sandboxes"}, name
        assert services[name]["image"] == "pimflow-sandboxes:latest", name
        assert services[name]["command"][:3] == ["python", "-m", f"sandbox.{name.split('-')[0]}"], name


def test_the_connection_test_button_works_for_pimflow_connections():
    environment = compose()["services"]["airflow-apiserver"]["environment"]
    assert environment["AIRFLOW__CORE__TEST_CONNECTION"] == "Enabled"
    # nothing else: pimflow's Test-button plugin is an entry point plugin, loaded with Airflow's defaults
    assert "AIRFLOW__CORE__LAZY_DISCOVER_PROVIDERS" not in environment
