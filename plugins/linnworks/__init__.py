"""Linnworks for pimflow. Kept import-free (so are the subpackages): Airflow reads the connection
type at start-up.

    linnworks/hook.py, connection.py   the Airflow hook and the `linnworks` connection type
    linnworks/api/        the client: everything that speaks HTTP to Linnworks (`api.client.LinnworksClient`,
                          transport, session, quotas, retry, errors, settings, wire models, ids, and
                          one module of typed calls per area: inventory, stock, content, images,
                          variations, compositions, categories); no Airflow, no writing decisions
    linnworks/items/      the item writer (`items.writer.LinnworksWriter`): desired items -> writes
    linnworks/structure/  the structure writer (`structure.writer.StructureWriter`): variation groups
                          and kits
    linnworks/common/     what both writers share: lanes, the SKU lookup, the report vocabulary

The two writers use the same module names: `writer` (read, plan, write, answer), `desired` (what a
profile wants, and the options), `plan` (pure: desired against current, one item or parent),
`writes` (carry plans out), `report` (what a write answers); each adds its own helpers (items:
`checks`, `image_ledger`; structure: `state`). Layers only import downwards: the writers import
`common` and `api`, `common` imports `api`, `api` imports neither.
"""
