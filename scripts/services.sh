#!/usr/bin/env bash
# Start/stop the external services that tests and dev mode need, as plain
# background processes (no systemd or Docker here), all bound to 127.0.0.1.
#   services.sh up [temporal|postgres|redis|elasticsearch|maildev ...]
#                                                   install if missing, start, wait (default: all)
#   services.sh up temporal-dev                     npm start's own file-backed Temporal server
#   services.sh down [name ...]                     stop what this script started (pid files only;
#                                                   default: the test services, not temporal-dev)
#   services.sh status                              one line per service
#   services.sh env [dev]                           export lines for the tests (or for npm start)
#   services.sh pid NAME                            pid of NAME if this script started it
# Two Temporal servers never meet: `temporal` (alias of `temporal-test`) is the
# tests' and benchmarks' in-memory server on 7243 (UI 8243); `temporal-dev` is
# npm start's, on 7233 (UI 8233), its history in $AISTACK_STATE/temporal-dev.db.
# Data, pid files and logs live in $AISTACK_STATE. A test service whose port
# already answers correctly is reused (and then left alone by `down`); the dev
# server's port is only reused if it is that same file-backed server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_TEST_PORT="${TEMPORAL_TEST_PORT:-7243}"
TEMPORAL_TEST_UI_PORT="${TEMPORAL_TEST_UI_PORT:-8243}"
TEMPORAL_DEV_PORT="${TEMPORAL_DEV_PORT:-7233}"
TEMPORAL_DEV_UI_PORT="${TEMPORAL_DEV_UI_PORT:-8233}"
TEMPORAL_DEV_DB="${TEMPORAL_DEV_DB:-$AISTACK_STATE/temporal-dev.db}"
PGPORT="${PGPORT:-54329}"
REDIS_PORT="${REDIS_PORT:-6379}"
ES_PORT="${ES_PORT:-9200}"
ES_URL="http://127.0.0.1:$ES_PORT"
# Where the Java 25 JDK is (the machine's default java is 17, too old for Elasticsearch 9).
ES_JAVA_HOME="${ES_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ES_HEAP="${ES_HEAP:-512m}"
ES_DIR="$AISTACK_STATE/elasticsearch"
MAILDEV_SMTP_PORT="${MAILDEV_SMTP_PORT:-1025}"
MAILDEV_WEB_PORT="${MAILDEV_WEB_PORT:-1080}"
MAILDEV_URL="http://127.0.0.1:$MAILDEV_WEB_PORT"
WAIT_TIMEOUT="${AISTACK_WAIT_TIMEOUT:-90}"
PG_BIN=/usr/lib/postgresql/15/bin
PGDATA_DIR="$AISTACK_STATE/postgres"
DATABASE_URL="postgres://aistack:aistack@127.0.0.1:$PGPORT/aistack"
SEARCH_ATTRIBUTES=(JobKind=Keyword JobStatus=Keyword Tenant=Keyword)
ALL=(temporal-test postgres redis elasticsearch maildev)
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
# The own session also keeps a terminal's Ctrl-C away from it: whoever started it stops it.
start_bg() {
  local name=$1; shift
  log "starting $name (log: $(logfile "$name"))"
  echo "=== $(date '+%F %T') services.sh: $*" >>"$(logfile "$name")"
  setsid "$@" </dev/null >>"$(logfile "$name")" 2>&1 &
  echo $! >"$(pidfile "$name")"
}
# "pid <n>: <command line>" of the process listening on 127.0.0.1:$1, as far as we can see.
port_owner() {
  local pid
  pid="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)" || true
  if [[ -n $pid && -r /proc/$pid/cmdline ]]; then
    echo "pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/ $//')"
  else
    echo "a process this user cannot see"
  fi
}

# --- Temporal: the tests' server and npm start's dev server ----------------------
temporal_cli() { cat "$AISTACK_STATE/temporal.bin" 2>/dev/null || true; }
temporal_ok() {
  "$(temporal_cli)" operator cluster health --address "127.0.0.1:$1" 2>/dev/null | grep -q SERVING
}
temporal_port() { case $1 in temporal-dev) echo "$TEMPORAL_DEV_PORT" ;; *) echo "$TEMPORAL_TEST_PORT" ;; esac; }
temporal_ui_port() { case $1 in temporal-dev) echo "$TEMPORAL_DEV_UI_PORT" ;; *) echo "$TEMPORAL_TEST_UI_PORT" ;; esac; }
# Why npm start must not use whatever answers on the dev port (empty: it may).
# Only the file-backed server it launches keeps runs across a restart; an
# in-memory one (left by tests or a benchmark) loses every run when it stops.
dev_port_distrust() {
  local owner; owner="$(port_owner "$TEMPORAL_DEV_PORT")"
  case $owner in
    *" start-dev "*"--db-filename $TEMPORAL_DEV_DB"*) return 0 ;;
    *" start-dev "*--db-filename*) echo "it is a Temporal dev server keeping its history in another file, not $TEMPORAL_DEV_DB" ;;
    *" start-dev "*) echo "it is a Temporal dev server without --db-filename: its history lives in memory and every run is lost when it stops" ;;
    *) echo "it is not the file-backed dev server npm start launches, so nothing says it keeps its state" ;;
  esac
  echo "  found on 127.0.0.1:$TEMPORAL_DEV_PORT: $owner"
}
up_temporal() {
  local name=$1 port ui t; port="$(temporal_port "$name")"; ui="$(temporal_ui_port "$name")"
  "$SCRIPTS_DIR/setup-temporal.sh" >"$AISTACK_STATE/temporal.bin"
  t="$(temporal_cli)"
  if ! our_pid "$name" temporal >/dev/null; then
    rm -f "$(pidfile "$name")"   # stale: its process is gone
    if [[ $name == temporal-dev ]] && port_open "$port"; then
      local why; why="$(dev_port_distrust)"
      [[ -z $why ]] || die "npm start will not run on the server at 127.0.0.1:$port: ${why}
  Stop that server, or set TEMPORAL_ADDRESS=127.0.0.1:$port to use it anyway (your choice),
  or TEMPORAL_DEV_PORT/TEMPORAL_DEV_UI_PORT to run npm start's own server on other ports."
      log "reusing npm start's dev server on 127.0.0.1:$port (history in $TEMPORAL_DEV_DB)"
    elif ! temporal_ok "$port"; then
      port_open "$port" && die "port $port is taken by something that is not Temporal ($(port_owner "$port"))"
      local args=(server start-dev --ip 127.0.0.1 --port "$port" --ui-port "$ui"
        --namespace default --log-level warn)
      # The dev server keeps history in a file; the tests' server stays in memory.
      [[ $name == temporal-dev ]] && args+=(--db-filename "$TEMPORAL_DEV_DB")
      for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
      start_bg "$name" "$t" "${args[@]}"
    fi
  fi
  wait_for "$name" "$WAIT_TIMEOUT" "$(logfile "$name")" temporal_ok "$port"
  # A reused server may lack our attributes: create the missing ones.
  local have; have="$("$t" operator search-attribute list --address "127.0.0.1:$port")"
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    grep -qw "${sa%=*}" <<<"$have" || "$t" operator search-attribute create \
      --address "127.0.0.1:$port" --name "${sa%=*}" --type "${sa#*=}" >&2
  done
  log "$name ready on 127.0.0.1:$port (UI http://127.0.0.1:$ui)"
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
  # so it gets CREATEDB (and pg_signal_backend: dropping one `with (force)` must end
  # an autovacuum worker still on it), and pgvector (not a "trusted" extension, so only a
  # superuser may create it) goes into template1 so every new database has it.
  if our_pid postgres postgres >/dev/null; then
    PGOPTIONS="-c client_min_messages=warning" \
      psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d template1 -v ON_ERROR_STOP=1 -qAt <<'SQL' >&2
CREATE EXTENSION IF NOT EXISTS vector;
SELECT 'CREATE ROLE aistack' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aistack') \gexec
ALTER ROLE aistack LOGIN CREATEDB PASSWORD 'aistack';
GRANT pg_signal_backend TO aistack;
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

# --- Elasticsearch (integ-test-zip, core modules only) -----------------------------
# `GET /` answers 405 on this distribution, so health is the cluster health API.
es_ok() { curl -fsS --max-time 2 "$ES_URL/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'; }
# Lets USER traverse (not list) each ancestor of PATH it cannot, top-down, with an ACL for that user only.
let_traverse() {
  local user=$1 d="" part parts; IFS=/ read -ra parts <<<"${2#/}"
  for part in "${parts[@]}"; do
    d="$d/$part"; setpriv --reuid="$user" --regid="$user" --clear-groups -- test -x "$d" 2>/dev/null ||
      setfacl -m "u:$user:x" "$d"
  done
}
up_elasticsearch() {
  local es_home user=aistack-es
  es_home="$("$SCRIPTS_DIR/setup-elasticsearch.sh")"
  if ! our_pid elasticsearch java >/dev/null && ! es_ok; then
    rm -f "$(pidfile elasticsearch)"
    port_open "$ES_PORT" && die "port $ES_PORT is taken by something that is not a healthy Elasticsearch ($(port_owner "$ES_PORT"))"
    [[ -x $ES_JAVA_HOME/bin/java ]] || die "no Java at ES_JAVA_HOME=$ES_JAVA_HOME (Elasticsearch 9 needs Java 21+)"
    # Elasticsearch refuses to run as root: root runs it as $user, anyone else as themselves.
    local as_user=()
    if ((EUID == 0)); then
      install -d -o "$user" -g "$user" -m 700 "$ES_DIR" "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
      let_traverse "$user" "$ES_DIR"; let_traverse "$user" "$es_home/bin"
      as_user=(setpriv --reuid="$user" --regid="$user" --init-groups --)
    else
      mkdir -p "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
    fi
    # Single node, no security (bound to 127.0.0.1 only), no disk watermarks: a
    # developer's nearly full disk must not turn the test indexes read-only.
    # The working directory is the state dir: the JVM writes gc.log and heap dumps there.
    start_bg elasticsearch "${as_user[@]}" \
      env -C "$ES_DIR" ES_JAVA_HOME="$ES_JAVA_HOME" ES_TMPDIR="$ES_DIR/tmp" \
      ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" "$es_home/bin/elasticsearch" \
      -E cluster.name=aistack -E node.name=aistack-es -E discovery.type=single-node \
      -E network.host=127.0.0.1 -E http.port="$ES_PORT" \
      -E path.data="$ES_DIR/data" -E path.logs="$ES_DIR/logs" \
      -E xpack.security.enabled=false -E xpack.ml.enabled=false \
      -E cluster.routing.allocation.disk.threshold_enabled=false
  fi
  # About 40 s on an idle machine; the shared CI cores can make it several times that.
  wait_for elasticsearch "$((WAIT_TIMEOUT > 240 ? WAIT_TIMEOUT : 240))" "$(logfile elasticsearch)" es_ok
  log "elasticsearch ready: $ES_URL"
}

# --- MailDev (SMTP + web UI + REST API) -----------------------------------------
# Its REST API answers `GET /api/email` with a JSON list; `/` is a 404 on Node 20,
# the UI lives at /index.html.
maildev_ok() { curl -fsS --max-time 2 "$MAILDEV_URL/api/email?limit=1" 2>/dev/null | grep -q '^\['; }
up_maildev() {
  local bin; bin="$("$SCRIPTS_DIR/setup-maildev.sh")"
  if ! our_pid maildev node >/dev/null && ! maildev_ok; then
    rm -f "$(pidfile maildev)"
    port_open "$MAILDEV_SMTP_PORT" && die "port $MAILDEV_SMTP_PORT is taken by something that is not MailDev ($(port_owner "$MAILDEV_SMTP_PORT"))"
    port_open "$MAILDEV_WEB_PORT" && die "port $MAILDEV_WEB_PORT is taken by something that is not MailDev ($(port_owner "$MAILDEV_WEB_PORT"))"
    # In memory, bounded: a test run or a benchmark sends thousands of messages.
    start_bg maildev node "$bin" --ip 127.0.0.1 --web-ip 127.0.0.1 \
      -s "$MAILDEV_SMTP_PORT" -w "$MAILDEV_WEB_PORT" --max-emails 20000 --silent
  fi
  wait_for maildev "$WAIT_TIMEOUT" "$(logfile maildev)" maildev_ok
  log "maildev ready: SMTP 127.0.0.1:$MAILDEV_SMTP_PORT, web UI $MAILDEV_URL/index.html"
}

# --- down / status / env ---------------------------------------------------------
exe_of() { case $1 in redis) echo redis-server ;; temporal*) echo temporal ;; elasticsearch) echo java ;; maildev) echo node ;; *) echo "$1" ;; esac; }
down_one() {
  local name=$1 pid
  if pid="$(our_pid "$name" "$(exe_of "$name")")"; then
    # SIGINT is postgres' "fast" shutdown (SIGTERM would wait for clients to leave).
    log "stopping $name (pid $pid)"
    kill -s "$([[ $name == postgres ]] && echo INT || echo TERM)" "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    # The process group too: Elasticsearch's launcher has the server JVM as its child.
    kill -0 "$pid" 2>/dev/null && { log "$name still up, SIGKILL"; kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid"; }
  fi
  rm -f "$(pidfile "$name")"
}
status_one() {
  local name=$1 pid port health
  case $name in
    temporal*) port="$(temporal_port "$name")"; health="temporal_ok $port" ;;
    postgres) port=$PGPORT; health=pg_ok ;;
    redis) port=$REDIS_PORT; health=redis_ok ;;
    elasticsearch) port=$ES_PORT; health=es_ok ;;
    maildev) port=$MAILDEV_WEB_PORT; health=maildev_ok ;;
  esac
  if pid="$(our_pid "$name" "$(exe_of "$name")")"; then
    $health && echo "$name: up (pid $pid, 127.0.0.1:$port)" || echo "$name: starting/unhealthy (pid $pid)"
  elif [[ $name == temporal-dev ]] && port_open "$port"; then
    local why; why="$(dev_port_distrust)"
    if [[ -z $why ]]; then echo "$name: up (not started here, same history file, 127.0.0.1:$port)"
    else echo "$name: down; 127.0.0.1:$port is taken and npm start would refuse it: ${why//$'\n'/;}"; fi
  elif $health; then echo "$name: up (external, 127.0.0.1:$port: $(port_owner "$port"))"
  else echo "$name: down"; fi
}
# `temporal` was the one shared server before the tests got their own.
canonical() { case $1 in temporal) echo temporal-test ;; *) echo "$1" ;; esac; }

cmd="${1:-}"; shift || true
case $cmd in
  up)
    services=("$@"); ((${#services[@]})) || services=("${ALL[@]}")
    start=$SECONDS
    for s in "${services[@]}"; do
      case $s in
        temporal | temporal-test | temporal-dev) up_temporal "$(canonical "$s")" ;;
        postgres | redis | elasticsearch | maildev) "up_$s" ;;
        *) die "unknown service: $s" ;;
      esac
    done
    log "up: ${services[*]} in $((SECONDS - start))s"
    ;;
  down)
    # A pid file named temporal.pid is the shared server of the old layout (port 7233).
    services=("$@"); ((${#services[@]})) || services=("${ALL[@]}" temporal)
    for s in "${services[@]}"; do down_one "$s"; done
    ;;
  status) for s in temporal-test temporal-dev postgres redis elasticsearch maildev; do status_one "$s"; done ;;
  pid) our_pid "$(canonical "${1:?usage: $0 pid NAME}")" "$(exe_of "$(canonical "$1")")" ;;
  env)
    if [[ ${1:-} == dev ]]; then
      echo "export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_DEV_PORT"
      echo "export TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_DEV_UI_PORT"
      exit 0
    fi
    echo "export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_TEST_PORT"
    echo "export TEMPORAL_NAMESPACE=default"
    echo "export TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_TEST_UI_PORT"
    [[ -n $(temporal_cli) ]] && echo "export TEMPORAL_CLI=$(temporal_cli)"
    echo "export TEMPORAL_VERSION_CHECK_DISABLED=1"
    echo "export DATABASE_URL=$DATABASE_URL"
    echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    echo "export ELASTICSEARCH_URL=$ES_URL"
    echo "export SMTP_URL=smtp://127.0.0.1:$MAILDEV_SMTP_PORT"
    echo "export MAIL_UI_URL=$MAILDEV_URL"
    ;;
  *) echo "usage: $0 up [temporal|temporal-dev|postgres|redis|elasticsearch|maildev ...] | down [name ...] | status | env [dev] | pid NAME" >&2; exit 2 ;;
esac
