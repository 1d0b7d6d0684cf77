#!/usr/bin/env bash
# Debian's chromium and the CJK fonts for the console's browser tests (Playwright drives chromium
# by its path: nothing is downloaded by Playwright). Prints the browser's path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >&2
fi
command -v chromium
