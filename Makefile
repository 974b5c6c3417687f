# stadtregion: `make run` and `make test` are the whole set-up (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# worker processes of `make run` (each keeps its own answer cache; see api/cache.py)
WORKERS ?= 2
LEAFLET_VERSION := 1.9.4
SWAGGER_UI_VERSION := 5.35.0
REDOC_VERSION := 2.5.4
VENDOR := maps/static/vendor

.PHONY: run test install assets data lint typecheck pytest sysdeps bench clean

# -- environment -------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Leaflet is served from our own server (no CDN): fetched from the npm registry once.
$(VENDOR)/leaflet/leaflet.js:
	mkdir -p $(VENDOR)/leaflet .cache
	cd .cache && npm pack --silent leaflet@$(LEAFLET_VERSION) >/dev/null
	tar -xzf .cache/leaflet-$(LEAFLET_VERSION).tgz -C .cache
	cp -r .cache/package/dist/* $(VENDOR)/leaflet/
	rm -rf .cache/package

# The API documentation pages (/docs, /redoc) too: Swagger UI and ReDoc from npm.
$(VENDOR)/swagger-ui/swagger-ui-bundle.js:
	mkdir -p $(VENDOR)/swagger-ui .cache
	cd .cache && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null
	tar -xzf .cache/swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz -C .cache
	cp .cache/package/swagger-ui-bundle.js .cache/package/swagger-ui.css \
		.cache/package/favicon-32x32.png .cache/package/LICENSE $(VENDOR)/swagger-ui/
	rm -rf .cache/package

$(VENDOR)/redoc/redoc.standalone.js:
	mkdir -p $(VENDOR)/redoc .cache
	cd .cache && npm pack --silent redoc@$(REDOC_VERSION) >/dev/null
	tar -xzf .cache/redoc-$(REDOC_VERSION).tgz -C .cache
	cp .cache/package/bundles/redoc.standalone.js .cache/package/LICENSE $(VENDOR)/redoc/
	rm -rf .cache/package

assets: $(VENDOR)/leaflet/leaflet.js $(VENDOR)/swagger-ui/swagger-ui-bundle.js \
	$(VENDOR)/redoc/redoc.standalone.js

# -- data --------------------------------------------------------------------
# `stadtregion build` is idempotent: it rebuilds only when an input changed.
data: install
	bash .ci/sysdeps.sh run
	$(BIN)/stadtregion build
	$(BIN)/stadtregion plots seed-demo

# -- serve -------------------------------------------------------------------
run: install assets data
	$(BIN)/stadtregion network info | head -1
	$(BIN)/stadtregion serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# -- checks ------------------------------------------------------------------
# System packages the tests need (PostgreSQL/PostGIS, Chromium); installs only what is missing.
sysdeps:
	bash .ci/sysdeps.sh

lint: install
	$(BIN)/ruff check geo api maps tests bench
	$(BIN)/ruff format --check geo api maps tests bench

typecheck: install
	$(BIN)/mypy

# The store tests run on GeoPackage and on PostGIS (a throw-away cluster, .ci/postgres.sh);
# without PostgreSQL the PostGIS cases skip, unless STADTREGION_REQUIRE_POSTGIS=1 (CI).
# TEST_WORKERS processes (pytest-xdist), each test file on one of them (its module fixtures,
# e.g. the leak crawler's seeded app, are built once); TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2
pytest: install assets data
	url="$${STADTREGION_TEST_POSTGIS_URL:-$$(bash .ci/postgres.sh || true)}"; \
	STADTREGION_TEST_POSTGIS_URL="$$url" $(BIN)/pytest -q \
		$(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

test: install assets sysdeps lint typecheck pytest

# Every bench script BENCH_RUNS times; figures (median, range) to docs/bench-figures.md.
BENCH_RUNS ?= 3
bench: install assets data
	$(PY) bench/run.py --runs $(BENCH_RUNS) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

clean:
	rm -rf $(VENV) $(VENDOR) .cache data/processed/*.gpkg data/processed/*.json
