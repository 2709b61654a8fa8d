# Two commands: `make run` (set up, fetch the model, run on seeds/) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the segmenter's compiled tables: written last, after the model is fetched and checked
MODEL := data/models/pkuseg-mixed/compiled/manifest.json

.PHONY: setup model browser run test eval clean

setup: $(STAMP) $(MODEL)

# numpy, setuptools and wheel come first: fetching the model runs pkuseg's setup.py.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q --upgrade pip setuptools wheel numpy
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $(STAMP)

model: $(MODEL)
$(MODEL): | $(STAMP)
	$(PY) -m pipeline fetch-model

run: setup
	$(PY) -m pipeline run seeds --out data/out

# the site of `pipeline show` is tested in a real browser: Debian's chromium, installed by
# package name when missing (Playwright drives it; it downloads no browser of its own)
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && { apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; }; } || \
	  echo "note: chromium could not be installed (apt-get as root): the browser test is skipped"

# pytest exits 5 when it collected no test: that is a failure here too.
test: setup browser
	$(PY) -m pytest -q

# quality figures: seeds and gold-dev against their gold, NER on People's Daily dev
eval: setup
	$(PY) -m pipeline evaluate

clean:
	rm -rf data/out .pytest_cache
