# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Sourced, not executed.
# Everything downloaded or built lives in the cache (never inside the repo), so a
# second run on the same machine is fast; CI machines start from an empty cache.

set -euo pipefail

AISTACK_CACHE="${AISTACK_CACHE:-$HOME/.cache/aistack}"
AISTACK_STATE="${AISTACK_STATE:-$AISTACK_CACHE/state}"
export AISTACK_CACHE AISTACK_STATE
# The CLI otherwise phones home for a version check, which fails offline.
export TEMPORAL_VERSION_CHECK_DISABLED=1
# CI runs with no stdin: never let apt/dpkg ask anything.
export DEBIAN_FRONTEND=noninteractive

# shellcheck disable=SC2034  # used by the scripts that source this file
SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Logs go to stderr so scripts can print results (paths, env lines) on stdout.
log() { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "$(basename "$0" .sh)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# True if something accepts TCP connections on 127.0.0.1:$1 (bash /dev/tcp: no nc needed).
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for NAME TIMEOUT_S LOGFILE CMD...: poll CMD every 0.5s until it succeeds.
# Fails early if the process in $AISTACK_STATE/NAME.pid died, and on timeout;
# either way with the tail of the service's log so CI output shows why.
wait_for() {
  local name=$1 timeout=$2 logfile=$3; shift 3
  local deadline=$((SECONDS + timeout)) pidf="$AISTACK_STATE/$name.pid" why=""
  until "$@" >/dev/null 2>&1; do
    if [[ -f $pidf ]] && ! kill -0 "$(<"$pidf")" 2>/dev/null; then why="exited"
    elif ((SECONDS >= deadline)); then why="not ready after ${timeout}s"; fi
    if [[ -n $why ]]; then
      log "$name $why; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 2>/dev/null || true
      die "$name failed to start"
    fi
    sleep 0.5
  done
}

wait_for_port() { wait_for "$1" "$2" "$3" port_open "$4"; }

# apt_install PKG...: install Debian packages without prompts. Runs `apt-get update`
# first on machines whose package lists are empty (fresh images often ship none).
apt_install() {
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt-get update (no package lists yet)"
    apt-get update -qq >&2
  fi
  log "apt-get install $*"
  # No systemd here: keep package postinst scripts from starting services on their
  # default ports (we run our own instances), unless the image already blocks it.
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
  fi
  local rc=0
  # A stale package list gives 404s: refresh once and retry.
  apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@" >&2 ||
    { apt-get update -qq >&2 && apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@" >&2; } || rc=$?
  ((created)) && rm -f "$policy"
  return "$rc"
}
