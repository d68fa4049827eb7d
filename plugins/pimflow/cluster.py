"""Running pimflow's Airflow on a cluster (docker-compose.yaml, `make test-cluster`, docs/cluster.md):
the settings every component shares, the hostname task instances record, the staging bucket.

Runtime code: the compose init step runs `prepare-staging` in the Airflow image, and workers use
`worker_hostname`. What only the test cluster needs (local PostgreSQL, Redis, moto) is in e2e/cluster."""
from __future__ import annotations

import os
import sys

#: What every Airflow component of a Celery cluster must be given alike: docker-compose.yaml and
#: `make test-cluster` both set all of these, for every component.
SHARED_SETTINGS = (
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",  # where workers' task supervisors report
    "AIRFLOW__API_AUTH__JWT_SECRET",  # the scheduler signs the tokens the API server checks
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__CORE__AUTH_MANAGER",
    "AIRFLOW__PIMFLOW__STAGING_BASE",  # a location every worker reaches
    "PIMFLOW_PROFILES_DIR",
    "AIRFLOW_CONN_PIMFLOW_S3",  # credentials for the staging URL's object store
    "AIRFLOW_CONN_AKENEO_DEFAULT",
    "AIRFLOW_CONN_LINNWORKS_DEFAULT",
)


def worker_hostname() -> str:
    """`[core] hostname_callable` for several Celery workers on one machine: the worker's name from
    `PIMFLOW_WORKER_NAME`, else Airflow's default (the machine's FQDN), so the task instances'
    hostname tells which worker ran them."""
    name = os.environ.get("PIMFLOW_WORKER_NAME")
    if name:
        return name
    from airflow.utils.net import getfqdn

    return getfqdn()


def prepare_staging() -> str:
    """Create the staging base if missing: the bucket of an object store URL (through the URL's
    Airflow connection), or the local folder. Safe to run on every start."""
    from pimflow.staging import staging_base

    base = staging_base()
    if base.protocol in ("file", "local"):
        base.mkdir(parents=True, exist_ok=True)
    elif not base.fs.exists(base.bucket):
        base.fs.mkdir(base.bucket)
    return str(base)


def main(argv: list[str] | None = None) -> int:
    """`python -m pimflow.cluster prepare-staging` (docker-compose.yaml's init step runs it)."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["prepare-staging"]:
        print("usage: python -m pimflow.cluster prepare-staging", file=sys.stderr)
        return 2
    print(f"staging base ready: {prepare_staging()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
