#!/usr/bin/env bash
# The one-command demo: installs what is missing, builds, then runs seccam-server, coturn and a
# test-pattern seccam-camera on this machine (loopback only) and prints what to open and the
# camera ID and claim code to sign up with. Ctrl-C stops everything.
#
# Settings (environment): SECCAM_DEMO_DATA (default ./data/demo), SECCAM_DEMO_PORT (8080),
# SECCAM_DEMO_TURN_PORT (3478: TURN over UDP and TCP), SECCAM_DEMO_TURN_TLS_PORT (5349: TURN
# over TLS), SECCAM_BUILD_DIR (build), SECCAM_DEMO_SKIP_BUILD=1 (use what is built). Delete the
# data folder to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

HOST=127.0.0.1
PORT=${SECCAM_DEMO_PORT:-8080}
TURN_PORT=${SECCAM_DEMO_TURN_PORT:-3478}
TURN_TLS_PORT=${SECCAM_DEMO_TURN_TLS_PORT:-5349}
TURN_USER=turnserver  # Debian's coturn package creates it
TURN_RELAY_MIN_PORT=49160
TURN_RELAY_MAX_PORT=49260
DATA=$(realpath -m "${SECCAM_DEMO_DATA:-data/demo}")
BUILD_DIR=$(realpath -m "${SECCAM_BUILD_DIR:-build}")
SERVER_BIN=$BUILD_DIR/src/server/seccam-server
CAMERA_BIN=$BUILD_DIR/src/camera/seccam-camera
HEALTH_TIMEOUT_S=15
ONLINE_TIMEOUT_S=20

say() { printf '\033[1m[demo]\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31m[demo]\033[0m %s\n' "$*" >&2; exit 1; }

if [[ ${SECCAM_DEMO_SKIP_BUILD:-0} != 1 ]]; then
  say "Installing what is missing and building (the first run takes a few minutes)…"
  SECCAM_SKIP_E2E=${SECCAM_SKIP_E2E:-1} scripts/install-deps.sh
  SECCAM_BUILD_DIR=$BUILD_DIR scripts/build.sh
fi
[[ -x $SERVER_BIN && -x $CAMERA_BIN ]] || fail "the build did not produce $SERVER_BIN and $CAMERA_BIN"

for port in "$PORT" "$TURN_PORT" "$TURN_TLS_PORT"; do
  if ss -Hltnu "( sport = :$port )" 2>/dev/null | grep -q .; then
    fail "port $port is in use: stop what uses it, or set SECCAM_DEMO_PORT / SECCAM_DEMO_TURN_PORT / SECCAM_DEMO_TURN_TLS_PORT"
  fi
done

mkdir -p "$DATA/logs"
chmod 700 "$DATA"

# coturn and seccam-server share this secret (TURN REST API, use-auth-secret); it stays in
# files of mode 0600, never on a command line.
if [[ ! -s $DATA/turn-secret ]]; then
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/turn-secret")
fi
TURN_SECRET=$(<"$DATA/turn-secret")

# The demo's own certificate for TURN over TLS: self-signed for 127.0.0.1, made once and kept.
# Browsers check it (docs/WEBRTC-NOTES.md): TURN over TLS works from a browser that trusts it.
TURN_CERT=$DATA/tls/turn-cert.pem
TURN_KEY=$DATA/tls/turn-key.pem
if [[ ! -s $TURN_CERT || ! -s $TURN_KEY ]]; then
  mkdir -p "$DATA/tls"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=SecCam demo TURN" -addext "subjectAltName=IP:$HOST" \
    -keyout "$TURN_KEY" -out "$TURN_CERT" 2>/dev/null) || fail "openssl could not make the TURN certificate"
fi

pids=()
names=()
TURN_RUN=
cleanup() {
  trap - EXIT INT TERM
  echo
  say "Stopping…"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n $TURN_RUN ]]; then rm -rf "$TURN_RUN"; fi
  say "Stopped. Data and logs are in $DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# coturn's configuration (it holds the secret), certificate copy and database live in a
# temporary folder, removed on exit. Started as root, coturn drops to its own user once its
# ports are open, and that user must still reach these files.
TURN_RUN=$(mktemp -d "${TMPDIR:-/tmp}/seccam-demo-turn.XXXXXX")
install -m 0600 "$TURN_CERT" "$TURN_RUN/cert.pem"
install -m 0600 "$TURN_KEY" "$TURN_RUN/key.pem"
TURN_PROC_USER=
if [[ $(id -u) == 0 ]] && id "$TURN_USER" >/dev/null 2>&1; then
  TURN_PROC_USER="proc-user=$TURN_USER
proc-group=$(id -gn "$TURN_USER")"
fi
(umask 077 && cat >"$TURN_RUN/turnserver.conf" <<CONF
# Written by scripts/demo.sh: coturn for the demo, on loopback only.
listening-ip=$HOST
relay-ip=$HOST
listening-port=$TURN_PORT
tls-listening-port=$TURN_TLS_PORT
cert=$TURN_RUN/cert.pem
pkey=$TURN_RUN/key.pem
min-port=$TURN_RELAY_MIN_PORT
max-port=$TURN_RELAY_MAX_PORT
use-auth-secret
static-auth-secret=$TURN_SECRET
realm=seccam.demo
fingerprint
no-dtls
no-cli
no-multicast-peers
# Everything here is on this machine, so the relay's peers are local addresses too.
allow-loopback-peers
log-file=stdout
simple-log
pidfile=$TURN_RUN/turnserver.pid
userdb=$TURN_RUN/turndb.sqlite
$TURN_PROC_USER
CONF
)
if [[ -n $TURN_PROC_USER ]]; then
  chown -R "$TURN_USER:" "$TURN_RUN"
  chmod 0711 "$TURN_RUN"
fi

start() { # name command...
  local name=$1
  shift
  "$@" >>"$DATA/logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

start turnserver turnserver -c "$TURN_RUN/turnserver.conf"

# The server shares coturn's secret and hands out coturn as any deployment does (`[turn] host`:
# TURN over UDP, TCP and TLS).
SECCAM_TURN_SECRET=$TURN_SECRET \
  start seccam-server "$SERVER_BIN" serve --listen "$HOST:$PORT" --data "$DATA" --web-root "$ROOT/web" \
  --turn-host "$HOST" --turn-port "$TURN_PORT" --turn-tls-port "$TURN_TLS_PORT"

for ((i = 0; i < HEALTH_TIMEOUT_S * 10; i++)); do
  curl -fs "http://$HOST:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "${pids[1]}" 2>/dev/null || { tail -n 20 "$DATA/logs/seccam-server.log" >&2; fail "seccam-server stopped (log above)"; }
  sleep 0.1
done
curl -fs "http://$HOST:$PORT/healthz" >/dev/null || fail "seccam-server did not answer on $HOST:$PORT"

# One camera, provisioned on the first run and reused afterwards (it may already be claimed).
CAMERA_JSON=$DATA/demo-camera.json
if [[ ! -s $CAMERA_JSON ]]; then
  "$SERVER_BIN" camera provision --json --count 1 --data "$DATA" --listen "$HOST:$PORT" \
    --out "$DATA/cameras" | grep '^{' >"$CAMERA_JSON.tmp"
  mv "$CAMERA_JSON.tmp" "$CAMERA_JSON"
  chmod 600 "$CAMERA_JSON"
fi
json_field() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" "$CAMERA_JSON"; }
CAMERA_ID=$(json_field cameraId)
CLAIM_CODE=$(json_field claimCode)
[[ -n $CAMERA_ID && -n $CLAIM_CODE ]] || fail "could not read $CAMERA_JSON"
CAMERA_CONFIG=$DATA/cameras/$CAMERA_ID.toml
[[ -f $CAMERA_CONFIG ]] || fail "provisioning did not write $CAMERA_CONFIG"

start seccam-camera "$CAMERA_BIN" --config "$CAMERA_CONFIG" --source test --width 1280 --height 720 --fps 30 \
  --data "$DATA/camera"

camera_online=0
for ((i = 0; i < ONLINE_TIMEOUT_S * 10; i++)); do
  if curl -fs "http://$HOST:$PORT/metrics" 2>/dev/null | grep -qE '^seccam_cameras_connected [1-9]'; then
    camera_online=1
    break
  fi
  kill -0 "${pids[2]}" 2>/dev/null || { tail -n 20 "$DATA/logs/seccam-camera.log" >&2; fail "seccam-camera stopped (log above)"; }
  sleep 0.1
done

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

# Runs until Ctrl-C, or until one of the three stops by itself.
set +e
wait -n "${pids[@]}"
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[i]}" 2>/dev/null; then
    say "${names[i]} stopped unexpectedly; the end of its log:"
    tail -n 15 "$DATA/logs/${names[i]}.log" >&2
  fi
done
exit 1
