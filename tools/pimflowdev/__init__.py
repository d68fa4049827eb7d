"""pimflow's development tooling: the demo (`make demo`), the local Airflow stack (`make airflow`)
and the launcher of the Akeneo and Linnworks sandboxes (`python -m pimflowdev sandbox`, tests,
benches, e2e suites).

Not part of the runtime: the wheel and the Docker image ship `plugins/` only, and nothing under
`plugins/` imports this package or `sandbox`. `make install` puts `tools/` and the repository root
(for `sandbox`) on the dev venv's path; pytest's `pythonpath` does the same for the tests.
"""
