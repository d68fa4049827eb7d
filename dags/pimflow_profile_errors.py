"""Shows invalid pimflow profiles as import errors in the Airflow UI (this file defines no DAG).

Airflow records an import error per DAG file; keeping the report in its own file lets
`pimflow_profiles.py` still load every valid profile. A task process (Airflow's parsing context
names a DAG) wants no report, so nothing is validated then.
"""
from airflow.sdk import get_parsing_context

if not get_parsing_context().dag_id:
    from pimflow.loader import load_profiles

    _profiles, _errors = load_profiles()
    if _errors:  # the airflow DAG processor shows this message under "Import errors"
        raise ImportError("\n\n".join(error.describe() for error in _errors))
