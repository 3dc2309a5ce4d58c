#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the tests and prints its URL.
# Installs Debian's postgresql first when it is missing (needs root, as in CI).
# Usage: url=$(bash scripts/start-postgres.sh [port]) && export CAIRN_TEST_POSTGRES_URL="$url"
# (assign first: `export X=$(…)` would hide a failure). Without a port, a free one is picked.
set -euo pipefail
port="${1:-$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  echo "installing Debian's postgresql..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
data=$(mktemp -d /tmp/cairn-pg-XXXXXX)
# PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$data"
run "'$bin/initdb' -D '$data' -A trust -U cairn --no-sync" >/dev/null
if ! run "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -o \"-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >&2; then
  echo "PostgreSQL did not start on port $port; its log:" >&2
  tail -n 20 "$data/server.log" >&2
  exit 1
fi
echo "postgres://cairn@127.0.0.1:$port/postgres"
