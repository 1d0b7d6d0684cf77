#!/usr/bin/env bash
# Start the assistant under supervisord (docs/deploy.md: "Running unattended"): the action server (5056) behind
# HAProxy on 5055, RASA_PROCESSES independent Rasa servers (5006…) behind HAProxy (REST on 5005, HTTP API behind a
# token) and the staff console (8000). supervisord restarts whichever exits, with back-off; logs
# in var/log/. `shell` opens a terminal chat instead. Ctrl-C stops them all.
# `cluster` (make run-cluster): the scale-out layout on one box, every address from
# deploy/cluster.env (CLUSTER_ENV): PostgreSQL, Redis, HAProxy in front of the Rasa processes and of
# ACTIONS_PROCESSES action servers (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
mode=${1:-serve}
PY=.venv/bin/python

# need COMMAND PACKAGE: install the Debian package when the command is missing (as scripts/postgres.sh)
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "[$2] installing the $2 Debian package" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$2" >&2
}

ENDPOINTS=endpoints.yml
REDIS_ARGS=()
if [ "$mode" = cluster ]; then
  # Every KEY=value of the file, unless the environment already sets it.
  while IFS= read -r line; do
    [[ $line =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || continue
    [ -n "${!BASH_REMATCH[1]+set}" ] || export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
  done <"${CLUSTER_ENV:-deploy/cluster.env}"
  ENDPOINTS=deploy/endpoints-cluster.yml
  # A PostgreSQL on this box: make sure it runs and has the database (scripts/postgres.sh).
  if [[ $DATABASE_URL =~ ^postgresql://[^@]*@(localhost|127\.0\.0\.1)[:/][^/]*/([A-Za-z0-9_]+)$ ]]; then
    TEST_POSTGRES_DB=${BASH_REMATCH[2]} bash scripts/postgres.sh >/dev/null
  fi
  # A Redis on this box runs under supervisord too, its data in an append-only file: the message
  # log and the locks survive its restart.
  if [ "$REDIS_HOST" = 127.0.0.1 ] || [ "$REDIS_HOST" = localhost ]; then
    need redis-server redis-server
    REDIS_ARGS=(--redis-port "$REDIS_PORT")
  fi
fi
MODEL=$($PY -m bot.training --print-path)
ACTIONS_PORT=${ACTIONS_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
CONSOLE_PORT=${CONSOLE_PORT:-8000}
# Everything this start writes (secrets, generated configs, logs): var/, or BOT_VAR_DIR (the fault
# tests use their own).
VAR=${BOT_VAR_DIR:-var}
mkdir -p "$VAR/log"
# endpoints.yml calls the action servers' HAProxy on localhost:5055; another ACTIONS_PORT, or an
# ACTIONS_HOST off loopback (HAProxy then listens on that address only), gets a copy that says so.
ACTIONS_ADDRESS=${ACTIONS_HOST:-localhost}
case $ACTIONS_ADDRESS in 127.0.0.1 | localhost | ::1) ACTIONS_ADDRESS=localhost ;; esac
if [ "$ENDPOINTS" = endpoints.yml ] && { [ "$ACTIONS_PORT" != 5055 ] || [ "$ACTIONS_ADDRESS" != localhost ]; }; then
  ENDPOINTS=$VAR/endpoints.yml
  sed "s#//localhost:5055/#//$ACTIONS_ADDRESS:$ACTIONS_PORT/#" endpoints.yml >"$ENDPOINTS"
fi
# Secrets, each from the environment or made once and kept in var/ (readable by this user only);
# delete the file (or set the variable) and restart to rotate one. docs/security.md: "Secrets".
#   RASA_TOKEN           Rasa's HTTP API (used by the console)
#   ACTION_SERVER_TOKEN  Rasa → action server (endpoints.yml sends it)
#   REST_TOKEN           the REST channel's bearer token, required while WeChat is on
secret() {  # secret NAME FILE: $NAME, else the file's content (made if missing)
  local value=${!1:-}
  if [ -z "$value" ]; then
    [ -s "$2" ] || (umask 077 && $PY -c 'import secrets; print(secrets.token_urlsafe(32))' >"$2")
    value=$(cat "$2")
  fi
  printf -v "$1" %s "$value"
  export "${1?}"
}
secret RASA_TOKEN "$VAR/rasa_token"
secret ACTION_SERVER_TOKEN "$VAR/action_server_token"
secret REST_TOKEN "$VAR/rest_token"
export RASA_URL="http://localhost:$RASA_PORT"

# The eligibility store: migrate, and load the demo data set when it has no people yet.
$PY -m bot db migrate
$PY -m bot db seed --if-empty
# The console's first account, on the first start only: its password is printed once.
$PY -m bot staff add 管理员 --role supervisor --if-none

if [ "$mode" = shell ]; then
  $PY -m bot.action_server --port "$ACTIONS_PORT" >"$VAR/log/actions.log" 2>&1 &
  actions=$!
  trap 'kill $actions 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM
  for _ in $(seq 1 60); do curl -fsS "http://localhost:$ACTIONS_PORT/health" >/dev/null 2>&1 && break; sleep 1; done
  $PY -m bot.logsafe rasa shell --model "$MODEL" --endpoints "$ENDPOINTS"
  exit 0
fi

need haproxy haproxy  # the load balancer, from Debian

# Rasa processes: one per core, at most 4 (each holds the model: about 1.5 GiB), each a plain
# `rasa run` with one Sanic worker on its own loopback port, so that a dead one is restarted alone
# while HAProxy sends the traffic to the others. They share the conversation locks through the
# database (endpoints.yml: bot.lock_store.SQLLockStore).
cores=$(nproc)
RASA_PROCESSES=${RASA_PROCESSES:-${SANIC_WORKERS:-$(( cores < 4 ? cores : 4 ))}}
RASA_BACKEND_PORT=${RASA_BACKEND_PORT:-$(( RASA_PORT + 1 ))}
# HAProxy's frontend listens on loopback unless WeChat is on (WeChat's servers must reach it) or
# RASA_HOST says otherwise; the Rasa processes behind it always on loopback.
RASA_HOST=${RASA_HOST:-$([ -n "${WECHAT_TOKEN:-}" ] && echo 0.0.0.0 || echo 127.0.0.1)}
export RASA_MODEL=$MODEL RASA_ENDPOINTS=$ENDPOINTS
$PY -m bot.supervision write --root "$ROOT" --var "$VAR" --rasa-processes "$RASA_PROCESSES" \
  --rasa-host "$RASA_HOST" --rasa-port "$RASA_PORT" --rasa-backend-port "$RASA_BACKEND_PORT" \
  --actions-port "$ACTIONS_PORT" --actions-processes "${ACTIONS_PROCESSES:-1}" \
  --actions-host "${ACTIONS_HOST:-127.0.0.1}" "${REDIS_ARGS[@]}" --console-host "${CONSOLE_HOST:-127.0.0.1}" --console-port "$CONSOLE_PORT"

supervisord=
stop_all() {
  trap - EXIT INT TERM
  if [ -n "$supervisord" ] && kill -0 "$supervisord" 2>/dev/null; then
    echo "stopping (supervisord stops every process, Rasa finishes the turns it is answering) …" >&2
    kill -TERM "$supervisord" 2>/dev/null || true
    wait "$supervisord" 2>/dev/null || true
  fi
}
trap stop_all EXIT INT TERM
.venv/bin/supervisord -c "$VAR/supervisord.conf" &
supervisord=$!

# Until URL answers, or fail with the log if supervisord gave the program up (FATAL) or exited.
# wait_up NAME URL LOG SECONDS PROGRAM
wait_up() {
  for _ in $(seq 1 "$4"); do
    curl -fsS "$2" >/dev/null 2>&1 && return 0
    kill -0 "$supervisord" 2>/dev/null || { echo "supervisord 已退出，见 $VAR/log/supervisord.log" >&2; exit 1; }
    if .venv/bin/supervisorctl -c "$VAR/supervisord.conf" status "$5" 2>/dev/null | grep -q FATAL; then
      echo "$1启动失败，见 $3" >&2; tail -30 "$3" >&2; exit 1
    fi
    sleep 1
  done
  echo "$1在 $4 秒内未就绪，见 $3" >&2
  exit 1
}
wait_up 动作服务器 "http://${ACTIONS_HOST:-localhost}:$ACTIONS_PORT/health" "$VAR/log/actions-1.log" 60 actions-1
echo "action server(s): http://${ACTIONS_HOST:-localhost}:$ACTIONS_PORT  (log: $VAR/log/actions-N.log)"
echo "starting $RASA_PROCESSES Rasa process(es) behind HAProxy (about 60 s) …"
for i in $(seq 1 "$RASA_PROCESSES"); do
  wait_up "Rasa 服务器 $i" "http://localhost:$(( RASA_BACKEND_PORT + i - 1 ))/webhooks/rest/ready" "$VAR/log/rasa-$i.log" 300 "rasa:rasa-$i"
done
wait_up HAProxy "http://localhost:$RASA_PORT/webhooks/rest/ready" "$VAR/log/haproxy.log" 30 haproxy
wait_up 控制台 "http://localhost:$CONSOLE_PORT/health" "$VAR/log/console.log" 60 console
cat <<MSG

稳岗留工政策助手 is running (today = ${BOT_TODAY:-$(date +%F)}).
  Talk to it over REST${WECHAT_TOKEN:+ (WeChat is on: REST needs the bearer token in $VAR/rest_token)}:
    curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\${WECHAT_TOKEN:+
      -H "Authorization: Bearer \$(cat $VAR/rest_token)" \\}
      -d '{"sender": "me", "message": "嵊泗的留工补助怎么领？"}'
  Check eligibility: say "帮我查查我能不能领" and give a demo ID, e.g. 520101199003159012 (see README).
  File a wage-arrears complaint: say "老板欠我工资，我要投诉"; staff work the queue with
    .venv/bin/bot complaints list | show QX-… | update QX-… --staff 姓名 --status 处理中 --note …
  WeChat Official Account: ${WECHAT_TOKEN:+on at http://<host>:$RASA_PORT/webhooks/wechat/webhook${WECHAT_ENCODING_AES_KEY:+ (safe mode)}}${WECHAT_TOKEN:-off (set WECHAT_TOKEN, WECHAT_APPID, WECHAT_SECRET, WECHAT_ENCODING_AES_KEY)}
  Staff console (hotline copilot, lookups, intake, queue): http://localhost:$CONSOLE_PORT
    accounts: .venv/bin/bot staff add 姓名 --role agent|supervisor
  Or chat in a terminal:  make shell
  Supervised by supervisord (a process that exits is restarted): .venv/bin/supervisorctl -c "$VAR/supervisord.conf" status
  Logs: $VAR/log/ (rasa-N.log, actions-1.log, console.log, haproxy.log, supervisord.log).   Ctrl-C stops everything.
MSG
wait "$supervisord"
