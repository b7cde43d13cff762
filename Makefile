# The README's commands: `make run`, `make test`, and the gates `make lint` and `make typecheck`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test test-tools editor db demo lint typecheck bench bench-feeds bench-pages screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres,test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The browser tests' checkers: axe-core and vnu-jar from the npm registry, exactly as locked.
# --ignore-scripts: vnu-jar's install script would download a JRE; the system Java runs it.
NODE_DIR := tests/browser
$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(NODE_DIR) && npm ci --ignore-scripts --no-audit --no-fund && touch node_modules/.installed; \
	else \
		echo "npm not found: the accessibility and HTML-validity tests will be skipped"; \
	fi

# The editor's ProseMirror bundle (static/vendor/prosemirror/, committed: serving needs no Node)
# is built from editor/package-lock.json; `make editor` rebuilds it after a version change, and
# the test tools include its node_modules so a test can check the committed bundle is that build.
EDITOR_DIR := editor
$(EDITOR_DIR)/node_modules/.installed: $(EDITOR_DIR)/package.json $(EDITOR_DIR)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(EDITOR_DIR) && npm ci --ignore-scripts --no-audit --no-fund && touch node_modules/.installed; \
	else \
		echo "npm not found: the editor bundle's build check will be skipped"; \
	fi

editor: $(EDITOR_DIR)/node_modules/.installed
	node $(EDITOR_DIR)/build.mjs

test-tools: $(NODE_DIR)/node_modules/.installed $(EDITOR_DIR)/node_modules/.installed

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) seed-demo --if-empty

run: demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh the README's home page screenshot (static/images/screenshot-home.png) from the browser test.
screenshot: install-test test-tools
	PORTAL_UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest tests/browser/test_accessibility.py \
		-k screenshots

# The quality gates CI runs before the tests (also the pre-commit hooks).
lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy portal

# Benchmarks (bench/README.md): not tests. bench-pages needs wrk and nginx (Debian packages);
# BENCH_PAGES_ARGS e.g. '--engine postgresql --growth'.
bench: bench-feeds bench-pages

bench-feeds: install-test
	$(BIN)/python bench/feeds.py

bench-pages: install-test
	$(BIN)/python bench/pages.py $(BENCH_PAGES_ARGS)
