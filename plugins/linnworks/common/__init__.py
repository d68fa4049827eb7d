"""What the two Linnworks writers share: the lanes they run their calls in (`lanes`), the
SKU -> StockItemId lookup (`lookup`) and the report vocabulary (`report`: refusals, diff rows, a
result's first refusal, the tally kept while writing). Builds on `linnworks.api`; kept import-free.
"""
