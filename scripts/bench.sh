#!/usr/bin/env bash
# `npm run bench:<name>`: runs bench/<name>.ts with the services it needs.
# Benchmarks are not tests: nothing here runs in `npm test` or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: scripts/bench.sh <name>}"
source scripts/prepare.sh
# The tests' Temporal server (in memory, port 7243), never the one npm start uses.
bash scripts/services.sh up temporal postgres redis elasticsearch maildev
eval "$(bash scripts/services.sh env)"
export TEST_DATABASE_URL="$DATABASE_URL"
unset DATABASE_URL
exec node --import tsx "bench/$name.ts"
