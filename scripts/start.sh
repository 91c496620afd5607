#!/usr/bin/env bash
# `npm start`: the whole platform on embedded defaults, from a fresh clone.
# npm start's own Temporal dev server (history kept in a file), worker and API in
# one process over PGlite, sample documents ingested; prints the API and Temporal
# UI URLs, and MailDev for the mail it sends. Ctrl-C stops all of it, the dev
# server and MailDev too if this run launched them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare.sh

# Only a server that keeps its history survives a restart with the runs on it:
# npm start uses its own file-backed dev server (services.sh refuses any other
# server on its port), unless the user names one with TEMPORAL_ADDRESS.
launched_temporal=""
launched_maildev=""
stop_services() {
  if [[ -n $launched_temporal ]]; then
    bash scripts/services.sh down temporal-dev || true
    launched_temporal=""
  fi
  if [[ -n $launched_maildev ]]; then
    bash scripts/services.sh down maildev || true
    launched_maildev=""
  fi
}
trap stop_services EXIT
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

# MailDev catches what the platform sends, so a person sees it in its web UI; SMTP_URL names a real relay instead.
if [[ -n ${SMTP_URL:-} ]]; then
  log "mail: $SMTP_URL, from SMTP_URL (npm start neither starts nor stops it)"
else
  bash scripts/services.sh pid maildev >/dev/null || launched_maildev=yes
  bash scripts/services.sh up maildev
  bash scripts/services.sh pid maildev >/dev/null || launched_maildev=""
  export SMTP_URL=smtp://127.0.0.1:${MAILDEV_SMTP_PORT:-1025}
  export MAIL_UI_URL=http://127.0.0.1:${MAILDEV_WEB_PORT:-1080}
  export EMAIL_DELIVERY_CHECK_URL=${EMAIL_DELIVERY_CHECK_URL:-$MAIL_UI_URL}
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
stop_services
exit "$status"
