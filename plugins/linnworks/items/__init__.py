"""The item writer: make Linnworks items match their desired state in the fewest calls.

`writer.LinnworksWriter` reads, plans and writes; `plan` is the pure plan of one item (desired
against current state), `writes` carries plans out, `report` is what a write answers. Its own
helpers: `desired` (`DesiredItem`, `WriteOptions`), `checks` (required SKUs, categories) and
`image_ledger` (which Linnworks image holds which desired image, and which the writer put there;
kept outside Linnworks). The structure writer
(`linnworks.structure`) has the same module names. Kept import-free.
"""
