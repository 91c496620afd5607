#!/usr/bin/env bash
# Installs schemathesis (PyPI, pinned) into a cached venv for the OpenAPI contract
# suite (test/contract/schemathesis.test.ts) and prints the path of its `st`.
# Idempotent: a second run only checks that the pinned version answers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
# Hypothesis crashed under this machine's Python 3.11.7 ("SystemError: AST constructor
# recursion depth mismatch", a CPython bug); a newer interpreter is preferred where there is one.
python=""
shopt -s nullglob
for candidate in ${SCHEMATHESIS_PYTHON:-} python3.13 python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    python=$candidate
    break
  fi
done
[[ -n $python ]] || die "schemathesis needs Python 3.9 or newer (python3)"
pyver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
venv="$AISTACK_CACHE/schemathesis-$SCHEMATHESIS_VERSION-py$pyver"
works() { [[ -x $venv/bin/st ]] && "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; }

if ! works; then
  log "installing schemathesis==$SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  if ! { "$python" -m venv "$venv" >&2 && "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" >&2 && works; }; then
    rm -rf "$venv"
    die "could not install schemathesis==$SCHEMATHESIS_VERSION with pip"
  fi
fi
echo "$venv/bin/st"
