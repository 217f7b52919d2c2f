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

# The pinned Node packages some tests run, each installed exactly from its lock file
# (node_modules is git-ignored), and only when missing or older than the lock file:
# tests/lhci, Lighthouse CI's assertion code (tests/test_check_lhci.py); bench/,
# Lighthouse 12.2.3, the benchmarks' reference, whose ReportGenerator the report tests
# feed psdata's reports to (tests/test_report.py).
if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "No npm: installing Debian's nodejs and npm packages..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
for dir in tests/lhci bench; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] \
      || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
done
.venv/bin/python -c "import psdata; print('psdata', psdata.__version__, 'will use', psdata.find_chromium())"
