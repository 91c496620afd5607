#!/usr/bin/env bash
# Ensure MailDev (npm `maildev`, pinned): the development and test SMTP server
# with a web UI and a REST API. Installed into the cache, not the project: it is a
# service beside the platform (like Redis), and its 265 packages stay out of our lockfile.
# Prints the path of its executable.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAILDEV_VERSION=3.0.0
dir="$AISTACK_CACHE/maildev-$MAILDEV_VERSION"
bin="$dir/node_modules/.bin/maildev"
if [[ ! -x $bin ]]; then
  log "installing maildev $MAILDEV_VERSION into $dir"
  mkdir -p "$dir"
  # Some of its web packages declare node >=22 but run on 20 (seen here): the warnings are expected.
  npm install --no-audit --no-fund --loglevel=error --prefix "$dir" "maildev@$MAILDEV_VERSION" >&2
fi
echo "$bin"
