#!/usr/bin/env bash
# Ensure an Elasticsearch distribution is unpacked in the cache, owned by the
# non-root user that runs it, and print its home directory on stdout (logs go to
# stderr). The distribution is Maven Central's integ-test-zip: a real server with
# only the core modules (no ingest plugins, no painless, no analysis-common), which
# is all the adapter uses: Chinese is segmented by jieba in Node into
# whitespace-analysed fields. A second run only checks the stamp.
#
#   ES_HOME="$(bash scripts/setup-elasticsearch.sh)"
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ES_VERSION="${ES_VERSION:-9.5.4}"
ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
# Elasticsearch refuses to run as root: root runs it as this user (services.sh),
# anyone else as themselves.
ES_USER="${ES_USER:-aistack-es}"
es_home="$AISTACK_CACHE/elasticsearch-$ES_VERSION"

if ((EUID == 0)) && ! id "$ES_USER" >/dev/null 2>&1; then
  log "creating user $ES_USER"
  useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
fi

if [[ ! -x $es_home/bin/elasticsearch ]]; then
  command -v mvn >/dev/null || apt_install maven
  mkdir -p "$AISTACK_CACHE"
  # Built beside its final place, so the last step is one rename on the same disk.
  work="$(mktemp -d "$AISTACK_CACHE/.elasticsearch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log "fetching $ARTIFACT with mvn (about 100 MB)"
  # The registry's version list stops at 8.19.x, yet 9.x is served: ask for the file itself.
  mvn -q -B dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$work/zip" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2 || die "could not fetch $ARTIFACT"
  zip="$(ls "$work"/zip/*.zip)"
  if command -v unzip >/dev/null; then unzip -q "$zip" -d "$work/out"
  else python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$work/out"; fi
  # The zip holds one top directory, elasticsearch-<version>; zipfile drops exec bits.
  top="$(ls -d "$work"/out/elasticsearch-*)"
  chmod -R u+rwX,go+rX "$top"
  chmod +x "$top"/bin/*
  [[ -d $top/jdk/bin ]] && chmod +x "$top"/jdk/bin/*
  rm -rf "$es_home"
  mv "$top" "$es_home"
  log "elasticsearch $ES_VERSION unpacked in $es_home"
fi

# The server writes its keystore and a few temp files into config/.
((EUID == 0)) && chown -R "$ES_USER:" "$es_home/config"
echo "$es_home"
