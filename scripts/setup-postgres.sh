#!/usr/bin/env bash
# Ensure PostgreSQL 15 server binaries and the pgvector extension for it.
# pgvector has no Debian 12 binary package, so we build Debian trixie's *source*
# package against postgresql-server-dev-15 (takes seconds). Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN=/usr/lib/postgresql/15/bin
PG_CONFIG=$PG_BIN/pg_config
TRIXIE_SRC_LIST=/etc/apt/sources.list.d/trixie-src.list

# 1. Server + server headers (pg_config and pgxs ship with the client package, but
# postgres.h only with postgresql-server-dev-15, so test for the header).
need=()
[[ -x $PG_BIN/postgres && -x $PG_BIN/initdb ]] || need+=(postgresql-15 postgresql-client-15)
[[ -f /usr/include/postgresql/15/server/postgres.h ]] || need+=(postgresql-server-dev-15)
command -v make >/dev/null && command -v gcc >/dev/null || need+=(build-essential)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)   # `apt-get source` unpacks with it
# services.sh keeps the cluster under root's cache dir (mode 700); setfacl lets the
# postgres user traverse it without opening it to everyone.
command -v setfacl >/dev/null || need+=(acl)
((${#need[@]} == 0)) || apt_install "${need[@]}"

ext_dir="$("$PG_CONFIG" --sharedir)/extension"
if [[ -f $ext_dir/vector.control ]]; then
  log "pgvector already installed ($(grep default_version "$ext_dir/vector.control"))"
  exit 0
fi

# 2. Source line for trixie, reusing the mirror this machine already uses for its
# own release (we never invent a host). deb-src only: no trixie binaries can be
# installed from it.
debian_mirror() {
  local codename; codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  # deb822 *.sources stanzas: first URI of a stanza whose Suites include our codename.
  awk -v cn="$codename" '
    function flush() { if (uri != "" && found) { print uri; exit } uri = ""; found = 0 }
    /^[[:space:]]*$/ { flush(); next }
    tolower($1) == "uris:"   { uri = $2 }
    tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == cn) found = 1 }
    END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | grep . && return
  # One-line format: deb [opts] URI SUITE COMPONENTS...
  sed -E 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v cn="$codename" '$1 == "deb" && $3 == cn { print $2; exit }' | grep .
}
if [[ ! -f $TRIXIE_SRC_LIST ]]; then
  mirror="$(debian_mirror)" || die "cannot find the Debian mirror in /etc/apt sources"
  log "adding deb-src $mirror trixie main -> $TRIXIE_SRC_LIST"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
    >"$TRIXIE_SRC_LIST"
  apt-get update -qq >&2
fi

# 3. Fetch (cached) and build. Fetch into a temp dir and move it into place, so an
# interrupted download is never taken for a cached one. Run as root, apt warns that
# its _apt sandbox user cannot write there and downloads as root: harmless.
src="$AISTACK_CACHE/src/pgvector"
mkdir -p "$src"
dir="$(find "$src" -maxdepth 1 -type d -name 'pgvector-*' | sort -V | tail -n1)"
if [[ -z $dir ]]; then
  log "apt-get source pgvector (trixie)"
  tmp="$(mktemp -d "$src/.fetch.XXXXXX")"
  fetch() { (cd "$tmp" && apt-get source -t trixie pgvector) >"$tmp/apt-source.log" 2>&1; }
  # Stale source lists: refresh once and retry.
  fetch || { apt-get update -qq >&2 && fetch; } ||
    { cat "$tmp/apt-source.log" >&2; die "apt-get source pgvector failed"; }
  mv "$tmp"/pgvector* "$tmp/apt-source.log" "$src/" && rmdir "$tmp"
  dir="$(find "$src" -maxdepth 1 -type d -name 'pgvector-*' | sort -V | tail -n1)"
fi
[[ $(basename "$dir") == pgvector-0.8.* ]] || log "warning: expected pgvector 0.8.x, got $dir"
log "building $(basename "$dir") for PostgreSQL 15"
# with_llvm=no skips the JIT bitcode (clang), cutting the build from ~30s to ~10s;
# the server simply does not inline pgvector functions in JIT-compiled queries.
mk=(make -C "$dir" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" with_llvm=no)
"${mk[@]}" >&2
"${mk[@]}" install >&2
[[ -f $ext_dir/vector.control ]] || die "pgvector install did not produce vector.control"
log "pgvector installed ($(grep default_version "$ext_dir/vector.control"))"
