# Two commands: `make run` (set up, fetch the model, run on seeds/) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the segmenter's compiled tables: written last, after the model is fetched and checked
MODEL := data/models/pkuseg-mixed/compiled/manifest.json

.PHONY: setup model run test eval clean

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

# pytest exits 5 when it collected no test: that is a failure here too.
test: setup
	$(PY) -m pytest -q

# quality figures: seeds and gold-dev against their gold, NER on People's Daily dev
eval: setup
	$(PY) -m pipeline evaluate

clean:
	rm -rf data/out .pytest_cache
