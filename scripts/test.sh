#!/usr/bin/env bash
# Every test: data validation, pytest (unit, action and live-server tests), and the test
# stories against the trained model. Called by `make test` after the set-up.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
MODEL=$($PY -m bot.training --print-path)

echo "== rasa data validate"
.venv/bin/rasa data validate --domain domain.yml --data nlu_data --config config.yml --fail-on-warnings

echo "== PostgreSQL for the store tests"
if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
  TEST_POSTGRES_URL=$(bash scripts/postgres.sh)
  export TEST_POSTGRES_URL
  echo "store tests run on SQLite and on $TEST_POSTGRES_URL"
else
  echo "SKIP_POSTGRES=1: store tests on SQLite only"
fi

echo "== pytest"
$PY -m pytest -q -p no:cacheprovider

echo "== rasa test (tests/test_stories.yml)"
rm -rf results
.venv/bin/rasa test core --model "$MODEL" --stories tests/test_stories.yml \
  --endpoints endpoints.yml --fail-on-prediction-errors --out results --no-plot
echo "test stories: all predictions correct"
