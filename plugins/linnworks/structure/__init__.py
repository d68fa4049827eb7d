"""The structure writer: make Linnworks' variation groups and compositions (kits) match, in the
fewest calls, once the items themselves are written (`linnworks.items`).

The same module names as the item writer: `writer.StructureWriter` reads, plans and writes;
`desired` is what a profile wants (`DesiredVariationGroup`, `DesiredComposition`,
`StructureOptions`), `plan` the pure plan of one parent, `writes` carries plans out, `report` is
what a write answers; `state` reads the current structure of many parents. Kept import-free.
"""
