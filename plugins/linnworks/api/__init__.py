"""The Linnworks API client: everything that speaks HTTP to Linnworks, and nothing that decides what to write.

`client.LinnworksClient` wires the pieces: `settings` (connection fields), `session` (authorizing),
`transport` (one exchange within the quota, with the one retry policy of `retry`), `quota` (per-method
windows from `endpoints`), `errors`, the wire shapes (`models`) and the deterministic row ids (`ids`).
The typed calls are mixins, one module per area: `inventory`, `stock`, `content` (channel rows and
extended properties), `images`, `variations`, `compositions`, `categories`; `batching` cuts their
work to each method's batch limit. Works without Airflow (`linnworks.hook` is the Airflow side).
Kept import-free, like `linnworks` itself.
"""
