# Academy Portal. On a fresh machine with Python 3.11+ and make:
#   make run    creates .venv, installs, migrates, loads demo data, starts web + Celery worker + beat
#   make test   runs the test suite (SQLite and the filesystem broker; nothing else to install)
# Settings come from the environment (see README.md); PORT/HOST choose where the web server listens.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
VAR_DIR ?= $(CURDIR)/var
# Links in emails (and the demo RSVP link) point at the server `make run` starts.
SITE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=
export VAR_DIR SITE_URL

.PHONY: help run test lint format check migrate demo web worker beat messages clean-var venv screenshots screenshots-issue9

help:
	@echo "make run       start the portal with demo data (web + Celery worker + beat)"
	@echo "make test      run the test suite"
	@echo "make lint      ruff check + ruff format --check"
	@echo "make format    apply ruff fixes and formatting"
	@echo "make messages  update and compile the Vietnamese translations"
	@echo "make clean-var delete the local SQLite database, broker folders and mail (var/)"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "Academy Portal needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1)." >&2; \
	  echo "Run e.g. 'make run PYTHON=python3.12'." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.installed

migrate: venv
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

# The summary (with the logins) is kept so `make run` can repeat it once the server is up.
demo: migrate
	@mkdir -p $(VAR_DIR)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo | tee $(VAR_DIR)/demo-summary.txt

web: venv
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: venv
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A academy_portal worker --loglevel=INFO --concurrency=2

beat: venv
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A academy_portal beat --loglevel=INFO

# Web + Celery worker + beat in one terminal; Ctrl-C stops all three. Once /healthz answers
# (and the worker has had a moment to log its start-up banner) the URL and the logins are
# printed again so they are not lost in the start-up logs.
# Only the three main processes are signalled: a Celery worker whose pool children are killed
# under it restarts them and can hang in its warm shutdown. (`make web` keeps the autoreloader.)
# The demo relaxes the staff second factor (the printed logins work with a password alone;
# the summary says so); STAFF_MFA_REQUIRED=1 make run tries the real sign-in.
run: export STAFF_MFA_REQUIRED ?= 0
run: demo
	@export DEBUG=$${DEBUG:-1}; \
	$(BIN)/celery -A academy_portal worker --loglevel=INFO --concurrency=2 & pids=$$!; \
	$(BIN)/celery -A academy_portal beat --loglevel=INFO & pids="$$pids $$!"; \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT) & pids="$$pids $$!"; \
	trap 'trap - EXIT INT TERM; kill -TERM $$pids 2>/dev/null; wait' EXIT INT TERM; \
	for _ in $$(seq 120); do \
	  $(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
	    http://$(HOST):$(PORT)/healthz 2>/dev/null && break; \
	  sleep 0.5; \
	done; \
	sleep 3; \
	echo; \
	echo "  ================================================================"; \
	echo "  Academy Portal is running:  http://$(HOST):$(PORT)/"; \
	echo "  Staff admin:                http://$(HOST):$(PORT)/admin/"; \
	echo "  Health:                     http://$(HOST):$(PORT)/healthz"; \
	sed -n '/Staff logins/,$$p' $(VAR_DIR)/demo-summary.txt | sed 's/^/  /'; \
	echo "  Emails are written to $(VAR_DIR)/mail/. Ctrl-C stops web, worker and beat."; \
	echo "  ================================================================"; \
	echo; \
	wait

# make turns any failure into exit 2, so say it when pytest collected no tests (its exit 5).
test: venv
	@echo "$(BIN)/python -m pytest $(PYTEST_ARGS)"
	@rc=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$rc

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: venv
	$(BIN)/python manage.py check

messages: venv
	$(BIN)/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages -l vi --ignore=.venv

clean-var:
	rm -rf $(VAR_DIR)

# The browser tests save their screenshots to a temporary folder; this refreshes the ones in docs/.
screenshots: venv
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q -m browser

# Issue 9's pages at 1366 and 390 px, English and Vietnamese, with axe-core's counts, on a fresh
# demo database of their own (tests/screenshots/issue9.py). ISSUE9_ROOT: another checkout.
ISSUE9_ROOT ?= $(CURDIR)
ISSUE9_OUT ?= $(VAR_DIR)/screenshots/issue-9/after
ISSUE9_PORT ?= 8310
screenshots-issue9: venv
	$(BIN)/python -m tests.screenshots.issue9 --root $(ISSUE9_ROOT) --out $(ISSUE9_OUT) --port $(ISSUE9_PORT)
