# `make test-cluster`: Airflow with the CeleryExecutor on this machine (PostgreSQL, Redis, scheduler,
# API server, DAG processor, triggerer, two Celery workers, staging on moto's S3 server), see
# e2e/cluster/README.md. Installs what is missing: the `cluster` extra with `cluster-test` (moto, the
# suite's S3 endpoint; kept out of `cluster`, which the Docker image installs), and with apt
# PostgreSQL and Redis (only their binaries are used: the suite starts its own servers on free
# loopback ports).
CLUSTER_STAMP := $(VENV)/.pimflow-cluster-installed

$(CLUSTER_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster,cluster-test]'
	@touch $@

cluster-system-packages:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing with apt-get"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

# Hang guards only, as for test-browser (the suite takes a few minutes).
test-cluster: $(CLUSTER_STAMP) cluster-system-packages
	timeout --kill-after=60 2400 $(BIN)/python -m pytest e2e/cluster -q -p no:cacheprovider -o faulthandler_timeout=900

.PHONY: cluster-system-packages
