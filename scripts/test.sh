#!/usr/bin/env bash
# Every test: data validation, pytest (unit, action and live-server tests), and the test
# stories against the trained model. Called by `make test` after the set-up.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
MODEL=$($PY -m bot.training --print-path)

echo "== ruff (format and lint: the whole tree, pyproject.toml's [tool.ruff])"
.venv/bin/ruff format --check --quiet . || { echo "ruff format: run .venv/bin/ruff format ." >&2; exit 1; }
.venv/bin/ruff check --quiet .

echo "== rasa data validate"
.venv/bin/rasa data validate --domain domain.yml --data nlu_data --config config.yml --fail-on-warnings

# A server some tests also run against: its script installs and starts it and prints its URL,
# exported as $3. `SKIP_<name>=1` leaves it out (those tests then run on SQLite / SQL only).
test_server() {
  local name=$1 script=$2 variable=$3 skip="SKIP_$1"
  echo "== $name for the tests ($variable)"
  if [ "${!skip:-0}" = 1 ]; then
    echo "$skip=1: not started"
    return
  fi
  local url
  url=$(bash "$script")
  export "$variable=$url"
  echo "$variable=$url"
}
test_server POSTGRES scripts/postgres.sh TEST_POSTGRES_URL  # the store: eligibility, complaints
test_server REDIS scripts/redis.sh TEST_REDIS_URL           # the WeChat channel's message log
test_server BROWSER scripts/browser.sh TEST_CHROMIUM         # the console's browser tests (Playwright)

echo "== pytest"
$PY -m pytest -q -p no:cacheprovider

echo "== rasa test (tests/test_stories.yml)"
rm -rf results
# Rasa 3.6's `rasa test core` keeps its trackers in memory; should it ever open endpoints.yml's
# tracker store, that is a throw-away file in results/, never the developer's var/tracker.db. It
# predicts actions without running them: endpoints.yml's action-server secret is never used.
ACTION_SERVER_TOKEN=unused BOT_TRACKER_URL="sqlite:///results/tracker.db" .venv/bin/rasa test core --model "$MODEL" \
  --stories tests/test_stories.yml --endpoints endpoints.yml --fail-on-prediction-errors --out results --no-plot
echo "test stories: all predictions correct"
