#!/usr/bin/env bash
# Start the action server (5055), the Rasa server (REST on 5005, HTTP API behind a token) and the
# staff console (8000); `shell` opens a terminal chat instead. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-serve}
PY=.venv/bin/python
MODEL=$($PY -m bot.training --print-path)
ACTIONS_PORT=${ACTIONS_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
CONSOLE_PORT=${CONSOLE_PORT:-8000}
mkdir -p var
# endpoints.yml calls the action server on 5055; another ACTIONS_PORT gets a copy that says so.
ENDPOINTS=endpoints.yml
if [ "$ACTIONS_PORT" != 5055 ]; then
  ENDPOINTS=var/endpoints.yml
  sed "s#//localhost:5055/#//localhost:$ACTIONS_PORT/#" endpoints.yml >"$ENDPOINTS"
fi
# Secrets, each from the environment or made once and kept in var/ (readable by this user only);
# delete the file (or set the variable) and restart to rotate one. README: "Security".
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
secret RASA_TOKEN var/rasa_token
secret ACTION_SERVER_TOKEN var/action_server_token
secret REST_TOKEN var/rest_token
export RASA_URL="http://localhost:$RASA_PORT"

# The eligibility store: migrate, and load the demo data set when it has no people yet.
$PY -m bot db migrate
$PY -m bot db seed --if-empty
# The console's first account, on the first start only: its password is printed once.
$PY -m bot staff add 管理员 --role supervisor --if-none

pids=()
cleanup() { for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# Until URL answers, or fail with the log if the last server started has exited.
# wait_up NAME URL LOG SECONDS
wait_up() {
  local pid=${pids[-1]}
  for _ in $(seq 1 "$4"); do
    curl -fsS "$2" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$1启动失败，见 $3" >&2; tail -30 "$3" >&2; exit 1; }
    sleep 1
  done
  echo "$1在 $4 秒内未就绪，见 $3" >&2
  exit 1
}

# Loopback only (ACTIONS_HOST for a private network), behind ACTION_SERVER_TOKEN; logs masked.
$PY -m bot.action_server --port "$ACTIONS_PORT" >var/actions.log 2>&1 &
pids+=($!)
wait_up 动作服务器 "http://localhost:$ACTIONS_PORT/health" var/actions.log 60
echo "action server: http://localhost:$ACTIONS_PORT  (log: var/actions.log)"

if [ "$mode" = shell ]; then
  $PY -m bot.logsafe rasa shell --model "$MODEL" --endpoints "$ENDPOINTS"
  exit 0
fi

# Rasa worker processes: one per core, at most 4 (each holds the model: about 1.5 GiB). They share
# the conversation locks through the database (endpoints.yml: bot.lock_store.SQLLockStore).
cores=$(nproc)
export SANIC_WORKERS=${SANIC_WORKERS:-$(( cores < 4 ? cores : 4 ))}
# Through bot.logsafe: everything Rasa logs or prints is masked (phones, ID numbers). It listens on
# loopback unless WeChat is on (WeChat's servers must reach it) or RASA_HOST says otherwise.
RASA_HOST=${RASA_HOST:-$([ -n "${WECHAT_TOKEN:-}" ] && echo 0.0.0.0 || echo 127.0.0.1)}
$PY -m bot.logsafe rasa run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials credentials.yml \
  --interface "$RASA_HOST" --port "$RASA_PORT" --enable-api --auth-token "$RASA_TOKEN" >var/rasa.log 2>&1 &
pids+=($!)
echo "starting the Rasa server, $SANIC_WORKERS worker process(es) (about 25 s) …"
wait_up "Rasa 服务器" "http://localhost:$RASA_PORT/" var/rasa.log 180
$PY -m bot.console --host "${CONSOLE_HOST:-127.0.0.1}" --port "$CONSOLE_PORT" >var/console.log 2>&1 &
pids+=($!)
wait_up 控制台 "http://localhost:$CONSOLE_PORT/health" var/console.log 30
cat <<MSG

稳岗留工政策助手 is running (today = ${BOT_TODAY:-$(date +%F)}).
  Talk to it over REST${WECHAT_TOKEN:+ (WeChat is on: REST needs the bearer token in var/rest_token)}:
    curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\${WECHAT_TOKEN:+
      -H "Authorization: Bearer \$(cat var/rest_token)" \\}
      -d '{"sender": "me", "message": "嵊泗的留工补助怎么领？"}'
  Check eligibility: say "帮我查查我能不能领" and give a demo ID, e.g. 520101199003159012 (see README).
  File a wage-arrears complaint: say "老板欠我工资，我要投诉"; staff work the queue with
    .venv/bin/bot complaints list | show QX-… | update QX-… --staff 姓名 --status 处理中 --note …
  WeChat Official Account: ${WECHAT_TOKEN:+on at http://<host>:$RASA_PORT/webhooks/wechat/webhook${WECHAT_ENCODING_AES_KEY:+ (safe mode)}}${WECHAT_TOKEN:-off (set WECHAT_TOKEN, WECHAT_APPID, WECHAT_SECRET, WECHAT_ENCODING_AES_KEY)}
  Staff console (hotline copilot, lookups, intake, queue): http://localhost:$CONSOLE_PORT
    accounts: .venv/bin/bot staff add 姓名 --role agent|supervisor
  Or chat in a terminal:  make shell
  Logs: var/rasa.log, var/actions.log, var/console.log.   Ctrl-C stops all three servers.
MSG
wait -n "${pids[@]}"
