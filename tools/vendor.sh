#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry (pinned versions; no CDN at run time).
# Run by hand when bumping a version (`make vendor`), then commit patrimoine/static/vendor/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/patrimoine/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent htmx.org@2.0.11 axe-core@4.14.1
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$dest/htmx.LICENSE"
# axe-core is for the accessibility tests only: it is never served to users.
tests="$here/patrimoine/tests/vendor"
mkdir -p "$tests"
cp node_modules/axe-core/axe.min.js "$tests/axe.min.js"
cp node_modules/axe-core/LICENSE "$tests/axe.LICENSE"
echo "vendored into $dest:"; ls -la "$dest"
