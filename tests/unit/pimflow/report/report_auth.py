"""An auth manager with per-DAG read permissions, as FAB's or Keycloak's can be, for the report's
tests: Airflow's simple auth manager (roles only) cannot say "this user may not read that DAG".

`READS` lists, per user name, the DAGs the user may read; every other user is the simple auth
manager's (by role). The report never sees this class: it calls Airflow's security dependencies,
which ask whatever auth manager Airflow runs with."""
from __future__ import annotations

from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

READS: dict[str, set[str]] = {}


class PerDagAuthManager(SimpleAuthManager):
    def is_authorized_dag(self, *, method, user, access_entity=None, details=None) -> bool:
        if user.get_name() not in READS:
            return super().is_authorized_dag(method=method, user=user, access_entity=access_entity, details=details)
        dag_id = details.id if details else None
        # no DAG named: the caller lists what it may read (filtered with get_authorized_dag_ids)
        return method == "GET" and (dag_id is None or dag_id in READS[user.get_name()])

    def get_authorized_dag_ids(self, *, user, method="GET", session=None) -> set[str]:
        if user.get_name() not in READS:
            return super().get_authorized_dag_ids(user=user, method=method)
        return set(READS[user.get_name()]) if method == "GET" else set()
