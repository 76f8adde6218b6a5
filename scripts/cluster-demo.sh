#!/usr/bin/env bash
# The cluster demo, in one command: what README "More than one server" describes, on this
# machine (loopback only): a throw-away PostgreSQL (run as the postgres user, on a Unix socket in
# a temporary folder), Redis, three seccam-server nodes sharing both, HAProxy in front of them
# (deploy/haproxy/haproxy.cfg, its ports replaced), coturn, and a test-pattern camera that
# connects through HAProxy. Prints what to open and the camera ID and claim code; Ctrl-C stops
# everything and removes the database (each run starts with no accounts).
#
# Settings (environment): SECCAM_DEMO_DATA (default ./data/cluster-demo), SECCAM_DEMO_PORT
# (8080: HAProxy; the nodes take the next three ports), SECCAM_DEMO_REDIS_PORT (6379),
# SECCAM_DEMO_TURN_PORT (3478), SECCAM_DEMO_TURN_TLS_PORT (5349), SECCAM_BUILD_DIR (build),
# SECCAM_DEMO_SKIP_BUILD=1 (use what is built).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DEMO_NAME=cluster-demo
HOST=127.0.0.1
PORT=${SECCAM_DEMO_PORT:-8080}
NODE_PORTS=($((PORT + 1)) $((PORT + 2)) $((PORT + 3)))
REDIS_PORT=${SECCAM_DEMO_REDIS_PORT:-6379}
TURN_PORT=${SECCAM_DEMO_TURN_PORT:-3478}
TURN_TLS_PORT=${SECCAM_DEMO_TURN_TLS_PORT:-5349}
DATA=$(realpath -m "${SECCAM_DEMO_DATA:-data/cluster-demo}")
BUILD_DIR=$(realpath -m "${SECCAM_BUILD_DIR:-build}")
HEALTH_TIMEOUT_S=30
ONLINE_TIMEOUT_S=20
# shellcheck source=scripts/lib/demo-common.sh
source scripts/lib/demo-common.sh

demo_build
for program in /usr/sbin/haproxy /usr/bin/redis-server /usr/lib/postgresql/15/bin/initdb; do
  [[ -x $program ]] || fail "$program is missing: run scripts/install-deps.sh"
done
demo_ports_free "SECCAM_DEMO_PORT / SECCAM_DEMO_REDIS_PORT / SECCAM_DEMO_TURN_PORT / SECCAM_DEMO_TURN_TLS_PORT" \
  "$PORT" "${NODE_PORTS[@]}" "$REDIS_PORT" "$TURN_PORT" "$TURN_TLS_PORT"
demo_prepare_data
# The accounts and cameras live in this run's database only: the camera of an earlier run is
# unknown to it.
rm -rf "$DATA/demo-camera.json" "$DATA/cameras" "$DATA/redis"
mkdir -p "$DATA/redis"

# PostgreSQL: the throw-away cluster the tests use (tests/support/test-postgres.sh: initdb in
# the folder, a Unix socket there and no TCP, fsync off). Under /tmp: the postgres user must
# reach it.
PG_DIR=$(mktemp -d /tmp/seccam-cluster-demo-pg.XXXXXX)
stop_postgres() { "$ROOT/tests/support/test-postgres.sh" stop "$PG_DIR"; }
demo_cleanup_hooks+=(stop_postgres)
say "Starting PostgreSQL…"
tests/support/test-postgres.sh start "$PG_DIR" >"$DATA/logs/postgres-start.log" 2>&1 ||
  { cat "$DATA/logs/postgres-start.log" >&2; fail "PostgreSQL did not start"; }
export SECCAM_STORE_URL="postgresql://postgres@/postgres?host=${PG_DIR//\//%2F}"

# Redis with a password, as in a real deployment (README, "More than one server"): in a
# file of mode 0600 that redis-server reads, and in the nodes' environment, never on a command
# line.
REDIS_PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && printf 'requirepass %s\n' "$REDIS_PASSWORD" >"$DATA/redis/redis.conf")
start redis /usr/bin/redis-server "$DATA/redis/redis.conf" --port "$REDIS_PORT" --bind "$HOST" \
  --dir "$DATA/redis" --save "" --appendonly no --daemonize no
export SECCAM_BUS_URL="redis://:$REDIS_PASSWORD@$HOST:$REDIS_PORT"

demo_start_coturn

# Three nodes: the same store, bus, data folder (master key) and TURN secret; each its own port.
# They believe HAProxy's X-Forwarded-For (it connects from $HOST). One after the other, so that
# the first creates the master key and migrates the database.
export SECCAM_TURN_SECRET=$TURN_SECRET
for i in 0 1 2; do
  start "seccam-server-$((i + 1))" "$SERVER_BIN" serve --listen "$HOST:${NODE_PORTS[i]}" --data "$DATA" \
    --web-root "$ROOT/web" --turn-host "$HOST" --turn-port "$TURN_PORT" --turn-tls-port "$TURN_TLS_PORT" \
    --trusted-proxies "$HOST"
  wait_started "seccam-server-$((i + 1))" "$HEALTH_TIMEOUT_S" curl -fs "http://$HOST:${NODE_PORTS[i]}/healthz"
done
unset SECCAM_TURN_SECRET

# HAProxy with the example configuration, its addresses replaced by this run's.
HAPROXY_CFG=$DATA/haproxy.cfg
sed_nodes=()
for i in 0 1 2; do sed_nodes+=(-e "s/^\(\s*server node$((i + 1))\) 127\.0\.0\.1:808$((i + 1))$/\1 $HOST:${NODE_PORTS[i]}/"); done
sed -e "s/^\(\s*bind \)127\.0\.0\.1:8080$/\1$HOST:$PORT/" "${sed_nodes[@]}" "$ROOT/deploy/haproxy/haproxy.cfg" >"$HAPROXY_CFG"
start haproxy /usr/sbin/haproxy -db -f "$HAPROXY_CFG"
wait_started haproxy "$HEALTH_TIMEOUT_S" curl -fs "http://$HOST:$PORT/healthz"

# The camera connects through HAProxy, so it lands on any node and moves when that one stops.
demo_provision_camera --data "$DATA" --listen "$HOST:$PORT"
start seccam-camera "$CAMERA_BIN" --config "$CAMERA_CONFIG" --source test --width 1280 --height 720 --fps 30 \
  --data "$DATA/camera"

# Which node holds the camera (/metrics answers loopback clients).
camera_node() {
  local i
  for i in 0 1 2; do
    if curl -fs "http://$HOST:${NODE_PORTS[i]}/metrics" | grep -qE '^seccam_cameras_connected [1-9]'; then
      echo "$((i + 1))"
      return 0
    fi
  done
  return 1
}
camera_on=
(wait_started seccam-camera "$ONLINE_TIMEOUT_S" camera_node 2>/dev/null) && camera_on=$(camera_node)

cat <<BANNER

  SecCam is running as three servers behind HAProxy.

    Open            http://$HOST:$PORT/   (HAProxy: any node)
    Camera ID       $CAMERA_ID
    Claim code      $CLAIM_CODE

  Choose "Create an account with your camera" and enter the two values above.
  $([[ -n $camera_on ]] && echo "The test camera is connected, to node $camera_on." || echo "The camera has not said it is connected yet: see $DATA/logs/seccam-camera.log")
  Nodes           http://$HOST:${NODE_PORTS[0]}/  http://$HOST:${NODE_PORTS[1]}/  http://$HOST:${NODE_PORTS[2]}/
                  (try a failure: kill -9 $(pid_of seccam-server-1) stops node 1; a camera there moves to another)
  PostgreSQL      $PG_DIR (Unix socket; removed on exit)   ·   Redis $HOST:$REDIS_PORT
  TURN (coturn)   $HOST: UDP and TCP $TURN_PORT, TLS $TURN_TLS_PORT
  Logs: $DATA/logs   ·   Stop: Ctrl-C

BANNER

DEMO_MAY_STOP=(seccam-server-1 seccam-server-2 seccam-server-3)
demo_wait
