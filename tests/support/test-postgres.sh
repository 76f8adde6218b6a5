#!/usr/bin/env bash
# The throw-away PostgreSQL cluster that ctest shares between the test processes of one run
# (the fixture "postgres" in tests/CMakeLists.txt): `start DIR` makes a fresh cluster in DIR
# listening on a Unix socket in DIR only (no TCP), fsync off; `stop DIR` stops it and removes
# DIR. As root, PostgreSQL's programs run as the `postgres` user (PostgreSQL refuses root).
# Each test makes a database of its own in it (tests/support/test_store.cpp).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?folder}
bin=${SECCAM_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
as_postgres=()
[[ $(id -u) == 0 ]] && as_postgres=(setpriv --reuid=postgres --regid=postgres --clear-groups)

stop() {
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "$action" in
  start)
    stop  # what an interrupted run left
    mkdir -p "$dir"
    [[ $(id -u) == 0 ]] && chown postgres: "$dir"
    "${as_postgres[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$dir/initdb.log"
    "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start \
      -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off" \
      -o "-c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB" >/dev/null
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
