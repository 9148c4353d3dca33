# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# What makemessages leaves out: the virtualenv, tests, the benchmark, vendored and collected files.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles \
	--ignore='static/vendor/*' --ignore='static/jsi18n/*' --no-obsolete

.PHONY: run test setup migrate demo manage lint format bench peers clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## The interface's translations are compiled (.po -> .mo, with polib: no system package) on
## every setup; only what changed is written.
setup: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py compile_catalogues

migrate: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo

## Set up, migrate, load demo data and serve on http://127.0.0.1:8000 (SQLite by default),
## with the background worker (`run_worker`) beside the web server. Ctrl+C stops both: the
## EXIT trap stops the worker however the web server ended.
run: demo
	DEBUG=1 $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	DEBUG=1 CONN_MAX_AGE=0 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Any management command with the local settings (the ones `make run` uses), e.g.
##   make manage ARGS="import_articles archive.jsonl --user editor"
## DEBUG=1 and a development key here only: a deployment sets its own (never a local .env).
manage: migrate
	DEBUG=1 $(BIN)/python manage.py $(ARGS)

## The whole suite, browser tests included. Uses DATABASE_URL when set. The tests are shared
## out between TEST_WORKERS processes (pytest-xdist), each with its own test database
## (test_NAME_gw0, test_NAME_gw1, … on PostgreSQL); TEST_WORKERS=0 runs them in this one
## (for -s or a debugger): make test TEST_WORKERS=0 PYTEST_ARGS="tests/test_x.py -s".
TEST_WORKERS ?= 2
test: setup
	SECRET_KEY=test-only-7Qm2vX9pL4sR8wK1zN6bT3yH5cJ0dF2gA7eU9iO4tY6rW1qZ DEBUG=0 DJANGO_ALLOW_ASYNC_UNSAFE=true PLAIN_STATIC_STORAGE=1 \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## Benchmarks (bench/, not part of `make test`). BENCH_ARGS=--quick for smaller sizes.
bench: migrate
	SECRET_KEY=bench-only-3Fh8Kd2Lm9Qp4Rs7Tv1Wx6Yz0Bc5Ng8Jk2Pq4Mr7Sv9Tw3Xu DEBUG=0 PLAIN_STATIC_STORAGE=1 \
		$(BIN)/python -m bench $(BENCH_ARGS)

## doccano 1.8.4 and Label Studio 1.23.2 beside us on the same data and jobs (bench/peers/,
## not part of `make test`): the first run installs them into virtualenvs of their own under
## bench-results/peers/ (minutes), later runs reuse them. PEERS_ARGS="--quick" to try it,
## "--only doccano,sqlite", "--fresh" to install and initialise the peers again.
peers: setup
	$(BIN)/python -m bench.peers $(PEERS_ARGS)

## Gather the interface's strings into the catalogues (needs GNU gettext: apt install
## gettext), after adding or changing strings; then translate the new entries and `make setup`.
messages: setup
	DEBUG=1 $(BIN)/python manage.py makemessages --all $(MESSAGES_IGNORE)
	DEBUG=1 $(BIN)/python manage.py makemessages --all -d djangojs $(MESSAGES_IGNORE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pylint --disable=all --enable=duplicate-code --min-similarity-lines=6 \
		--ignore=migrations annotations bench newsroom

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
	find annotations/locale -name '*.mo' -delete
	rm -rf static/jsi18n
