# The two commands a new contributor needs (see README.md):
#   make html    build the website into _build/html (open _build/html/index.html)
#   make test    run every test: library, doctests, notebooks (twice) and the strict build
#
# Both create a virtual environment in .venv and install requirements.txt into it
# on first use (and again whenever requirements.txt or pyproject.toml changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: html test test-lib test-notebooks test-notebooks-no-avx512 test-build pdf benchmark execute clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

html: $(STAMP)
	$(BIN)/jupyter-book build . -n --keep-going
	@echo
	@echo "The website is in _build/html. Open _build/html/index.html in a browser."

# Everything, in one pytest run (library tests, doctests, every notebook under
# strict nbval, the -W -n book build), after a second nbval pass with numpy's
# AVX-512 kernels switched off, so that stored outputs are shown to match on CPUs
# with and without them.
test: $(STAMP)
	$(BIN)/python tools/no_avx512.py $(BIN)/python -m pytest chapters
	$(BIN)/python -m pytest

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

clean:
	rm -rf _build
