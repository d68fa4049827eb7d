# pimflow on the official Airflow image: the project is installed so its provider entry point
# (the `akeneo` and `linnworks` connection types) is registered, with the `cluster` extra so the
# Celery provider, Celery, the Amazon provider with s3fs and the PostgreSQL drivers are the versions
# `make test-cluster` runs with. Only the runtime goes in: plugins/ (the wheel); neither sandbox/ nor
# the dev tooling (tools/), nor moto (the `cluster-test` extra, for `make test-cluster` only).
# dags/, plugins/ and include/ are also mounted by docker-compose.yaml so edits show up without a rebuild.
#
# Stages: `airflow` (the last, so the default: `docker build .`, compose's Airflow services) and
# `sandboxes` (the local Akeneo and Linnworks servers for trying the stack out: compose's
# akeneo-sandbox and linnworks-sandbox, `docker build --target sandboxes .`).
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11 AS runtime
ARG AIRFLOW_VERSION
COPY --chown=airflow:root pyproject.toml README.md /opt/pimflow/
COPY --chown=airflow:root plugins /opt/pimflow/plugins
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" "/opt/pimflow[cluster]"
# the staging volume is mounted here: created by the airflow user, so a new volume is writable by it
RUN mkdir -p /opt/airflow/staging

# The sandboxes: the same Python and pins (FastAPI, uvicorn, pydantic, msgspec come with the runtime
# image, whose layers this one shares), plus sandbox/ run from its folder (it is not a package the
# wheel installs).
FROM runtime AS sandboxes
COPY --chown=airflow:root sandbox /opt/pimflow-sandboxes/sandbox
ENV PYTHONPATH=/opt/pimflow-sandboxes
WORKDIR /opt/pimflow-sandboxes
# the servers are started directly (`python -m sandbox.akeneo ...`), not through Airflow's entrypoint
ENTRYPOINT []
CMD ["python", "-m", "sandbox.akeneo", "--host", "0.0.0.0", "--port", "8081"]

# Airflow: the runtime image as it is, nothing of the sandboxes.
FROM runtime AS airflow
