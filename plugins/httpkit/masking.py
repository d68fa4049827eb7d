"""`mask_secrets`: register values with Airflow's secrets masker, so task logs show `***`.

Imported lazily: the clients run without Airflow (tests, CLI, bench), where this does nothing.
"""
from __future__ import annotations


def mask_secrets(*values: str | None) -> None:
    """Register each non-empty value with the masker of the running Airflow task (if any)."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # no Airflow task SDK here
        return
    for value in values:
        if value:
            mask_secret(value)

