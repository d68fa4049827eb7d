"""pimflow: one DAG per profile in include/profiles/ (or $PIMFLOW_PROFILES_DIR).

Invalid profiles are skipped here, so they never stop the good ones; `pimflow_profile_errors.py`
reports them as import errors in the Airflow UI.
"""
from pimflow.factory import build_dags
from pimflow.loader import load_profiles

_profiles, _errors = load_profiles()
globals().update(build_dags(_profiles))
