# Early Help Directory: `make run` to serve the sample content, `make test` to test everything.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint translations messages publish check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the declared dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## Compile the interface translations (catalogues in translations/<lang>/LC_MESSAGES).
translations: install
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile --statistics -d translations; \
	else echo "No translations to compile yet."; fi

## Extract interface strings into translations/messages.pot and update each catalogue.
messages: install
	$(BIN)/pybabel extract --no-location --sort-by-file -F babel.cfg -k _l -o translations/messages.pot app
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel update -N -i translations/messages.pot -d translations; fi

check: install
	$(BIN)/earlyhelp check

publish: install
	$(BIN)/earlyhelp publish

run: install translations
	$(BIN)/earlyhelp publish
	$(BIN)/earlyhelp serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: install translations lint
	$(BIN)/python -m pytest

## Benchmarks (not part of `make test`): see bench/README.md.
bench: install
	$(BIN)/python -m bench.run --sizes 1000,10000

clean:
	rm -rf search_index/releases search_index/current search_index/.publish.lock .pytest_cache
