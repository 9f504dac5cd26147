# Two commands for people: `make run` (the assistant) and `make test` (everything CI checks).
# Each installs, builds and trains only what is missing or out of date.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SPACY_MODEL := models/spacy/en_mbc/config.cfg
RASA_MODEL := models/rasa/mbc.tar.gz
CONTENT_STAMP := var/content.loaded
TRAINING_INPUTS := config.yml domain.yml $(shell find data/nlu data/rules data/stories -name '*.yml' 2>/dev/null)
ENV := source scripts/env.sh &&

.PHONY: run test setup spacy content train validate eval bench clean shell

run: setup $(RASA_MODEL) $(CONTENT_STAMP)
	scripts/run.sh

test: setup $(RASA_MODEL) $(CONTENT_STAMP)
	@echo "==> tests"
	$(ENV) $(PY) -m pytest tests $(PYTEST_ARGS)

setup: $(VENV)/.installed $(SPACY_MODEL)

$(VENV)/.installed: requirements.lock
	@echo "==> Python 3.10 virtual environment in $(VENV) (Rasa 3.6 needs 3.10)"
	@test -x $(PY) || $$(scripts/find_python310.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25"
	@echo "==> installing the locked dependencies (a few minutes the first time)"
	$(PY) -m pip install --progress-bar on -r requirements.lock
	touch $@

spacy $(SPACY_MODEL): mbc/nlp.py $(VENV)/.installed
	@echo "==> building the spaCy pipeline (blank English + lookup lemmatizer) into models/spacy"
	$(ENV) $(PY) -m mbc.nlp

content $(CONTENT_STAMP): $(SPACY_MODEL) $(shell find data/content -type f) $(wildcard mbc/*.py)
	@echo "==> checking data/content and loading it into the content store"
	$(ENV) $(PY) -m mbc.load_content && touch $(CONTENT_STAMP)

train $(RASA_MODEL): $(SPACY_MODEL) $(TRAINING_INPUTS)
	@echo "==> training the Rasa model (about two minutes)"
	$(ENV) $(VENV)/bin/rasa train --fixed-model-name mbc --out models/rasa

validate: setup
	$(ENV) $(VENV)/bin/rasa data validate --fail-on-warnings

eval: setup $(RASA_MODEL) $(CONTENT_STAMP)
	$(ENV) $(PY) -m scripts.evaluate

bench: setup $(RASA_MODEL) $(CONTENT_STAMP)
	$(ENV) $(PY) -m scripts.bench

clean:
	rm -rf models/rasa var

# Talk to the assistant in the terminal (start `make run` first: the shell uses its action server).
shell: setup $(RASA_MODEL) $(CONTENT_STAMP)
	$(ENV) $(VENV)/bin/rasa shell --model $(RASA_MODEL) --endpoints endpoints.yml
