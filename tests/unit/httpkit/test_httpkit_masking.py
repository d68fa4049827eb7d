"""mask_secrets registers values with Airflow's secrets masker (task logs then show ***)."""
from __future__ import annotations

from unittest import mock

from httpkit.masking import mask_secrets


def test_each_non_empty_value_is_registered_with_airflows_masker():
    with mock.patch("airflow.sdk.log.mask_secret") as mask_secret:
        mask_secrets("app-secret-1", None, "", "token-2")
    assert mask_secret.call_args_list == [mock.call("app-secret-1"), mock.call("token-2")]


def test_a_registered_value_is_redacted_by_the_masker():
    from airflow.sdk.log import _secrets_masker

    mask_secrets("registered-secret-value-42")
    assert _secrets_masker().redact("login with registered-secret-value-42 failed") == "login with *** failed"
