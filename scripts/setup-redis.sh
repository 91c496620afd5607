#!/usr/bin/env bash
# Ensure redis-server (Debian 12 ships Redis 7.0). services.sh runs it as a plain
# background process; the package's own init script is kept from starting it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if command -v redis-server >/dev/null; then
  log "using $(command -v redis-server) ($(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/'))"
  exit 0
fi
# redis-tools (redis-cli) comes with it; services.sh uses it for health checks.
apt_install redis-server
log "installed $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/')"
