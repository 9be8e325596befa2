#!/usr/bin/env bash
# One command from a fresh clone to the full test suite on MySQL/MariaDB:
# installs everything, builds once, type-checks the server and the Vue pages, runs every suite on
# MariaDB, then the migrations and a smoke test on the embedded SQLite default.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh
bash scripts/ensure-mysql.sh
npm ci --no-audit --no-fund
bash scripts/prepare-env.sh

echo "== build (type-checks the app and bundles the admin UI)"
node ace build

echo "== type-check the server code and the Vue pages of the admin UI (vue-tsc)"
npm run typecheck
# Folder dependencies (no cycles, app/lib a leaf, no capability reaching into the HTTP layer).
npm run lint:architecture
# No function in app/ over 80 lines: one long enough to need section comments wants to be split into
# functions whose names say what each part does (issue #16, docs/conventions.md).
npm run lint:functions

echo "== lint (ESLint with @adonisjs/eslint-config) and format check (Prettier with @adonisjs/prettier-config)"
npm run lint
npm run format:check

echo "== all suites on MariaDB"
DB_CONNECTION=mysql DB_DATABASE=tollgate_test node ace test

echo "== security checks against the production build (NODE_ENV=production, docs/security.md)"
node scripts/production-checks.mjs

echo "== migrations, and the suites that must hold on both databases, on SQLite"
rm -f tmp/ci-smoke.sqlite3
DB_CONNECTION=sqlite SQLITE_PATH=tmp/ci-smoke.sqlite3 node ace test functional $(sed -e 's/^/--files=/' scripts/sqlite-suites.txt | tr '\n' ' ')

echo "== the demo's month end on SQLite (README's first command, without serving the UI)"
rm -rf tmp/ci-demo.sqlite3 tmp/ci-demo-storage
DB_CONNECTION=sqlite SQLITE_PATH=tmp/ci-demo.sqlite3 STORAGE_PATH=tmp/ci-demo-storage node ace tollgate:demo --fresh
