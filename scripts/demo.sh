#!/usr/bin/env bash
# One command from a fresh clone to a running demo on the embedded SQLite
# database: installs everything, loads the demo data, runs month end (imports,
# rating, billing, PDFs, emails written to storage/mail), then serves the admin UI.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
bash scripts/prepare-env.sh

node ace tollgate:demo --fresh
echo
echo "Admin UI: http://localhost:3333  (admin@tollgate.local / tollgate-demo)"
exec node ace serve
