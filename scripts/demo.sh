#!/usr/bin/env bash
# One command from a fresh clone to a running demo on the embedded SQLite
# database: installs everything, loads the demo data, runs month end (imports,
# rating, billing, PDFs, emails written to storage/mail), then builds the app and
# serves the BUILT app in production mode (no stack traces, no dev tooling).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
bash scripts/prepare-env.sh

node ace tollgate:demo --fresh

echo
echo "== building the app for production (node ace build)"
node ace build

# The built app's root is build/: paths in .env that are relative to the clone move one level up.
set -a
# shellcheck disable=SC1091
. ./.env
set +a
rel() { case "$1" in /*) echo "$1" ;; *) echo "../${1#./}" ;; esac; }
export NODE_ENV=production
export SQLITE_PATH="$(rel "${SQLITE_PATH:-tmp/tollgate.sqlite3}")"
export STORAGE_PATH="$(rel "${STORAGE_PATH:-storage}")"
[ -n "${TEMPLATE_OVERRIDES:-}" ] && export TEMPLATE_OVERRIDES="$(cd "$(dirname "$TEMPLATE_OVERRIDES")" 2>/dev/null && pwd)/$(basename "$TEMPLATE_OVERRIDES")"

echo
echo "Admin UI: http://localhost:${PORT:-3333}  (admin@tollgate.local / tollgate-demo), production mode"
cd build
exec node bin/server.js
