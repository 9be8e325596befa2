#!/usr/bin/env bash
# Creates .env from .env.example with a fresh APP_KEY when there is none yet.
set -euo pipefail
if [ ! -f .env ]; then
  cp .env.example .env
  key=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))")
  sed -i "s/^APP_KEY=.*/APP_KEY=${key}/" .env
  echo "wrote .env (SQLite at tmp/tollgate.sqlite3)"
fi
mkdir -p tmp storage
