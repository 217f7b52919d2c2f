#!/usr/bin/env bash
# Record the Lighthouse 12.2.3 reports of tests/fixtures/lighthouse-runs/: repeated runs of
# psdata's demo pages, the input of the Lighthouse CI comparison (tests/test_check_lhci.py).
# Lighthouse comes from bench/ (npm ci there, pinned), Chromium is the one psdata finds, the
# demo site is served on 127.0.0.1:18791. Run from the repository root: it rewrites the folder.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=tests/fixtures/lighthouse-runs
PORT=18791
(cd bench && npm ci --no-audit --no-fund --silent)
CHROME_PATH=$(.venv/bin/python -c "import psdata; print(psdata.find_chromium())")
export CHROME_PATH
FLAGS="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"

.venv/bin/python -c "
import time, psdata
with psdata.serve_demo_site(port=$PORT):
    time.sleep(3600)
" &
SERVER=$!
trap 'kill $SERVER' EXIT
sleep 2

mkdir -p "$OUT"
rm -f "$OUT"/*.json.gz
# page  form-factor  throttling  runs
while read -r page form method runs; do
  preset=()
  [ "$form" = desktop ] && preset=(--preset=desktop)
  for run in $(seq 1 "$runs"); do
    name="$OUT/${page%.html}-$form-$method-run$run.json"
    node bench/node_modules/lighthouse/cli/index.js "http://127.0.0.1:$PORT/$page" \
      --output=json --output-path="$name" --quiet --chrome-flags="$FLAGS" \
      --throttling-method="$method" --disable-full-page-screenshot "${preset[@]}"
    gzip -9 -n "$name"
    echo "recorded $name.gz"
  done
done <<'RUNS'
render-blocking.html mobile simulate 3
long-tasks.html mobile devtools 2
a11y-seo.html desktop simulate 1
RUNS
