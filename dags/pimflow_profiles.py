"""pimflow: one DAG per profile in include/profiles/ (or $PIMFLOW_PROFILES_DIR).

Invalid profiles are skipped here, so they never stop the good ones; `pimflow_profile_errors.py`
reports them as import errors in the Airflow UI. A task process (Airflow's parsing context names
its DAG) builds only its own DAG, validating only the profile file(s) that can hold its id.
"""
from airflow.sdk import get_parsing_context

from pimflow.factory import build_dags
from pimflow.loader import check_param_schemas_once, load_profile_for_dag, load_profiles

check_param_schemas_once()  # the trigger form's three schemas, checked once rather than ~30 times per DAG
_dag_id = get_parsing_context().dag_id
_profiles = load_profile_for_dag(_dag_id) if _dag_id else load_profiles()[0]
globals().update(build_dags(_profiles))
