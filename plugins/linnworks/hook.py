"""`LinnworksHook`: the Airflow face of the Linnworks client (connection type `linnworks`)."""
from __future__ import annotations

from functools import cached_property

from airflow.sdk import BaseHook

from httpkit.masking import mask_secrets
from httpkit.redaction import redact
from linnworks.api.client import LinnworksClient
from linnworks.api.errors import LinnworksError
from linnworks.api.settings import LinnworksSettings


class LinnworksHook(BaseHook):
    """Login = application id, password = application secret, extra `installation_token`."""

    conn_type = "linnworks"
    conn_name_attr = "linnworks_conn_id"
    default_conn_name = "linnworks_default"
    hook_name = "Linnworks"

    def __init__(self, linnworks_conn_id: str = default_conn_name, **kwargs):
        super().__init__(**kwargs)
        self.linnworks_conn_id = linnworks_conn_id

    @cached_property
    def settings(self) -> LinnworksSettings:
        settings = LinnworksSettings.from_connection(self.get_connection(self.linnworks_conn_id))
        mask_secrets(*settings.secrets())  # the application secret and installation token
        return settings

    def get_conn(self) -> LinnworksClient:
        """The hook's client (one per hook, shared by its threads; quotas shared per connection)."""
        return self._client

    @cached_property
    def _client(self) -> LinnworksClient:
        return LinnworksClient(self.settings, on_new_token=mask_secrets)  # each session token

    def test_connection(self) -> tuple[bool, str]:
        """Authorize and read the stock locations; a failure comes back as a readable message."""
        try:
            return True, self.get_conn().check()
        except LinnworksError as exc:
            return False, str(exc)
        except Exception as exc:  # the Test button must always get an answer, never a traceback
            known = self.settings.secrets() if "settings" in self.__dict__ else ()
            return False, redact(f"{type(exc).__name__}: {exc}", known)
