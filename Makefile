# microdegree-xblock: the two commands are `make demo` and `make test`.
.DEFAULT_GOAL := help
.PHONY: help demo test bench test-mysql quality translations check-translations requirements upgrade clean

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_DIR := .demo
export LMS_HOST_DB ?= $(CURDIR)/$(DEMO_DIR)/db.sqlite3

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/test.txt requirements/base.txt requirements/test-nodeps.txt setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/test.txt
	$(PY) -m pip install --quiet --no-deps -r requirements/test-nodeps.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

demo: $(VENV)/.installed ## install, migrate a SQLite database, load the demo programs and serve on http://127.0.0.1:8000
	mkdir -p $(DEMO_DIR)
	$(PY) lms_host/manage.py migrate --run-syncdb --verbosity 0
	$(PY) lms_host/manage.py microdegree_programs load lms_host/demo_programs.yaml
	$(PY) lms_host/manage.py demo_setup
	$(PY) lms_host/manage.py microdegree_programs backfill --from-file lms_host/demo_grades.csv
	$(PY) lms_host/manage.py microdegree_conditions load lms_host/demo_conditions.csv --recorded-by admin
	$(PY) lms_host/manage.py demo_history
	@echo "Serving the demo on http://127.0.0.1:8000 (admin: admin/admin). Ctrl-C stops it."
	$(PY) lms_host/manage.py runserver 127.0.0.1:8000 --insecure

# The JavaScript libraries of the second independent verifier (tests/credentials/test_node_verifier.py). Without
# Node.js and npm its tests skip and say so (under CI=true they fail).
NODE_VERIFIER := tests/credentials/node
$(NODE_VERIFIER)/node_modules/.installed: $(NODE_VERIFIER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(NODE_VERIFIER) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the JavaScript verifier tests will skip (install Node.js 20 to run them)."; \
	fi

test: $(VENV)/.installed $(NODE_VERIFIER)/node_modules/.installed ## run the whole test suite (on MariaDB/MySQL or PostgreSQL when MICRODEGREE_TEST_DB_URL names one)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed ## run the benchmarks and print their figures (the backfill at scale on SQLite and MariaDB)
	$(PY) -m pytest tests/test_benchmarks.py tests/test_benchmarks_credentials.py tests/test_panel_benchmarks.py \
		tests/test_backfill_benchmark.py --benchmark-enable --benchmark-columns=min,median,mean,rounds -q
	@if $(PY) -c "import pymysql; pymysql.connect(host='127.0.0.1', port=3306, user='root', connect_timeout=3)" \
		2>/dev/null; then \
		echo "The backfill benchmark on MariaDB (127.0.0.1:3306):"; \
		MICRODEGREE_TEST_DB_URL=mysql://root@127.0.0.1:3306/microdegree_bench \
		$(PY) -m pytest tests/test_backfill_benchmark.py --benchmark-enable -q; \
	else \
		echo "SKIPPED the backfill benchmark on MariaDB: nothing answers at 127.0.0.1:3306 (root, no password)."; \
		echo "Start MariaDB there, or run it on another one: MICRODEGREE_TEST_DB_URL=mysql://USER:PASSWORD@HOST:PORT/microdegree_bench $(PY) -m pytest tests/test_backfill_benchmark.py --benchmark-enable -q"; \
	fi

test-mysql: ## the whole suite on the MariaDB at 127.0.0.1:3306 (root, no password), as CI runs it
	MICRODEGREE_TEST_DB_URL=mysql://root@127.0.0.1:3306/microdegree $(MAKE) test

$(VENV)/.quality-installed: $(VENV)/.installed requirements/quality.txt
	$(PY) -m pip install --quiet -r requirements/quality.txt
	touch $@

quality: $(VENV)/.quality-installed ## ruff, mypy, the import contracts and the PII annotation check (as tox runs them)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=lms_host.settings PYTHONPATH=. $(VENV)/bin/code_annotations django_find_annotations \
		--config_file .pii_annotations.yml --lint --report --coverage

I18N_IGNORE := -i lms_host -i tests -i build -i docs -i requirements -i setup.py -i ".*"
translations: $(VENV)/.installed ## extract the strings into the German and English catalogs and compile them (GNU gettext)
	PYTHONPATH=. $(VENV)/bin/django-admin makemessages --settings=lms_host.i18n_settings -l de -l en $(I18N_IGNORE)
	PYTHONPATH=. $(VENV)/bin/django-admin compilemessages --settings=lms_host.i18n_settings $(I18N_IGNORE)

check-translations: $(VENV)/.installed ## check that the catalogs hold the sources' strings, all translated (as tox -e translations)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/check_translations.sh

requirements: $(VENV)/.installed ## re-pin requirements/*.txt from requirements/*.in
	$(PY) -m pip install --quiet pip-tools
	cd requirements && for f in base test quality dev; do \
		../$(VENV)/bin/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url \
		--no-emit-find-links $(PIP_COMPILE_ARGS) --output-file $$f.txt $$f.in; done

upgrade: ## re-pin requirements/*.txt to the newest allowed versions
	$(MAKE) requirements PIP_COMPILE_ARGS=--upgrade

clean: ## remove the virtualenv, the demo database and build files
	rm -rf $(VENV) $(DEMO_DIR) build dist *.egg-info .tox .pytest_cache
