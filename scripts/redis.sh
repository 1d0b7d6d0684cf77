#!/usr/bin/env bash
# A local Redis for the tests of the WeChat channel's shared message log: installs the Debian
# package if needed, starts a throwaway server (no persistence) and prints its URL
# (TEST_REDIS_URL). Set SKIP_REDIS=1 to test with the SQL log only.
set -euo pipefail
PORT=${TEST_REDIS_PORT:-6390}
LOG_DIR="$(cd "$(dirname "$0")/.." && pwd)/var"
log() { echo "[redis] $*" >&2; }

if ! command -v redis-server >/dev/null 2>&1; then
  log "installing the redis-server Debian package"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >&2
fi
if ! redis-cli -p "$PORT" ping >/dev/null 2>&1; then
  log "starting redis-server on port $PORT"
  mkdir -p "$LOG_DIR"
  redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --logfile "$LOG_DIR/redis-test.log" >&2
  for _ in $(seq 1 30); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
echo "redis://127.0.0.1:$PORT/0"
