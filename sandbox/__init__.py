"""Local servers that behave like Akeneo and Linnworks, for the demo, tests and benchmarks."""
