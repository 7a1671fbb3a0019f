# Two commands: `make run` and `make test` (README). Only python3 and make are assumed;
# everything else (virtualenv, pinned packages, the tools tests call) is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= demo-pass-2026
PG_URL ?= postgres://postgres@127.0.0.1:5432/dossier_audit
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# Debian packages the test suite calls: pdftotext/pdffonts (poppler-utils), LibreOffice for
# opening exported workbooks, Chromium for the browser tests and a CJK font for its pages.
SYS_TOOLS := pdftotext:poppler-utils pdffonts:poppler-utils soffice:libreoffice-calc-nogui chromium:chromium fc-list:fontconfig xgettext:gettext
# Faces of the summary report (公文): settings REPORT_FONT_* default to these (STACK.md).
SYS_FONTS := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc:fonts-wqy-microhei \
	/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf:fonts-arphic-gbsn00lp \
	/usr/share/fonts/truetype/arphic/ukai.ttc:fonts-arphic-ukai \
	/usr/share/fonts/truetype/arphic/uming.ttc:fonts-arphic-uming \
	/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:fonts-wqy-zenhei

.PHONY: run test setup fonts sysdeps lint migrate-check test-sqlite test-postgres worker bench clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { echo "python3-venv missing: installing it"; $(call apt_install,python3-venv) && $(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $(STAMP)

define apt_install
	if [ "$$(id -u)" = 0 ]; then apt-get install -y -q $(1) >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q $(1) >/dev/null); \
	elif command -v sudo >/dev/null; then sudo apt-get install -y -q $(1) >/dev/null || (sudo apt-get update -q >/dev/null && sudo apt-get install -y -q $(1) >/dev/null); \
	else echo "please install the Debian package(s): $(1)"; exit 1; fi
endef

# The report's faces alone: `make run` needs them for the summary report, not the test tools.
fonts:
	@missing=""; for pair in $(SYS_FONTS); do file=$${pair%%:*}; pkg=$${pair##*:}; [ -e $$file ] || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian font packages:$$missing"; $(call apt_install,$$missing); fi

sysdeps:
	@missing=""; for pair in $(SYS_TOOLS); do tool=$${pair%%:*}; pkg=$${pair##*:}; command -v $$tool >/dev/null || missing="$$missing $$pkg"; done; \
	for pair in $(SYS_FONTS); do file=$${pair%%:*}; pkg=$${pair##*:}; [ -e $$file ] || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; $(call apt_install,$$missing); fi

run: setup fonts
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"
	@echo ""
	@echo "  打开 http://$(HOST):$(PORT)/ 用上面的演示账号登录（密码均为 $(DEMO_PASSWORD)）。"
	@echo ""
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Security lint of the product's code; bandit.yaml gives the reason for every exception.
.PHONY: security
security: setup
	$(VENV)/bin/bandit -q -c bandit.yaml -r archives audits reports dossier_audit manage.py

migrate-check: setup
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: setup sysdeps
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest -q

# PostgreSQL with a real Redis broker (tests marked `broker` start a real Celery worker).
# Runs when PostgreSQL answers; in CI (DA_REQUIRE_SERVICES=1) it must.
test-postgres: setup sysdeps
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) DA_TEST_REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest -q; \
	elif [ "$$DA_REQUIRE_SERVICES" = 1 ]; then echo "PostgreSQL is required but not reachable on 127.0.0.1:5432"; exit 1; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipping the PostgreSQL run (CI requires it)"; fi

test: lint security migrate-check test-postgres test-sqlite

worker: setup
	$(VENV)/bin/celery -A dossier_audit worker -l info

bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
