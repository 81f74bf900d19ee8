#!/usr/bin/env bash
# Debian's chromium for the browser tests (never a browser download of a test tool's own).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium is not installed and this user cannot apt-get install it; browser tests will fail" >&2; exit 1
fi
echo "Installing chromium from Debian's packages..." >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
