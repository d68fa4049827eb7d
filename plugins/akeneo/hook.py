"""`AkeneoHook`: the Airflow face of an `akeneo` connection; the work is done by `AkeneoClient`."""
from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

from akeneo.client import AkeneoClient
from akeneo.errors import (
    AkeneoAuthError, AkeneoConfigError, AkeneoError, AkeneoForbiddenError, AkeneoNotFoundError,
)
from akeneo.settings import AkeneoConnectionSettings
from httpkit.masking import mask_secrets
from httpkit.redaction import redact


class AkeneoHook(BaseHook):
    """Builds an `AkeneoClient` from the Airflow connection `akeneo_conn_id`."""

    conn_name_attr = "akeneo_conn_id"
    default_conn_name = "akeneo_default"
    conn_type = "akeneo"
    hook_name = "Akeneo"

    def __init__(self, akeneo_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.akeneo_conn_id = akeneo_conn_id
        self._client: AkeneoClient | None = None

    def get_settings(self) -> AkeneoConnectionSettings:
        settings = AkeneoConnectionSettings.from_connection(self.get_connection(self.akeneo_conn_id))
        mask_secrets(*settings.secrets)  # the password and the client secret
        return settings

    def get_conn(self) -> AkeneoClient:
        """The connection's client (created once per hook: one token, limiter and retry policy)."""
        if self._client is None:
            self._client = AkeneoClient(self.get_settings(), on_new_token=mask_secrets)  # tokens too
        return self._client

    def test_connection(self) -> tuple[bool, str]:
        """Get a token and list one product; say in plain words what went wrong if it fails."""
        try:
            settings = self.get_settings()
        except AkeneoConfigError as exc:
            return False, exc.message
        except Exception as exc:  # the connection itself could not be read
            if "NotFound" in type(exc).__name__:
                return False, f"The connection {self.akeneo_conn_id!r} is not defined"
            return False, f"Could not read the connection {self.akeneo_conn_id!r}: {type(exc).__name__}"
        # The Test button should answer in seconds, not after a full retry schedule.
        quick = settings.model_copy(update={"max_retries": 1, "retry_base_delay": 0.2,
                                            "timeout_seconds": min(settings.timeout_seconds, 15.0)})
        return check_connection(AkeneoClient(quick, on_new_token=mask_secrets))


def check_connection(client: AkeneoClient) -> tuple[bool, str]:
    """(ok, message) for a client: a token, then one cheap product read."""
    settings = client.settings
    where = settings.base_url
    try:
        try:
            client.authenticate()
        except AkeneoAuthError as exc:
            return False, _clean(
                f"Akeneo at {where} refused the credentials (check the client ID and secret, and "
                f"the username and password of the API user): "
                f"{exc.akeneo_message or 'no reason given'}", settings)
        path = settings.products_path
        try:
            client.transport.request("GET", path, params={"limit": "1"})
        except AkeneoNotFoundError:
            hint = " set the product id format to 'identifier' if this PIM is older than 7.0" \
                if settings.product_id_format == "uuid" else ""
            return False, f"Logged in to {where}, but {path} does not exist there;{hint}".rstrip(";")
        except AkeneoForbiddenError as exc:
            return False, _clean(f"Logged in to {where}, but the API user may not list products: "
                                 f"{exc.akeneo_message or 'access forbidden'}", settings)
        return True, f"Connected to Akeneo at {where} as {settings.username}; products can be read."
    except AkeneoError as exc:
        return False, _clean(str(exc), settings)
    finally:
        client.close()


def _clean(text: str, settings: AkeneoConnectionSettings) -> str:
    return redact(text, settings.secrets)
