#!/usr/bin/env bash
# `npm start`: the whole platform on embedded defaults, from a fresh clone.
# npm start's own Temporal dev server (history kept in a file), worker and API in
# one process over PGlite, sample documents ingested; prints the API and Temporal
# UI URLs. Ctrl-C stops all of it, the dev server too if this run launched it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare.sh

# Only a server that keeps its history survives a restart with the runs on it:
# npm start uses its own file-backed dev server (services.sh refuses any other
# server on its port), unless the user names one with TEMPORAL_ADDRESS.
launched_temporal=""
stop_temporal() {
  if [[ -n $launched_temporal ]]; then
    bash scripts/services.sh down temporal-dev || true
    launched_temporal=""
  fi
}
trap stop_temporal EXIT
if [[ -n ${TEMPORAL_ADDRESS:-} ]]; then
  log "Temporal: $TEMPORAL_ADDRESS, from TEMPORAL_ADDRESS (your choice: npm start neither starts nor stops it)"
else
  bash scripts/services.sh pid temporal-dev >/dev/null || launched_temporal=yes
  bash scripts/services.sh up temporal-dev
  # A dev server this run found already running (another npm start) is left running.
  bash scripts/services.sh pid temporal-dev >/dev/null || launched_temporal=""
  eval "$(bash scripts/services.sh env dev)"
  log "Temporal: npm start's own dev server on $TEMPORAL_ADDRESS, history in ${TEMPORAL_DEV_DB:-$AISTACK_STATE/temporal-dev.db}"
fi

# Not exec: this shell stays to stop the dev server once node is gone. Node runs
# in the background so a TERM sent to this shell alone (e.g. by npm) can be
# passed on; a terminal's Ctrl-C reaches node directly (same process group), and
# dev.ts takes a repeat of the same signal within a second as that one Ctrl-C.
node --import tsx scripts/dev.ts &
node_pid=$!
forward() { kill -s "$1" "$node_pid" 2>/dev/null || true; }
trap 'forward INT' INT
trap 'forward TERM' TERM
# `wait` returns early when a trapped signal arrives: wait again until node is gone.
while kill -0 "$node_pid" 2>/dev/null; do wait "$node_pid" || true; done
wait "$node_pid" && status=0 || status=$?
stop_temporal
exit "$status"
