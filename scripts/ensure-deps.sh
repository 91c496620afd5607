# shellcheck shell=bash
# Sourced by start.sh and test.sh: installs npm dependencies on a fresh clone.
# onnxruntime-node would otherwise try to download CUDA files at install time.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund >&2
fi
