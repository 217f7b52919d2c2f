#!/usr/bin/env bash
# Set up psdata in ./.venv: the package with its test tools, and a Chromium to measure with.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# A Chromium: psdata's own search first (PSDATA_CHROMIUM, Playwright's build, the system's).
if ! .venv/bin/python -c "import psdata; psdata.find_chromium()" 2>/dev/null; then
  echo "No Chromium yet: trying Playwright's download..."
  if ! timeout 600 .venv/bin/python -m playwright install chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      echo "Playwright's download is unreachable: installing Debian's chromium package..."
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
  fi
fi

# Lighthouse 12.2.3 from npm, pinned by bench/package-lock.json (node_modules is not
# committed): the benchmarks' reference, and the report tests feed psdata's reports to its
# ReportGenerator. Only installed when missing or not the pinned version.
if ! node -e "process.exit(require('./bench/node_modules/lighthouse/package.json').version === '12.2.3' ? 0 : 1)" 2>/dev/null; then
  (cd bench && npm ci --no-audit --no-fund --silent)
fi
.venv/bin/python -c "import psdata; print('psdata', psdata.__version__, 'will use', psdata.find_chromium())"
