#!/usr/bin/env bash
# 5-fold NLU cross-validation: intent precision/recall/F1 and a confusion matrix in reports/,
# macro-F1 printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# Chinese labels in the confusion matrix need a CJK font.
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig) >/dev/null \
      || echo "warning: could not install fonts-noto-cjk; plot labels may not render" >&2
  fi
fi
rm -rf reports/cross-validation
mkdir -p reports
MATPLOTLIBRC=scripts/matplotlibrc TQDM_DISABLE=1 .venv/bin/rasa test nlu --nlu nlu_data --config config.yml --cross-validation --folds 5 \
  --out reports/cross-validation 2>&1 | grep -vE "Deprecat|declare_namespace|pkg_resources|ParseAction|parseString|originalTextFor" || true
$PY -m bot.nlu.report reports/cross-validation
