# shellcheck shell=bash
# Sourced by start.sh, test.sh and bench.sh: what every entry point needs on a
# fresh clone. npm dependencies (onnxruntime-node would otherwise try to
# download CUDA files at install), the shared helpers, and the embedding model.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund >&2
fi
source scripts/lib.sh
EMBEDDING_MODEL_DIR="$(bash scripts/setup-model.sh)"
export EMBEDDING_MODEL_DIR
