"""The `akeneo` connection type as Airflow 3.3 reads it from provider info (plain data, no imports).

`ProvidersManager._load_ui_metadata` turns `conn-fields` into form widgets stored in the
connection's extra (`schema.format: password` marks a field sensitive; a schema type without null
makes it required) and `ui-field-behaviour` into hidden, relabelled or placeholder-showing standard
fields, without importing the hook. The 3.3 form shows placeholders on standard fields only (host,
port, login, password, schema, description): an extra field's hint goes in its description, shown
under it (a text field shows a placeholder only for `schema.examples`, as a list to pick from).
"""

CONNECTION_TYPE = {
    "connection-type": "akeneo",
    "hook-class-name": "akeneo.hook.AkeneoHook",
    "hook-name": "Akeneo",
    "conn-fields": {
        "client_id": {
            "label": "Client ID",
            "description": "Client ID of the Akeneo connection (Connect > Connection settings > "
                           "Credentials), such as 1_3sfgqn9dq...",
            "schema": {"type": "string", "minLength": 1},
        },
        "client_secret": {
            "label": "Client secret",
            "description": "Secret paired with the client ID.",
            "schema": {"type": "string", "format": "password", "minLength": 1},
        },
        "product_id_format": {
            "label": "Product id format",
            "description": "How every profile using this connection reads and writes products: "
                           "uuid uses the /products-uuid endpoints (Akeneo 7+ and SaaS; a feed written "
                           "to Akeneo then gives each product's uuid in a uuid column), identifier uses "
                           "/products (any Akeneo; feeds name products by their identifier).",
            "schema": {"type": "string", "enum": ["uuid", "identifier"], "default": "uuid"},
        },
        "throttle_requests": {
            "label": "Requests per window",
            "description": "At most this many calls per throttle window on this connection "
                           "(Akeneo allows 100 per second per instance); 0 turns the throttle off.",
            "schema": {"type": ["integer", "null"], "minimum": 0, "default": 100},
        },
        "throttle_window_seconds": {
            "label": "Throttle window (seconds)",
            "description": "Length of the throttle window.",
            "schema": {"type": ["number", "null"], "minimum": 0.001, "default": 1.0},
        },
        "max_concurrent_requests": {
            "label": "Max concurrent requests",
            "description": "Calls in flight at once on this connection (Akeneo's cap is 4 per "
                           "connection, 10 per instance).",
            "schema": {"type": ["integer", "null"], "minimum": 1, "maximum": 64, "default": 4},
        },
        "timeout_seconds": {
            "label": "Timeout (seconds)",
            "description": "Connect and read timeout of each call.",
            "schema": {"type": ["number", "null"], "minimum": 0.1, "default": 30},
        },
        "verify_tls": {
            "label": "Verify TLS certificate",
            "description": "Turn off only for a test server with a self-signed certificate.",
            "schema": {"type": ["boolean", "null"], "default": True},
        },
        "max_retries": {
            "label": "Max retries",
            "description": "Retries of a call answered 408, 429 or 5xx, or dropped, with "
                           "exponential backoff and jitter.",
            "schema": {"type": ["integer", "null"], "minimum": 0, "maximum": 20, "default": 8},
        },
        "events_secret": {
            "label": "Events secret",
            "description": "Only for event-driven sync: the Event Platform subscription's primary secret "
                           "(at least 16 characters); pimflow's receiver checks each delivery's signature "
                           "with it. Leave empty when no profile listens to Akeneo's events.",
            "schema": {"type": ["string", "null"], "format": "password"},
        },
        "events_secret_secondary": {
            "label": "Events secret (secondary)",
            "description": "Optional second accepted secret, to rotate the subscription's secret without "
                           "losing deliveries.",
            "schema": {"type": ["string", "null"], "format": "password"},
        },
    },
    "ui-field-behaviour": {
        "hidden-fields": ["schema", "port"],
        "relabeling": {"host": "Base URL", "login": "Username", "password": "Password"},
        "placeholders": {
            "host": "https://my-pim.cloud.akeneo.com",
            "login": "API username of the connection",
            "password": "API password of the connection",
        },
    },
}
