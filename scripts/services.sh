#!/usr/bin/env bash
# Start/stop the external services that tests and dev mode need, as plain
# background processes (no systemd or Docker here), all bound to 127.0.0.1.
#   services.sh up [temporal|postgres|redis ...]   install if missing, start, wait (default: all)
#   services.sh down                                stop what this script started (pid files only)
#   services.sh status                              one line per service
#   services.sh env                                 export lines for the app and tests
# Data, pid files and logs live in $AISTACK_STATE. A port that already answers
# correctly is reused (and then left alone by `down`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
PGPORT="${PGPORT:-54329}"
REDIS_PORT="${REDIS_PORT:-6379}"
WAIT_TIMEOUT="${AISTACK_WAIT_TIMEOUT:-90}"
PG_BIN=/usr/lib/postgresql/15/bin
PGDATA_DIR="$AISTACK_STATE/postgres"
DATABASE_URL="postgres://aistack:aistack@127.0.0.1:$PGPORT/aistack"
SEARCH_ATTRIBUTES=(JobKind=Keyword JobStatus=Keyword Tenant=Keyword)
ALL=(temporal postgres redis)
mkdir -p "$AISTACK_STATE"

pidfile() { echo "$AISTACK_STATE/$1.pid"; }
logfile() { echo "$AISTACK_STATE/$1.log"; }
# Pid from our pid file, only if that process is alive and still the expected
# program (guards against a recycled pid after a reboot or crash).
our_pid() {
  local f pid; f="$(pidfile "$1")"; [[ -f $f ]] || return 1
  pid="$(<"$f")"
  [[ -r /proc/$pid/comm ]] && [[ $(<"/proc/$pid/comm") == "$2"* ]] && echo "$pid"
}
# start_bg NAME CMD...: detached (own session, no stdin), output to the log file.
start_bg() {
  local name=$1; shift
  log "starting $name (log: $(logfile "$name"))"
  echo "=== $(date '+%F %T') services.sh: $*" >>"$(logfile "$name")"
  setsid "$@" </dev/null >>"$(logfile "$name")" 2>&1 &
  echo $! >"$(pidfile "$name")"
}

# --- Temporal dev server -----------------------------------------------------
temporal_cli() { cat "$AISTACK_STATE/temporal.bin" 2>/dev/null || true; }
temporal_ok() {
  "$(temporal_cli)" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null |
    grep -q SERVING
}
up_temporal() {
  "$SCRIPTS_DIR/setup-temporal.sh" >"$AISTACK_STATE/temporal.bin"
  local t; t="$(temporal_cli)"
  if ! our_pid temporal temporal >/dev/null && ! temporal_ok; then
    port_open "$TEMPORAL_PORT" && die "port $TEMPORAL_PORT is taken by something that is not Temporal"
    local args=(server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT"
      --ui-port "$TEMPORAL_UI_PORT" --namespace default --log-level warn)
    # Dev mode passes a file to keep history across restarts; tests stay in memory.
    [[ -n ${TEMPORAL_DB_FILE:-} ]] && args+=(--db-filename "$TEMPORAL_DB_FILE")
    for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
    start_bg temporal "$t" "${args[@]}"
  fi
  wait_for temporal "$WAIT_TIMEOUT" "$(logfile temporal)" temporal_ok
  # A reused server may lack our attributes: create the missing ones.
  local have; have="$("$t" operator search-attribute list --address "127.0.0.1:$TEMPORAL_PORT")"
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    grep -qw "${sa%=*}" <<<"$have" || "$t" operator search-attribute create \
      --address "127.0.0.1:$TEMPORAL_PORT" --name "${sa%=*}" --type "${sa#*=}" >&2
  done
  log "temporal ready on 127.0.0.1:$TEMPORAL_PORT (UI http://127.0.0.1:$TEMPORAL_UI_PORT)"
}

# --- PostgreSQL 15 + pgvector --------------------------------------------------
# postgres refuses to run as root: everything server-side runs as the postgres user.
AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --)   # exec, no fork
as_pg() { "${AS_PG[@]}" "$@"; }
pg_ok() { psql "$DATABASE_URL" -Atqc 'select 1' >/dev/null 2>&1; }
up_postgres() {
  "$SCRIPTS_DIR/setup-postgres.sh"
  if ! our_pid postgres postgres >/dev/null && ! pg_ok; then
    port_open "$PGPORT" && die "port $PGPORT is taken by something that does not accept $DATABASE_URL"
    id postgres >/dev/null 2>&1 ||
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    # The state dir may sit under root's 700 home: let postgres traverse (not list)
    # each ancestor it cannot, top-down, with an ACL for that user only.
    local d="" part parts; IFS=/ read -ra parts <<<"${AISTACK_STATE#/}"
    for part in "${parts[@]}"; do
      d="$d/$part"; as_pg test -x "$d" 2>/dev/null || setfacl -m u:postgres:x "$d"
    done
    if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
      log "initdb $PGDATA_DIR"
      install -d -o postgres -g postgres -m 700 "$PGDATA_DIR"
      # Trust auth is fine: the cluster only listens on 127.0.0.1 and has no socket.
      as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >>"$(logfile postgres)" 2>&1
    fi
    start_bg postgres "${AS_PG[@]}" "$PG_BIN/postgres" -D "$PGDATA_DIR" -p "$PGPORT" \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories=
  fi
  wait_for postgres "$WAIT_TIMEOUT" "$(logfile postgres)" \
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"
  # Idempotent provisioning as superuser (skipped when reusing a foreign server
  # that already accepts our URL). Test suites create scratch databases as aistack,
  # so it gets CREATEDB, and pgvector (not a "trusted" extension, so only a
  # superuser may create it) goes into template1 so every new database has it.
  if our_pid postgres postgres >/dev/null; then
    PGOPTIONS="-c client_min_messages=warning" \
      psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d template1 -v ON_ERROR_STOP=1 -qAt <<'SQL' >&2
CREATE EXTENSION IF NOT EXISTS vector;
SELECT 'CREATE ROLE aistack' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aistack') \gexec
ALTER ROLE aistack LOGIN CREATEDB PASSWORD 'aistack';
\c postgres
SELECT 'CREATE DATABASE aistack OWNER aistack'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'aistack') \gexec
\c aistack
CREATE EXTENSION IF NOT EXISTS vector;
SQL
  fi
  pg_ok || die "postgres is up but $DATABASE_URL does not answer"
  log "postgres ready: $DATABASE_URL"
}

# --- Redis ---------------------------------------------------------------------
redis_ok() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
up_redis() {
  "$SCRIPTS_DIR/setup-redis.sh"
  if ! our_pid redis redis-server >/dev/null && ! redis_ok; then
    port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that is not Redis"
    # No persistence: the cache is disposable. dir= keeps stray files out of cwd.
    start_bg redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize no \
      --save '' --appendonly no --dir "$AISTACK_STATE"
  fi
  wait_for redis "$WAIT_TIMEOUT" "$(logfile redis)" redis_ok
  log "redis ready on 127.0.0.1:$REDIS_PORT"
}

# --- down / status / env ---------------------------------------------------------
exe_of() { case $1 in redis) echo redis-server ;; *) echo "$1" ;; esac; }
down_one() {
  local name=$1 pid
  if pid="$(our_pid "$name" "$(exe_of "$name")")"; then
    # SIGINT is postgres' "fast" shutdown (SIGTERM would wait for clients to leave).
    log "stopping $name (pid $pid)"
    kill -s "$([[ $name == postgres ]] && echo INT || echo TERM)" "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { log "$name still up, SIGKILL"; kill -9 "$pid"; }
  fi
  rm -f "$(pidfile "$name")"
}
status_one() {
  local name=$1 pid health
  case $name in
    temporal) port=$TEMPORAL_PORT; health=temporal_ok ;;
    postgres) port=$PGPORT; health=pg_ok ;;
    redis) port=$REDIS_PORT; health=redis_ok ;;
  esac
  if pid="$(our_pid "$name" "$(exe_of "$name")")"; then
    $health && echo "$name: up (pid $pid, 127.0.0.1:$port)" || echo "$name: starting/unhealthy (pid $pid)"
  elif $health; then echo "$name: up (external, 127.0.0.1:$port)"
  else echo "$name: down"; fi
}

cmd="${1:-}"; shift || true
case $cmd in
  up)
    services=("$@"); ((${#services[@]})) || services=("${ALL[@]}")
    start=$SECONDS
    for s in "${services[@]}"; do
      case $s in temporal | postgres | redis) "up_$s" ;; *) die "unknown service: $s" ;; esac
    done
    log "up: ${services[*]} in $((SECONDS - start))s"
    ;;
  down) for s in "${ALL[@]}"; do down_one "$s"; done ;;
  status) for s in "${ALL[@]}"; do status_one "$s"; done ;;
  env)
    echo "export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT"
    echo "export TEMPORAL_NAMESPACE=default"
    echo "export TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_UI_PORT"
    [[ -n $(temporal_cli) ]] && echo "export TEMPORAL_CLI=$(temporal_cli)"
    echo "export TEMPORAL_VERSION_CHECK_DISABLED=1"
    echo "export DATABASE_URL=$DATABASE_URL"
    echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  *) echo "usage: $0 up [temporal|postgres|redis ...] | down | status | env" >&2; exit 2 ;;
esac
