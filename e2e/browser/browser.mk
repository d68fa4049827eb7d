# `make test-browser`: a headless Chromium (Debian's) driven by Playwright through the Airflow UI of
# `make airflow`'s stack. See e2e/browser/README.md.
BROWSER_STAMP := $(VENV)/.pimflow-browser-installed

$(BROWSER_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	@touch $@

test-browser: $(STAMP) $(BROWSER_STAMP)
	bash e2e/browser/ensure_chromium.sh
	$(BIN)/python -m pytest -q e2e/browser
