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
# OCR for scanned documents (Tesseract, poppler); optional: without it scans fail with E_NO_TEXT.
bash scripts/setup-ocr.sh || log "OCR tools not installed: scanned documents will fail with E_NO_TEXT"
