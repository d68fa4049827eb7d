"""Running pimflow's Airflow on a cluster: the hostname task instances record."""
from __future__ import annotations

import os


def worker_hostname() -> str:
    """`[core] hostname_callable` for several Celery workers on one machine: the worker's name from
    `PIMFLOW_WORKER_NAME`, else Airflow's default (the machine's FQDN), so the task instances'
    hostname tells which worker ran them."""
    name = os.environ.get("PIMFLOW_WORKER_NAME")
    if name:
        return name
    from airflow.utils.net import getfqdn

    return getfqdn()
