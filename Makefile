# SPDX-License-Identifier: EUPL-1.2
# Lyhty's handful of targets. `make run` and `make test` work on a fresh Debian 12.
PY := .venv/bin/python
MANAGE := $(PY) manage.py
# Local development: DEBUG on, so runserver serves static files and a dev secret key works.
DEV := DEBUG=1

.PHONY: run test fuzz bench load serve provision lint format messages clean

run: provision
	$(DEV) $(MANAGE) migrate --noinput
	$(DEV) $(MANAGE) createcachetable
	$(DEV) $(MANAGE) compilemessages --ignore=.venv -v0
	$(DEV) $(MANAGE) load_demo
	@echo
	@echo "Lyhty is at http://127.0.0.1:8000/"
	@echo "  map workspace (demo-planner, demo-lighting) http://127.0.0.1:8000/map/"
	@echo "  phone logger (join code DEMASUK2)          http://127.0.0.1:8000/walk/"
	@echo "  the demo's safety plan                     http://127.0.0.1:8000/plan/demo/"
	@echo "  admin (sign in with a demo account above)  http://127.0.0.1:8000/admin/"
	@echo "  REST API and its documentation             http://127.0.0.1:8000/api/docs/"
	@echo "  observations as GeoJSON                    http://127.0.0.1:8000/api/v1/observations/"
	$(DEV) $(MANAGE) runserver 127.0.0.1:8000

test:
	scripts/provision.sh --test
	$(DEV) $(MANAGE) compilemessages --ignore=.venv -v0
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/pytest $(PYTEST_ARGS)

# The API against its OpenAPI document for every persona, with many more cases per operation
# than `make test` (FUZZ_EXAMPLES, default 200; about half an hour on 2 cores).
fuzz:
	scripts/provision.sh --test
	LYHTY_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} .venv/bin/pytest tests/api/test_schema.py -k fuzzing $(PYTEST_ARGS)

# Speed against raw PostGIS/GDAL on 1,000,000 observations (database lyhty_bench, kept).
bench: provision
	.venv/bin/python -m bench.run $(BENCH_ARGS)

# 500 walkers for two minutes against gunicorn, PostgreSQL restarted halfway, in a cluster of
# its own (var/pg-load); locust lives in .venv-load, apart from the service's own packages.
LOCUST_VERSION := 2.47.0
load: provision
	@[ -x .venv-load/bin/locust ] && .venv-load/bin/locust --version | grep -q $(LOCUST_VERSION) \
		|| { python3 -m venv .venv-load && .venv-load/bin/pip install -q --disable-pip-version-check locust==$(LOCUST_VERSION); }
	.venv/bin/python -m bench.load $(LOAD_ARGS)

# Production: gunicorn behind a TLS proxy. Needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL.
# gunicorn's own settings (BIND, WORKERS, THREADS): config/gunicorn.py, which `make load` uses too.
serve: provision
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) compilemessages --ignore=.venv -v0
	$(MANAGE) collectstatic --noinput -v0
	.venv/bin/gunicorn config.wsgi --config python:config.gunicorn

provision:
	scripts/provision.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Refresh the fi and sv catalogues after changing user-visible text.
messages:
	$(DEV) $(MANAGE) makemessages -l fi -l sv --ignore=.venv --ignore=var --no-obsolete

clean:
	rm -rf var/staticfiles .pytest_cache
