# Two commands for people: `make run` (the assistant) and `make test` (everything CI checks).
# Each installs, builds and trains only what is missing or out of date. `make test-fast` runs the unit
# tier alone (tests/unit: no servers, no databases, about a minute).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SPACY_MODEL := models/spacy/en_mbc/config.cfg
NAMES_MODEL := models/spacy/names/config.cfg
WORDLLAMA := models/wordllama/l2_supercat_256.safetensors
RASA_MODEL := models/mbc.tar.gz
CONTENT_STAMP := var/content.loaded
TRAINING_INPUTS := config.yml domain.yml $(shell find data/nlu data/rules -name "*.yml") $(wildcard understanding/*.py) runtime/rule_policy.py
ENV := source scripts/env.sh &&

.PHONY: run test test-fast setup browser spacy wordllama content train validate eval eval-library bench profile bench-review staff-user retention clean shell

run: setup $(RASA_MODEL) $(CONTENT_STAMP)
	scripts/run.sh

test: setup browser nginx $(RASA_MODEL) $(CONTENT_STAMP)
	@echo "==> tests: tests/unit, then tests/system (real servers, PostgreSQL, Redis, nginx, Chromium)"
	$(ENV) $(PY) -m pytest tests/unit tests/system $(PYTEST_ARGS)

test-fast: setup $(RASA_MODEL)
	$(ENV) $(PY) -m pytest tests/unit $(PYTEST_ARGS)

setup: $(VENV)/.installed $(SPACY_MODEL) $(NAMES_MODEL) $(WORDLLAMA) web/node_modules/.installed

web/node_modules/.installed: web/package-lock.json
	@echo "==> chat widget dependencies from the npm registry (web/package-lock.json)"
	@command -v npm >/dev/null || { echo "npm is needed for the chat widget: install Node.js 18+ (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix web --no-audit --no-fund
	touch $@

$(VENV)/.installed: requirements.lock
	@echo "==> Python 3.10 virtual environment in $(VENV) (Rasa 3.6 needs 3.10)"
	@test -x $(PY) || $$(scripts/find_python310.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25"
	@echo "==> installing the locked dependencies (a few minutes the first time)"
	$(PY) -m pip install --progress-bar on -r requirements.lock
	touch $@

spacy $(SPACY_MODEL): understanding/spacy_pipeline.py $(VENV)/.installed
	@echo "==> building the spaCy pipeline (blank English + lookup lemmatizer) into models/spacy"
	$(ENV) $(PY) -m understanding.spacy_pipeline

# Redaction's name finder beside its rules: a spaCy NER trained from blank English on generated messages
# with Faker's names (name_finder/name_data.py, name_finder/train_names.py; deterministic, 2-3 minutes on 2 cores).
.PHONY: names eval-redaction
names $(NAMES_MODEL): name_finder/name_data.py name_finder/name_templates.txt name_finder/train_names.py name_finder/word_case.py privacy/redact.py $(shell find data/nlu -name "*.yml") $(SPACY_MODEL) $(VENV)/.installed
	@echo "==> training the name finder for redaction into models/spacy/names (2-3 minutes)"
	$(ENV) $(PY) -m name_finder.train_names

# Redaction on the frozen held-out set: recall per kind of detail, ordinary words kept, time per message
# (results/redaction_eval.json). EVAL_REDACTION_ARGS="--set tests/tuning/redaction_validation.jsonl" to tune.
eval-redaction: setup
	$(ENV) $(PY) -m measure.eval_redaction $(EVAL_REDACTION_ARGS)

# The answer finder's sentence embeddings: two files of the wordllama wheel from PyPI (pinned by hash).
wordllama $(WORDLLAMA): scripts/wordllama.py $(VENV)/.installed
	@echo "==> WordLlama embeddings (weights + tokenizer from the wordllama wheel) into models/wordllama"
	$(ENV) $(PY) -m scripts.wordllama

content $(CONTENT_STAMP): $(SPACY_MODEL) $(shell find data/content -type f) $(wildcard content/*.py)
	@echo "==> checking data/content and loading it into the content store"
	$(ENV) $(PY) -m content.load && touch $(CONTENT_STAMP)

train $(RASA_MODEL): $(SPACY_MODEL) $(WORDLLAMA) $(TRAINING_INPUTS) $(shell find data/content -type f)
	@echo "==> training the Rasa model (under a minute on 2 cores)"
	$(ENV) $(VENV)/bin/rasa train --fixed-model-name mbc --out models

# The browser tests drive Debian's Chromium (Playwright downloads no browser here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then echo "==> installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; fi; }

validate: setup
	$(ENV) $(VENV)/bin/rasa data validate --fail-on-warnings

eval: setup $(RASA_MODEL) $(CONTENT_STAMP)
	$(ENV) $(PY) -m measure.evaluate

# A second article added as files (the test fixture), answered with no example questions and with 5:
# trains two models into a temporary folder (about 10 minutes); results/library.json.
eval-library: setup
	$(ENV) $(PY) -m measure.library_eval

bench: setup $(RASA_MODEL) $(CONTENT_STAMP)
	$(ENV) $(PY) -m measure.bench

# Where the Rasa server and the action server spend their CPU under load (py-spy, from outside).
profile: setup $(RASA_MODEL) $(CONTENT_STAMP)
	$(ENV) $(PY) -m measure.profile

# The staff review app's list page and dashboard with 100,000 generated conversations (SQLite; add
# BENCH_REVIEW_ARGS="--postgres postgresql://postgres@127.0.0.1:5432/postgres" for PostgreSQL).
bench-review: setup
	$(ENV) $(PY) -m measure.bench_review $(BENCH_REVIEW_ARGS)

# A staff account for the review app: `make staff-user NAME=alex ROLE=admin` (asks for the password).
staff-user: setup
	@test -n "$(NAME)" || { echo "usage: make staff-user NAME=alex [ROLE=reviewer|editor|admin]"; exit 2; }
	$(ENV) $(PY) -m review create-user "$(NAME)" --role "$(or $(ROLE),reviewer)"

# Delete conversations idle for more than MBC_RETENTION_DAYS (365) days, everywhere they are kept.
retention: setup
	$(ENV) $(PY) -m review retention

clean:
	rm -rf models/*.tar.gz var

# Talk to the assistant in the terminal (start `make run` first: the shell uses its action server).
shell: setup $(RASA_MODEL) $(CONTENT_STAMP)
	scripts/shell.sh

# Scale-out mode: several Rasa servers and action servers behind nginx (Debian's package), conversations
# in PostgreSQL (MBC_TRACKER_DB_URL) and the conversation lock, rate counters and replay cache in Redis
# (MBC_REDIS_URL). `MBC_SERVERS=3 make run-scaleout` for three of each (default 2). See docs/deployment.md.
.PHONY: nginx run-scaleout publish

nginx:
	@[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then echo "==> installing Debian's nginx for the scale-out mode"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
	  else echo "The scale-out mode and its tests need nginx: sudo apt-get install nginx"; exit 1; fi; }

run-scaleout: setup nginx $(RASA_MODEL) $(CONTENT_STAMP)
	$(ENV) $(PY) -m scripts.scaleout

# Publish data/content (MBC_CONTENT_DIR) to the running assistant: check it, load the content store,
# train, and put the model in MBC_PUBLISH_DIR, which the scale-out mode's model server hands out; every
# Rasa server picks it up within MBC_MODEL_PULL_SECONDS, no restart (editorial/publish.py).
publish: setup
	$(ENV) $(PY) -m editorial.publish
