"""The `linnworks` Airflow connection type as plain data (read by `pimflow.provider`).

Airflow 3.3 renders the Connections form from this entry without importing the hook: `conn-fields`
become inputs stored as top-level keys of `Connection.extra` (`format: password` ones are masked; a
field whose schema type does not allow null is required, marked with a star), and
`ui-field-behaviour` hides, relabels or gives a placeholder to the standard fields (host, port,
login, password, schema, description). The form always shows its "Extra Fields JSON" editor, a copy
of the fields above: 3.3.2 has no way to hide it. Keep this module import-free.
"""
from __future__ import annotations

DEFAULT_AUTH_HOST = "https://api.linnworks.net"
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_QUOTA_WINDOW_SECONDS = 60.0
DEFAULT_SESSION_IDLE_SECONDS = 1200.0  # "expires after 20 minutes of inactivity"

CONNECTION_TYPE: dict = {
    "connection-type": "linnworks",
    "hook-class-name": "linnworks.hook.LinnworksHook",
    "hook-name": "Linnworks",
    "conn-fields": {
        "installation_token": {
            "label": "Installation token",
            "description": "The token Linnworks shows when the application is installed on the "
            "account (used only to authorize; never sent to data calls).",
            "schema": {"type": "string", "format": "password", "minLength": 1},
        },
        "auth_host": {
            "label": "Auth host",
            "description": "Where AuthorizeByApplication is called. Data calls go to the "
            "session's own server. Change only to target the local sandbox.",
            "schema": {"type": ["string", "null"], "default": DEFAULT_AUTH_HOST},
        },
        "timeout": {
            "label": "Timeout (seconds)",
            "description": "Per-request timeout for connect and read.",
            "schema": {"type": ["number", "null"], "default": DEFAULT_TIMEOUT_SECONDS, "minimum": 1},
        },
        "quota_overrides": {
            "label": "Quota overrides",
            "description": 'Calls per window by method, replacing the documented limits, e.g. '
            '{"Inventory/AddInventoryItemBulk": 100}.',
            "schema": {"type": ["object", "null"], "default": {}},
        },
        "quota_share": {
            "label": "Quota share",
            "description": "Fraction (0-1] of every method's quota this connection may use per "
            "process, e.g. 0.5 when two workers load through the same account at once.",
            "schema": {"type": ["number", "null"], "default": 1.0, "minimum": 0.01, "maximum": 1},
        },
        "quota_window_seconds": {
            "label": "Quota window (seconds)",
            "description": "Length of the quota window: 60 for Linnworks; shorter only against a "
            "sandbox that shrinks its window too.",
            "schema": {"type": ["number", "null"], "default": DEFAULT_QUOTA_WINDOW_SECONDS, "minimum": 0.01},
        },
        "session_idle_seconds": {
            "label": "Session idle expiry (seconds)",
            "description": "Linnworks drops a session after this much inactivity; the client "
            "re-authorizes shortly before.",
            "schema": {"type": ["number", "null"], "default": DEFAULT_SESSION_IDLE_SECONDS, "minimum": 1},
        },
        "max_retries": {
            "label": "Max retries",
            "description": "Retries of a call after a 5xx or a dropped connection (when safe).",
            "schema": {"type": ["integer", "null"], "default": 5, "minimum": 0, "maximum": 10},
        },
        "concurrency": {
            "label": "Concurrent requests",
            "description": "Batches in flight at once within the quotas.",
            "schema": {"type": ["integer", "null"], "default": 4, "minimum": 1, "maximum": 16},
        },
    },
    "ui-field-behaviour": {
        "hidden-fields": ["host", "port", "schema"],
        "relabeling": {"login": "Application ID", "password": "Application secret"},
        "placeholders": {"login": "00000000-0000-0000-0000-000000000000"},
    },
}
