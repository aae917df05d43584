# The commands a new contributor needs (see README.md):
#   make html    build the website into _build/html (open _build/html/index.html)
#   make check   the fast gate (under a minute): ruff, mypy, library tests and doctests
#   make test    run every test: library, doctests, notebooks (twice), the strict build,
#                the package (wheel in a fresh venv, every chapter under nbval there)
#                and the browser checks of the site and the PDF (tests/test_site.py)
#   make pdf     print the whole book to _build/pdf/softmax-book.pdf
#
# Both create a virtual environment in .venv and install requirements.txt into it
# on first use (and again whenever requirements.txt or pyproject.toml changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: html check lint typecheck test-lib test pdf browser benchmark execute clean

# The browser checks (tests/test_site.py) and the PDF use Debian's Chromium
# (apt-get install chromium) and two npm packages pinned in tests/browser/package-lock.json.
# `make test` installs the npm packages when npm is available; without Chromium or
# them the browser tests are skipped with a message (they fail instead when CI=true).
NODE_MODULES := tests/browser/node_modules/.package-lock.json
BROWSER_DEPS := $(if $(shell command -v npm 2>/dev/null),$(NODE_MODULES))

$(NODE_MODULES): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $(NODE_MODULES)

browser: $(NODE_MODULES)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

html: $(STAMP)
	$(BIN)/jupyter-book build . -n --keep-going
	@echo
	@echo "The website is in _build/html. Open _build/html/index.html in a browser."

# The fast gate: lint (ruff, configured in pyproject.toml, notebooks included), types
# (mypy --strict on softmax_lib) and the library tests and doctests, without the
# notebooks, the book build, the site or the package test. One BLAS thread: on a
# loaded machine, BLAS threads that wait for each other made the small least-squares
# and L-BFGS fits of the tests up to 8 times slower (84 s against 11 s measured).
NOT_LIBRARY := tests/test_book.py tests/test_site.py tests/test_notebook_hygiene.py \
               tests/test_package.py
LIB_PYTEST  := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
               $(BIN)/python -m pytest -p no:nbval -p no:cacheprovider \
               -o addopts="--doctest-modules --doctest-glob=README.md" \
               $(addprefix --ignore=,$(NOT_LIBRARY)) tests softmax_lib

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

test-lib: $(STAMP)
	$(LIB_PYTEST) -q

check: lint typecheck test-lib

# Everything: ruff and mypy first, then one pytest run (library tests, doctests,
# every notebook under strict nbval, the -W -n book build, the package and the site),
# after a second nbval pass with numpy's AVX-512 kernels switched off, so that stored
# outputs are shown to match on CPUs with and without them. CI runs exactly this.
test: lint typecheck $(STAMP) $(BROWSER_DEPS)
	$(BIN)/python tools/no_avx512.py $(BIN)/python -m pytest chapters
	$(BIN)/python -m pytest

# One PDF of the whole book: the single-page build, printed by headless Chromium
# once MathJax has typeset every equation (see tools/build_pdf.py).
pdf: $(STAMP) $(NODE_MODULES)
	$(BIN)/python tools/build_pdf.py --output _build/pdf/softmax-book.pdf

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

clean:
	rm -rf _build
