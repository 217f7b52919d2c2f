#!/usr/bin/env bash
# Build src/psdata/engines/lab/lantern/vendor/lantern.mjs: Lantern (Lighthouse's simulated-throttling
# model) from the DevTools trace engine, bundled into one ES module.
#
# Lighthouse (the version in src/psdata/_lighthouse.py) runs Lantern from npm
# @paulirish/trace_engine 0.0.32 (BSD-3-Clause), entry models/trace/lantern/lantern.js.
# This script installs exactly that version and
# esbuild (a build tool only; nothing of it is committed) in a temporary directory and
# bundles the entry with what it imports. Run it again to reproduce the committed file:
#     bash scripts/build_lantern.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TRACE_ENGINE_VERSION=0.0.32
ESBUILD_VERSION=0.24.2
OUT_DIR=src/psdata/engines/lab/lantern/vendor

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --silent --save-exact \
    "@paulirish/trace_engine@${TRACE_ENGINE_VERSION}" "esbuild@${ESBUILD_VERSION}"
)
pkg="$work/node_modules/@paulirish/trace_engine"
installed=$(node -p "require('$pkg/package.json').version")
[ "$installed" = "$TRACE_ENGINE_VERSION" ] || { echo "got trace_engine $installed" >&2; exit 1; }

"$work/node_modules/.bin/esbuild" "$pkg/models/trace/lantern/lantern.js" \
  --bundle --format=esm --platform=neutral --target=es2022 \
  --minify --keep-names --legal-comments=none \
  --banner:js="// Lantern from @paulirish/trace_engine ${TRACE_ENGINE_VERSION} (BSD-3-Clause, see LICENSE); bundled by scripts/build_lantern.sh with esbuild ${ESBUILD_VERSION}." \
  --outfile="$OUT_DIR/lantern.mjs"
cp "$pkg/LICENSE" "$OUT_DIR/LICENSE"
sha256sum "$OUT_DIR/lantern.mjs"
