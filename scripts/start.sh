#!/usr/bin/env bash
# `npm start`: the whole platform on embedded defaults, from a fresh clone.
# Temporal dev server (history kept in a file), worker and API in one process
# over PGlite, sample documents ingested; prints the API and Temporal UI URLs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare.sh
export TEMPORAL_DB_FILE="${TEMPORAL_DB_FILE:-$AISTACK_STATE/temporal-dev.db}"
bash scripts/services.sh up temporal
exec node --import tsx scripts/dev.ts
