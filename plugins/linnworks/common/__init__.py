"""What the two Linnworks writers share: the lanes they run their calls in (`lanes`) and the
SKU -> StockItemId lookup (`lookup`). Builds on `linnworks.api`; kept import-free.
"""
