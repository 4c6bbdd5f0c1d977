# The two commands a newcomer needs: `make demo` and `make test`. Everything else is theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := python3-venv postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting gdal-bin \
	libgdal-dev libgeos-dev libproj-dev chromium docker-compose fonts-wqy-zenhei
HOST ?= 127.0.0.1
PORT ?= 8000
# Secrets of this checkout's demo (git-ignored, made once): with DEBUG off the app refuses to
# start without them. Values already in the environment win.
SECRETS := .secrets.mk
-include $(SECRETS)
export DJANGO_SECRET_KEY AUDIT_HMAC_KEY

.PHONY: setup system-packages db migrate demo-data demo serve test check bench clean-db

setup: system-packages $(VENV)/.installed

# Debian packages: installed with apt-get when root, otherwise the exact command is printed.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages; run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

$(SECRETS):
	@$(PYTHON) -c 'import secrets; print("DJANGO_SECRET_KEY ?= " + secrets.token_hex(32)); print("AUDIT_HMAC_KEY ?= " + secrets.token_hex(32))' > $@

db: setup
	@$(PY) manage.py embedded_db start >/dev/null && echo "database: $$($(PY) manage.py embedded_db url)"

# The audit table is handed back to the app for the migration, then to its own role again.
migrate: db
	@$(PY) manage.py secure_audit --release >/dev/null 2>&1 || true
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py secure_audit

demo-data: migrate
	$(PY) manage.py load_demo

demo: demo-data
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Serving the demo on http://$(HOST):$(PORT)/  (log in as: command / demo-password)"
	$(VENV)/bin/gunicorn gis_app.wsgi -c deploy/gunicorn.conf.py -b $(HOST):$(PORT)

test: db
	$(VENV)/bin/pytest -q

# A bounded Schemathesis run (REST API, OGC, tiles, Open311) as three roles: no 5xx (minutes);
# SCHEMATHESIS_EXAMPLES, SCHEMATHESIS_OPERATIONS, SCHEMATHESIS_PHASES: see tests/test_schemathesis.py.
check: db
	SCHEMATHESIS=1 SCHEMATHESIS_EXAMPLES=$${SCHEMATHESIS_EXAMPLES:-20} $(VENV)/bin/pytest -q tests/test_schemathesis.py

# Benchmarks, each figure beside its floor (bare SQL) and peer (tipg, installed from PyPI into
# bench/.peers-venv, git-ignored), with its target and the load average.
bench: migrate
	$(PY) bench/peers.py
	$(PY) bench/run_all.py

clean-db:
	-$(PY) manage.py embedded_db stop
	rm -rf .pgdata
