PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app
export FLASK_DEBUG ?= 1

.PHONY: run test test-fast fuzz lint check-lessons bench clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

node_modules/.installed: package.json package-lock.json  ## ESLint, pinned by the lock file
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.runtime  ## migrate the SQLite database, check the lessons, serve on http://127.0.0.1:5000
	$(BIN)/flask db upgrade
	-$(BIN)/flask lessons check
	$(BIN)/flask run --debug --host 127.0.0.1 --port 5000

# the demo keeps to its own database and its own session cookie, so it never mixes with the
# classes (or the logins) of `make run`
DEMO_PORT ?= 5000
DEMO_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/demo.sqlite3
DEMO_ENV = DATABASE_URL="$(DEMO_DATABASE_URL)" FLASK_SESSION_COOKIE_NAME=demo_session

.PHONY: demo
demo: $(VENV)/.runtime  ## a demo class (a teacher, 25 students' work) in instance/demo.sqlite3, served on http://127.0.0.1:$(DEMO_PORT)
	$(DEMO_ENV) $(BIN)/flask db upgrade
	$(DEMO_ENV) $(BIN)/flask demo --host 127.0.0.1 --port $(DEMO_PORT)
	$(DEMO_ENV) $(BIN)/flask run --debug --host 127.0.0.1 --port $(DEMO_PORT)

# pytest's exit status 5 is "no test selected" (PYTEST_ARGS naming only one kind of test)
test: lint  ## the whole suite: JavaScript, unit, app and browser tests (TEST_DATABASE_URL= for PostgreSQL)
	npm test --silent
	FLASK_DEBUG=0 $(BIN)/python -m pytest -p no:cacheprovider -n 2 -m "not browser and not slow" \
	  $(PYTEST_ARGS) || [ $$? -eq 5 ]
	FLASK_DEBUG=0 $(BIN)/python -m pytest -p no:cacheprovider -m "browser or slow" \
	  $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-fast: $(VENV)/.dev  ## everyday: unit and app tests on SQLite, no browser, no slow ones, 2 processes
	$(BIN)/ruff check .
	node --test tests/js/
	FLASK_DEBUG=0 TEST_DATABASE_URL= $(BIN)/python -m pytest -p no:cacheprovider -q -n 2 \
	  -m "not browser and not slow" tests/unit tests/web $(PYTEST_ARGS)

fuzz: $(VENV)/.dev  ## property tests with new examples each run, 20 times as many
	HYPOTHESIS_PROFILE=fuzz FUZZ_SCALE=$${FUZZ_SCALE:-20} FLASK_DEBUG=0 TEST_DATABASE_URL= \
	  $(BIN)/python -m pytest -p no:cacheprovider -q tests/unit/test_properties.py \
	  tests/web/test_note_roundtrip.py $(PYTEST_ARGS)

lint: $(VENV)/.dev node_modules/.installed  ## ruff's checks and formatter, mypy on app/, ESLint (all enforced)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npm run lint --silent

.PHONY: serve
serve: $(VENV)/.runtime  ## production: migrate, then gunicorn with gunicorn.conf.py (needs FLASK_SECRET_KEY)
	@if [ -z "$$FLASK_SECRET_KEY$$SECRET_KEY" ]; then \
	  echo "make serve: FLASK_SECRET_KEY is not set. Outside debug the app needs a secret key" >&2; \
	  echo "(the same for every worker and every restart, or everyone is logged out), e.g.:" >&2; \
	  echo "  export FLASK_SECRET_KEY=\"\$$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"" >&2; \
	  exit 1; \
	fi
	FLASK_DEBUG=0 $(BIN)/flask db upgrade
	-FLASK_DEBUG=0 $(BIN)/flask lessons check
	exec env FLASK_DEBUG=0 $(BIN)/gunicorn -c gunicorn.conf.py

bench: $(VENV)/.runtime  ## load benchmark under gunicorn + server times (not part of make test; needs wrk, PostgreSQL, Redis)
	$(BIN)/python bench/server_time.py
	$(BIN)/python bench/authoring.py
	$(BIN)/python bench/load.py $(BENCH_ARGS)

check-lessons: $(VENV)/.runtime
	$(BIN)/flask lessons check

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
