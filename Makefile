# 稳岗留工政策助手 — one command to run, one to test. Both do all the set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
# Python 3.10 (Rasa 3.6 does not support 3.11): the first interpreter that really is 3.10.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

NLU_BUILT := build/spacy_zh/meta.json
NLU_INPUTS := $(wildcard policies/*.yml) nlu_data/gazetteer/other_regions.txt bot/nlu/build.py bot/policy/loader.py bot/policy/model.py \
	bot/policy/checks.py bot/policy/paths.py bot/policy/reader.py

export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help install build train run run-cluster shell test test-faults eval eval-dialogue fuzz bench bench-nlu bench-latency bench-store clean

help:
	@echo "make run     set up everything, train if needed, start the assistant (REST on :5005)"
	@echo "make run-cluster   the scale-out layout on one box: PostgreSQL, Redis, HAProxy, 2 Rasa + 2 action servers (deploy/cluster.env)"
	@echo "make shell   chat with the assistant in the terminal"
	@echo "make test    set up everything and run every test"
	@echo "make test-faults   kill -9 servers of the supervised stack under load (tests/faults/) → reports/faults.json"
	@echo "make eval    5-fold NLU cross-validation → reports/"
	@echo "make eval-dialogue   the multi-turn conversation suite (tests/conversations/) → success rates"
	@echo "make fuzz    1,000 hostile messages and malformed bodies to the live stack (tests/fuzz/) → reports/fuzz.json"
	@echo "make bench   every benchmark below, then benchmarks/README.md (not part of make test)"
	@echo "  make bench-nlu       holdout accuracy: ours vs stock Rasa vs TF-IDF; training times"
	@echo "  make bench-latency   REST latency at 1/10/50 users: our full stack vs stock Rasa"
	@echo "  make bench-store     eligibility store at 10k/100k/1M people, SQLite + PostgreSQL"
	@echo "make install / make build / make train   the set-up steps on their own"

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON310)" || { echo "需要 Python 3.10 (python3.10)，未找到" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

build: $(NLU_BUILT)

$(NLU_BUILT): $(STAMP) $(NLU_INPUTS)
	$(PY) -m bot.nlu.build

train: build
	$(PY) -m bot.training

run: train
	@bash scripts/run.sh serve

run-cluster: train
	@bash scripts/run.sh cluster

shell: train
	@bash scripts/run.sh shell

test: train
	bash scripts/test.sh

test-faults: train
	$(PY) -m tests.faults

eval: build
	bash scripts/eval.sh

eval-dialogue: train
	$(PY) -m tests.conversations $(if $(ONLY),--only $(ONLY),)

fuzz: train
	$(PY) -m tests.fuzz --count 1000

bench: bench-nlu bench-latency bench-store
	$(PY) -m benchmarks.readme

bench-nlu: train
	$(PY) -m benchmarks.nlu
	$(PY) -m benchmarks.readme

bench-latency: train
	$(PY) -m benchmarks.latency
	$(PY) -m benchmarks.readme

bench-store: install
	TEST_POSTGRES_URL=$$(bash scripts/postgres.sh) $(PY) -m benchmarks.eligibility $(if $(SIZES),--sizes $(SIZES),)
	$(PY) -m benchmarks.readme

clean:
	rm -rf build models reports results nlu_data/generated nlu_data/jieba/policy_terms.txt
