#!/usr/bin/env bash
# Debian's chromium for the browser tests (never a browser download of a test tool's own), and axe-core from the
# npm registry (package.json / package-lock.json, installed into node_modules/ by `npm ci`) which the browser tests
# load into each page to check its accessibility.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "${need[*]} not installed and this user cannot apt-get install it; browser tests will fail" >&2; exit 1
  fi
  echo "Installing ${need[*]} from Debian's packages..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# npm ci again only when the lock file changed since the last install
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --silent
fi
