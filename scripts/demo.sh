#!/usr/bin/env bash
# The one-command demo: installs what is missing, builds, then runs seccam-server, coturn and a
# test-pattern seccam-camera on this machine (loopback only) and prints what to open and the
# camera ID and claim code to sign up with. Ctrl-C stops everything.
# (scripts/cluster-demo.sh: the same with three servers, PostgreSQL, Redis and HAProxy.)
#
# Settings (environment): SECCAM_DEMO_DATA (default ./data/demo), SECCAM_DEMO_PORT (8080),
# SECCAM_DEMO_TURN_PORT (3478: TURN over UDP and TCP), SECCAM_DEMO_TURN_TLS_PORT (5349: TURN
# over TLS), SECCAM_BUILD_DIR (build), SECCAM_DEMO_SKIP_BUILD=1 (use what is built). Delete the
# data folder to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DEMO_NAME=demo
HOST=127.0.0.1
PORT=${SECCAM_DEMO_PORT:-8080}
TURN_PORT=${SECCAM_DEMO_TURN_PORT:-3478}
TURN_TLS_PORT=${SECCAM_DEMO_TURN_TLS_PORT:-5349}
DATA=$(realpath -m "${SECCAM_DEMO_DATA:-data/demo}")
BUILD_DIR=$(realpath -m "${SECCAM_BUILD_DIR:-build}")
HEALTH_TIMEOUT_S=15
ONLINE_TIMEOUT_S=20
# shellcheck source=scripts/lib/demo-common.sh
source scripts/lib/demo-common.sh

demo_build
demo_ports_free "SECCAM_DEMO_PORT / SECCAM_DEMO_TURN_PORT / SECCAM_DEMO_TURN_TLS_PORT" \
  "$PORT" "$TURN_PORT" "$TURN_TLS_PORT"
demo_prepare_data
demo_start_coturn

# The server shares coturn's secret and hands out coturn as any deployment does (`[turn] host`:
# TURN over UDP, TCP and TLS).
SECCAM_TURN_SECRET=$TURN_SECRET \
  start seccam-server "$SERVER_BIN" serve --listen "$HOST:$PORT" --data "$DATA" --web-root "$ROOT/web" \
  --turn-host "$HOST" --turn-port "$TURN_PORT" --turn-tls-port "$TURN_TLS_PORT"
wait_started seccam-server "$HEALTH_TIMEOUT_S" curl -fs "http://$HOST:$PORT/healthz"

demo_provision_camera --data "$DATA" --listen "$HOST:$PORT"
start seccam-camera "$CAMERA_BIN" --config "$CAMERA_CONFIG" --source test --width 1280 --height 720 --fps 30 \
  --data "$DATA/camera"

camera_online=0
camera_connected() { curl -fs "http://$HOST:$PORT/metrics" | grep -qE '^seccam_cameras_connected [1-9]'; }
(wait_started seccam-camera "$ONLINE_TIMEOUT_S" camera_connected 2>/dev/null) && camera_online=1

URL="http://$HOST:$PORT/"
cat <<BANNER

  SecCam is running.

    Open            $URL
    Camera ID       $CAMERA_ID
    Claim code      $CLAIM_CODE

  New here: choose "Create an account with your camera" and enter the two values above.
  Signed up in an earlier run: just sign in.
  $([[ $camera_online == 1 ]] && echo "The test camera is connected." || echo "The camera has not said it is connected yet: see $DATA/logs/seccam-camera.log")
  TURN (coturn)   $HOST: UDP and TCP $TURN_PORT, TLS $TURN_TLS_PORT (certificate $TURN_CERT)
  Logs: $DATA/logs   ·   Stop: Ctrl-C

BANNER

demo_wait
