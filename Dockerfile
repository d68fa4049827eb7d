# pimflow on the official Airflow image: the project is installed so its provider entry point
# (the `akeneo` and `linnworks` connection types) is registered, with the `cluster` extra so the
# Celery provider, Celery, the Amazon provider with s3fs and the PostgreSQL drivers are the versions
# `make test-cluster` runs with (moto, that suite's S3 endpoint, is in `cluster-test`: not here).
# dags/, plugins/ and include/ are also mounted by docker-compose.yaml so edits show up without a rebuild.
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
ARG AIRFLOW_VERSION
COPY --chown=airflow:root pyproject.toml README.md /opt/pimflow/
COPY --chown=airflow:root plugins /opt/pimflow/plugins
COPY --chown=airflow:root sandbox /opt/pimflow/sandbox
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" "/opt/pimflow[cluster]"
# the staging volume is mounted here: created by the airflow user, so a new volume is writable by it
RUN mkdir -p /opt/airflow/staging
