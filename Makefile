# Early Help Directory: `make run` to serve the sample content, `make test` to test everything.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
CHROMIUM ?= /usr/bin/chromium
AXE_JS := node_modules/axe-core/axe.min.js
# apt-get as root, else through `sudo -n` if there is sudo (it never waits for a password);
# with neither, apt-get itself says why it cannot install.
SUDO := $(shell [ "$$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1 || echo sudo -n)

.PHONY: run test install lint translations messages language check-messages publish check bench clean browser-deps bench-deps bench-throughput

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the declared dependencies change.
$(VENV)/.installed: setup.cfg setup.py pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Babel's commands, configured in setup.cfg ([extract_messages], [update_catalog], ...).
BABEL := $(BIN)/python -W ignore -c "from setuptools import setup; setup()"

## Compile the interface catalogues (translations/<lang>/LC_MESSAGES/messages.po -> .mo, not committed).
translations: install
	@$(BABEL) -q compile_catalog

## Extract the public interface's strings into translations/messages.pot and update every catalogue.
messages: install
	$(BABEL) -q extract_messages
	$(BABEL) -q update_catalog

## Start a catalogue for a new language: make language L=xx
language: install
	$(BABEL) init_catalog -l $(L)

## Fail when a catalogue is out of date with the code or has untranslated or fuzzy strings.
check-messages: install
	$(BIN)/python -m app.catalogues

check: install
	$(BIN)/earlyhelp check

publish: install
	$(BIN)/earlyhelp publish

run: install translations
	$(BIN)/earlyhelp publish
	$(BIN)/earlyhelp serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

## What the browser tests (tests/browser/) need besides the venv: Chromium and axe-core.
browser-deps: $(CHROMIUM) $(AXE_JS)

$(CHROMIUM):
	@echo "Installing Debian's chromium and chromium-driver with apt-get (once)..."
	@log=$$(mktemp); \
	if $(SUDO) apt-get update -qq >"$$log" 2>&1 \
	   && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	        -o DPkg::Lock::Timeout=300 chromium chromium-driver fonts-liberation >>"$$log" 2>&1; \
	then rm -f "$$log"; else cat "$$log"; rm -f "$$log"; exit 1; fi
	@test -x $@ || { echo "apt-get finished but $@ is missing"; exit 1; }

# axe-core, pinned in package.json / package-lock.json; touched because npm keeps the tarball's old mtime.
$(AXE_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: install translations lint browser-deps
	$(BIN)/python -m pytest

## Benchmarks (not part of `make test`): see bench/README.md.
bench: install
	$(BIN)/python -m bench.run --sizes 1000,10000

## The load generator of the throughput benchmark: Debian's wrk.
bench-deps:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; }

## The real server (earlyhelp serve, waitress) under wrk at 10,000 services.
bench-throughput: install translations bench-deps
	$(BIN)/python -m bench.throughput --n 10000

clean:
	rm -rf search_index/releases search_index/current search_index/.publish.lock search_index/.entry-cache .pytest_cache tests/output
