# Academy Portal: `make run` starts the portal with demo data; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate demo worker beat web clean-var messages

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# Web + Celery worker + beat in one terminal; Ctrl-C stops all three.
run: demo
	@echo
	@echo "  Academy Portal: http://$(HOST):$(PORT)/admin/  (login printed above)"
	@echo "  Health:         http://$(HOST):$(PORT)/healthz"
	@echo
	@trap 'kill 0' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A academy_portal worker --loglevel=INFO --concurrency=2 & \
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A academy_portal beat --loglevel=INFO & \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT) & \
	wait

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: venv
	$(BIN)/python manage.py makemessages -l vi --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages -l vi --ignore=.venv
