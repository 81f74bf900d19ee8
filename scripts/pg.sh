#!/usr/bin/env bash
# A throw-away PostgreSQL server for the test suite, from Debian's packages.
#   scripts/pg.sh start   install (apt-get) when missing, then start on 127.0.0.1 unless one already answers
#   scripts/pg.sh url     print the DATABASE_URL the tests use
#   scripts/pg.sh stop    stop the server this script started
# CERTCREDIT_PG_URL, when set, names a server that already runs; nothing is installed or started then.
set -euo pipefail
PORT=${CERTCREDIT_PG_PORT:-54329}
DATA=${CERTCREDIT_PG_DATA:-/tmp/certcredit-pg-$PORT}
URL=${CERTCREDIT_PG_URL:-postgresql://certcredit@127.0.0.1:$PORT/certcredit}

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

answers() { pg_isready -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  [ -n "$(pg_bin)" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed and this user cannot apt-get install it" >&2; exit 1
  fi
  echo "Installing PostgreSQL from Debian's packages..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

start() {
  if [ -n "${CERTCREDIT_PG_URL:-}" ]; then return 0; fi
  install
  local bin; bin=$(pg_bin)
  if answers; then echo "PostgreSQL already answers on port $PORT" >&2; return 0; fi
  if [ ! -s "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
    as_postgres "$bin/initdb" -D "$DATA" -U certcredit --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_postgres "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  "$bin/psql" -h 127.0.0.1 -p "$PORT" -U certcredit -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='certcredit'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U certcredit certcredit
  echo "PostgreSQL started on 127.0.0.1:$PORT" >&2
}

stop() {
  local bin; bin=$(pg_bin) || return 0
  [ -s "$DATA/PG_VERSION" ] && as_postgres "$bin/pg_ctl" -D "$DATA" -m fast stop >/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
