#!/usr/bin/env bash
# Re-extract src/psdata/reporting/vendor/: Lighthouse's own report renderer and the facts
# psdata's reports take from Lighthouse.
#
# The npm package lighthouse@12.2.3 (Apache-2.0) ships its report renderer built:
# dist/report/standalone.js with the page around it, report/assets/standalone-template.html
# (what Lighthouse's ReportGenerator.generateReportHtml fills in). They are copied
# unmodified, with the package's LICENSE. lighthouse-facts.json is written by
# scripts/lighthouse_report_facts.mjs from the same package (default config, en-US
# strings, presets). The package is installed in a temporary directory; nothing else of
# it is kept. Run it again to reproduce the committed files:
#     bash scripts/vendor_lighthouse_report.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The version psdata follows, from its facts module (scripts/setup.sh makes .venv).
LIGHTHOUSE_VERSION=$(.venv/bin/python -c "from psdata._lighthouse import LIGHTHOUSE_VERSION as v; print(v)")
OUT_DIR=src/psdata/reporting/vendor

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --silent --save-exact "lighthouse@${LIGHTHOUSE_VERSION}"
)
pkg="$work/node_modules/lighthouse"
installed=$(node -p "require('$pkg/package.json').version")
[ "$installed" = "$LIGHTHOUSE_VERSION" ] || { echo "got lighthouse $installed" >&2; exit 1; }

cp "$pkg/dist/report/standalone.js" "$OUT_DIR/standalone.js"
cp "$pkg/report/assets/standalone-template.html" "$OUT_DIR/standalone-template.html"
cp "$pkg/LICENSE" "$OUT_DIR/LICENSE"
node scripts/lighthouse_report_facts.mjs "$pkg" > "$OUT_DIR/lighthouse-facts.json"
sha256sum "$OUT_DIR/standalone.js" "$OUT_DIR/standalone-template.html" "$OUT_DIR/lighthouse-facts.json"
