# `make test-browser`: a headless Chromium (Debian's) driven by Playwright through the Airflow UI of
# `make airflow`'s stack. See e2e/browser/README.md.
BROWSER_STAMP := $(VENV)/.pimflow-browser-installed

$(BROWSER_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	@touch $@

# Hang guards only (the suite takes about 3 minutes): a stuck step dumps every thread's stack after
# 15 minutes, and the suite is stopped after 30 rather than hold CI until its own limit.
test-browser: $(STAMP) $(BROWSER_STAMP)
	bash e2e/browser/ensure_chromium.sh
	timeout --kill-after=60 1800 $(BIN)/python -m pytest -q -o faulthandler_timeout=900 e2e/browser
