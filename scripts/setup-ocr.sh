#!/usr/bin/env bash
# Ensure OCR for scanned documents: Tesseract with its Simplified Chinese and
# English models, and poppler-utils (pdfinfo, pdftoppm) to render PDF pages.
# Idempotent; when everything is present it only asks dpkg (tens of ms).
# Prints nothing on stdout. Without these packages the platform still runs:
# scanned documents then fail with E_NO_TEXT.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

packages=(
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim
  poppler-utils
  # CMaps and CID-to-Unicode tables: without them pdftoppm draws nothing for
  # Chinese text in non-embedded CID fonts (STSong-Light), which the tests
  # rasterise to make their scanned pages.
  poppler-data
  # A Chinese font for fontconfig to substitute for those non-embedded fonts.
  fonts-wqy-microhei
)

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'; }

need=()
for pkg in "${packages[@]}"; do installed "$pkg" || need+=("$pkg"); done
if ((${#need[@]} == 0)); then
  exit 0
fi
apt_install "${need[@]}"
command -v tesseract >/dev/null && command -v pdftoppm >/dev/null || die "tesseract or pdftoppm missing after install"
log "OCR ready: $(tesseract --version 2>&1 | head -n1), languages: $(tesseract --list-langs 2>/dev/null | tail -n +2 | tr '\n' ' ')"
