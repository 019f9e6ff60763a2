# The two commands of the README:
#   make demo   set up and run the hub with its demo network on http://127.0.0.1:8000
#   make test   set up and run the tests (PostgreSQL tests need HUB_TEST_POSTGRES_URL)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

OIDC_PROVIDER := tests/oidc_provider

.PHONY: demo test setup node-deps catalogs messages lint bench bench-quick clean

demo: setup
	$(BIN)/hub serve --demo --host $(HOST) --port $(PORT)

test: setup $(VENV)/.installed-test node-deps $(OIDC_PROVIDER)/node_modules/.package-lock.json
	$(BIN)/ruff check hub connectors tests bench
	$(BIN)/ruff format --check hub connectors tests bench
	$(BIN)/mypy
	$(BIN)/pytest

setup: $(VENV)/.installed catalogs

# The demo installs what the hub needs; the tests add their own tools (pytest, mypy, playwright, …).
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# JavaScript the tests use (axe-core in the browser); skipped where there is no npm.
node-deps:
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/browser --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

# The OpenID Connect provider the login tests start (npm's oidc-provider, pinned by its lock file).
# Without npm the login tests skip (or fail when HUB_TEST_REQUIRE_OIDC is set, as in CI).
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package.json $(OIDC_PROVIDER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the OpenID Connect login tests will be skipped"; \
	fi

# Compiled catalogs are build output, not kept in git.
catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d locales -D messages

# After changing user-facing strings: re-extract, update both catalogs, then translate the Dutch.
messages: $(VENV)/.installed
	$(BIN)/python locales/update.py

# Every benchmark, each a ratio against a baseline in the same run, on SQLite and (with
# HUB_BENCH_POSTGRES_URL or HUB_TEST_POSTGRES_URL, an admin URL) PostgreSQL; then one table of every
# goal, also written to bench/results/summary.json (bench/goals.py). A benchmark that fails does not
# stop the others; the table says which goals were missed. `make bench-quick`: one short round and
# smaller sizes, the same goals, on SQLite only (under 3 minutes); `make bench` measures both.
BENCH_PG = $(or $(HUB_BENCH_POSTGRES_URL),$(HUB_TEST_POSTGRES_URL))
BENCHES = foundation-sqlite cache sync federation-sqlite newsletter-sqlite newsletter-sqlite-load lessons search \
	spreadsheets spreadsheet-import \
	$(if $(BENCH_PG),foundation-postgresql federation-postgresql newsletter-postgresql newsletter-postgresql-load)

bench bench-quick: setup $(VENV)/.installed-test
	$(BIN)/python bench/goals.py --clear
	-$(BIN)/python bench/run.py $(QUICK)
	$(if $(BENCH_PG),-$(BIN)/python bench/run.py $(QUICK) --postgres '$(BENCH_PG)')
	-$(BIN)/python bench/cache.py $(QUICK)
	-$(BIN)/python bench/sync.py $(QUICK) $(if $(BENCH_PG),--postgres '$(BENCH_PG)',--backend sqlite)
	-$(BIN)/python bench/federation.py $(QUICK)
	$(if $(BENCH_PG),-$(BIN)/python bench/federation.py $(QUICK) --receiver postgresql --postgres '$(BENCH_PG)')
	-$(BIN)/python bench/newsletter.py $(QUICK) --sqlite
	-$(BIN)/python bench/newsletter.py $(QUICK) --sqlite --load
	$(if $(BENCH_PG),-$(BIN)/python bench/newsletter.py $(QUICK) --postgres '$(BENCH_PG)')
	$(if $(BENCH_PG),-$(BIN)/python bench/newsletter.py $(QUICK) --postgres '$(BENCH_PG)' --load)
	-$(BIN)/python bench/lessons.py
	-$(BIN)/python bench/search.py $(QUICK) $(if $(BENCH_PG),--postgres-admin '$(BENCH_PG)')
	-$(BIN)/python bench/spreadsheets.py $(QUICK)
	-$(BIN)/python bench/spreadsheet_import.py $(QUICK)
	$(BIN)/python bench/goals.py --expect $(BENCHES)

bench-quick: QUICK := --quick
bench-quick: BENCH_PG :=

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache locales/*/LC_MESSAGES/*.mo tests/*/node_modules test-artifacts
