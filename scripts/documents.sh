#!/usr/bin/env bash
# Debian's libraries WeasyPrint's wheel loads (Pango with its FreeType back end, HarfBuzz's subsetter) and, with
# --test, poppler-utils (pdftoppm, pdftotext) for the document tests. Installed only when missing.
set -euo pipefail
need=()
ldconfig -p | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
if [ "${1:-}" = "--test" ] && ! command -v pdftoppm >/dev/null; then need+=(poppler-utils); fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages for PDF documents: ${need[*]} (apt-get install them as root)" >&2; exit 1
fi
echo "Installing ${need[*]} from Debian's packages..." >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
