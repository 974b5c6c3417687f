#!/usr/bin/env bash
# Start (or reuse) a throw-away PostgreSQL + PostGIS cluster for the store tests and print its URL.
#
#   url=$(bash .ci/postgres.sh)        # postgresql://postgres@127.0.0.1:PORT/stadtregion_test
#   bash .ci/postgres.sh stop          # stop it
#
# The cluster lives in $STADTREGION_PG_DIR (default /tmp/stadtregion-pg-$(id -u)), listens on
# 127.0.0.1 only, on a free port, and trusts local connections: it is a test fixture, never
# a place for real data. As root, the server runs as the `postgres` user (initdb refuses root).
# Needs the Debian packages postgresql and postgresql-15-postgis-3 (.ci/sysdeps.sh).
set -euo pipefail
DIR="${STADTREGION_PG_DIR:-/tmp/stadtregion-pg-$(id -u)}"
DB=stadtregion_test
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  [ "${1:-start}" = stop ] && exit 0
  echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql postgresql-15-postgis-3)" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_owner() { su postgres -s /bin/bash -c "$*"; }
  owner=postgres
else
  as_owner() { bash -c "$*"; }
  owner="$(id -un)"
fi
ctl() { as_owner "'$PGBIN/pg_ctl' -D '$DIR/data' $*"; }

if [ "${1:-start}" = stop ]; then
  [ -d "$DIR/data" ] && ctl -m fast stop >/dev/null 2>&1 || true
  exit 0
fi

mkdir -p "$DIR"
chown "$owner" "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_owner "'$PGBIN/initdb' -D '$DIR/data' -U postgres --auth=trust -E UTF8 >'$DIR/initdb.log' 2>&1"
fi
if ! ctl status >/dev/null 2>&1; then
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  echo "$port" >"$DIR/port"
  chown "$owner" "$DIR/port"
  ctl -w -t 60 -l "'$DIR/server.log'" \
    -o "\"-p $port -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off\"" start >/dev/null
fi
port="$(cat "$DIR/port")"
psql=("$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt)
if [ "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  "${psql[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
  "${psql[@]}" -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$port/$DB"
