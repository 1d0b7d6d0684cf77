#!/usr/bin/env bash
# Start the action server (5055) and the Rasa server (REST on 5005); `shell` opens a terminal
# chat instead of the REST server. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-serve}
PY=.venv/bin/python
MODEL=$($PY -m bot.training --print-path)
ACTIONS_PORT=${ACTIONS_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
mkdir -p var

# The eligibility store: migrate, and load the demo data set when it has no people yet.
$PY -m bot db migrate
$PY -m bot db seed --if-empty

pids=()
cleanup() { for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$PY -m rasa_sdk --actions actions --port "$ACTIONS_PORT" >var/actions.log 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -fsS "http://localhost:$ACTIONS_PORT/health" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "动作服务器启动失败，见 var/actions.log" >&2; tail -20 var/actions.log >&2; exit 1; }
  sleep 1
done
echo "action server: http://localhost:$ACTIONS_PORT  (log: var/actions.log)"

if [ "$mode" = shell ]; then
  .venv/bin/rasa shell --model "$MODEL" --endpoints endpoints.yml
  exit 0
fi

.venv/bin/rasa run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" >var/rasa.log 2>&1 &
pids+=($!)
echo "starting the Rasa server (about 25 s) …"
for _ in $(seq 1 180); do
  curl -fsS "http://localhost:$RASA_PORT/" >/dev/null 2>&1 && break
  kill -0 "${pids[1]}" 2>/dev/null || { echo "Rasa 服务器启动失败，见 var/rasa.log" >&2; tail -30 var/rasa.log >&2; exit 1; }
  sleep 1
done
cat <<MSG

稳岗留工政策助手 is running (today = ${BOT_TODAY:-$(date +%F)}).
  Talk to it over REST:
    curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
      -d '{"sender": "me", "message": "嵊泗的留工补助怎么领？"}'
  Check eligibility: say "帮我查查我能不能领" and give a demo ID, e.g. 520101199003159012 (see README).
  File a wage-arrears complaint: say "老板欠我工资，我要投诉"; staff work the queue with
    .venv/bin/bot complaints list | show QX-… | update QX-… --staff 姓名 --status 处理中 --note …
  WeChat Official Account: ${WECHAT_TOKEN:+on at http://<host>:$RASA_PORT/webhooks/wechat/webhook${WECHAT_ENCODING_AES_KEY:+ (safe mode)}}${WECHAT_TOKEN:-off (set WECHAT_TOKEN, WECHAT_APPID, WECHAT_SECRET, WECHAT_ENCODING_AES_KEY)}
  Or chat in a terminal:  make shell
  Logs: var/rasa.log, var/actions.log.   Ctrl-C stops both servers.
MSG
wait -n "${pids[@]}"
