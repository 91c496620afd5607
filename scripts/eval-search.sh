#!/usr/bin/env bash
# `npm run eval:search`: nDCG@10 and recall@10 of the search service on the judged
# set, per engine and mode (scripts/eval-search.ts). Starts PostgreSQL and
# Elasticsearch the way scripts/bench.sh does; not a test, nothing here runs in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare.sh
bash scripts/services.sh up postgres elasticsearch
eval "$(bash scripts/services.sh env)"
export TEST_DATABASE_URL="$DATABASE_URL"
unset DATABASE_URL
exec node --import tsx scripts/eval-search.ts
