# shellcheck shell=bash
# Shared by scripts/demo.sh and scripts/cluster-demo.sh (sourced, not run): the build step,
# port checks, coturn with its secret and certificate, and starting and stopping the demo's
# processes. The caller sets ROOT, HOST, DATA, BUILD_DIR, TURN_PORT, TURN_TLS_PORT and
# DEMO_NAME (the log prefix) first, and `set -euo pipefail`.

TURN_USER=turnserver  # Debian's coturn package creates it
TURN_RELAY_MIN_PORT=49160
TURN_RELAY_MAX_PORT=49260
SERVER_BIN=$BUILD_DIR/src/server/seccam-server
CAMERA_BIN=$BUILD_DIR/src/camera/seccam-camera

say() { printf '\033[1m[%s]\033[0m %s\n' "$DEMO_NAME" "$*"; }
fail() { printf '\033[1;31m[%s]\033[0m %s\n' "$DEMO_NAME" "$*" >&2; exit 1; }

# Installs what is missing and builds, unless SECCAM_DEMO_SKIP_BUILD=1.
demo_build() {
  if [[ ${SECCAM_DEMO_SKIP_BUILD:-0} != 1 ]]; then
    say "Installing what is missing and building (the first run takes a few minutes)…"
    (cd "$ROOT" && SECCAM_SKIP_E2E=${SECCAM_SKIP_E2E:-1} scripts/install-deps.sh)
    (cd "$ROOT" && SECCAM_BUILD_DIR=$BUILD_DIR scripts/build.sh)
  fi
  [[ -x $SERVER_BIN && -x $CAMERA_BIN ]] || fail "the build did not produce $SERVER_BIN and $CAMERA_BIN"
}

# demo_ports_free HINT PORT...: fails naming HINT (the settings to change) when one is in use.
demo_ports_free() {
  local hint=$1 port
  shift
  for port in "$@"; do
    if ss -Hltnu "( sport = :$port )" 2>/dev/null | grep -q .; then
      fail "port $port is in use: stop what uses it, or set $hint"
    fi
  done
}

# The data folder, its logs, and the secret coturn and seccam-server share (TURN REST API,
# use-auth-secret): kept in files of mode 0600, never on a command line. Sets TURN_SECRET.
demo_prepare_data() {
  mkdir -p "$DATA/logs"
  chmod 700 "$DATA"
  if [[ ! -s $DATA/turn-secret ]]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DATA/turn-secret")
  fi
  TURN_SECRET=$(<"$DATA/turn-secret")
  # The demo's own certificate for TURN over TLS: self-signed for $HOST, made once and kept.
  # Browsers check it (docs/WEBRTC-NOTES.md): TURN over TLS works from a browser that trusts it.
  TURN_CERT=$DATA/tls/turn-cert.pem
  TURN_KEY=$DATA/tls/turn-key.pem
  if [[ ! -s $TURN_CERT || ! -s $TURN_KEY ]]; then
    mkdir -p "$DATA/tls"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
      -subj "/CN=SecCam demo TURN" -addext "subjectAltName=IP:$HOST" \
      -keyout "$TURN_KEY" -out "$TURN_CERT" 2>/dev/null) || fail "openssl could not make the TURN certificate"
  fi
}

# Processes the demo started, stopped in reverse order on exit; folders removed on exit.
pids=()
names=()
demo_cleanup_dirs=()
demo_cleanup_hooks=()
demo_cleanup() {
  trap - EXIT INT TERM
  echo
  say "Stopping…"
  local i pid hook dir
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for hook in "${demo_cleanup_hooks[@]}"; do "$hook" || true; done
  for dir in "${demo_cleanup_dirs[@]}"; do rm -rf "$dir"; done
  say "Stopped. Data and logs are in $DATA"
}
trap demo_cleanup EXIT
trap 'exit 130' INT TERM

# start NAME COMMAND...: in the background, its output in $DATA/logs/NAME.log.
start() {
  local name=$1
  shift
  "$@" >>"$DATA/logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

# The pid of the process started as NAME.
pid_of() {
  local i
  for i in "${!names[@]}"; do [[ ${names[i]} == "$1" ]] && echo "${pids[i]}" && return; done
}

# wait_started NAME SECONDS CHECK...: runs CHECK every 0.1 s until it succeeds; fails with the
# end of NAME's log if NAME stops first or the time is up.
wait_started() {
  local name=$1 seconds=$2 i pid
  shift 2
  pid=$(pid_of "$name")
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$DATA/logs/$name.log" >&2; fail "$name stopped (log above)"; }
    sleep 0.1
  done
  tail -n 20 "$DATA/logs/$name.log" >&2
  fail "$name did not start within $seconds s (log above)"
}

# coturn's configuration (it holds the secret), certificate copy and database live in a
# temporary folder, removed on exit. Started as root, coturn drops to its own user once its
# ports are open, and that user must still reach these files.
demo_start_coturn() {
  local run
  run=$(mktemp -d "${TMPDIR:-/tmp}/seccam-demo-turn.XXXXXX")
  demo_cleanup_dirs+=("$run")
  install -m 0600 "$TURN_CERT" "$run/cert.pem"
  install -m 0600 "$TURN_KEY" "$run/key.pem"
  local proc_user=
  if [[ $(id -u) == 0 ]] && id "$TURN_USER" >/dev/null 2>&1; then
    proc_user="proc-user=$TURN_USER
proc-group=$(id -gn "$TURN_USER")"
  fi
  (umask 077 && cat >"$run/turnserver.conf" <<CONF
# Written by scripts/lib/demo-common.sh: coturn for the demo, on loopback only.
listening-ip=$HOST
relay-ip=$HOST
listening-port=$TURN_PORT
tls-listening-port=$TURN_TLS_PORT
cert=$run/cert.pem
pkey=$run/key.pem
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
pidfile=$run/turnserver.pid
userdb=$run/turndb.sqlite
$proc_user
CONF
  )
  if [[ -n $proc_user ]]; then
    chown -R "$TURN_USER:" "$run"
    chmod 0711 "$run"
  fi
  start turnserver turnserver -c "$run/turnserver.conf"
}

# demo_provision_camera PROVISION-ARGS...: one camera, provisioned on the first run and reused
# afterwards (it may already be claimed). Sets CAMERA_ID, CLAIM_CODE and CAMERA_CONFIG.
demo_provision_camera() {
  local json=$DATA/demo-camera.json
  if [[ ! -s $json ]]; then
    "$SERVER_BIN" camera provision --json --count 1 --out "$DATA/cameras" "$@" | grep '^{' >"$json.tmp"
    mv "$json.tmp" "$json"
    chmod 600 "$json"
  fi
  CAMERA_ID=$(sed -n 's/.*"cameraId" *: *"\([^"]*\)".*/\1/p' "$json")
  CLAIM_CODE=$(sed -n 's/.*"claimCode" *: *"\([^"]*\)".*/\1/p' "$json")
  [[ -n $CAMERA_ID && -n $CLAIM_CODE ]] || fail "could not read $json"
  CAMERA_CONFIG=$DATA/cameras/$CAMERA_ID.toml
  [[ -f $CAMERA_CONFIG ]] || fail "provisioning did not write $CAMERA_CONFIG"
}

# Runs until Ctrl-C, or until one of the processes stops by itself (then shows its log).
# DEMO_MAY_STOP: names of processes whose stop is reported but ends nothing (the cluster
# demo's nodes: trying a failure is the point).
DEMO_MAY_STOP=()
demo_wait() {
  set +e
  local running=("${pids[@]}") done_pid i name
  while ((${#running[@]})); do
    wait -n -p done_pid "${running[@]}"
    for i in "${!pids[@]}"; do [[ ${pids[i]} == "$done_pid" ]] && name=${names[i]}; done
    if [[ " ${DEMO_MAY_STOP[*]} " == *" $name "* ]]; then
      say "$name stopped; the others carry on (see README \"More than one server\")"
      local left=() pid
      for pid in "${running[@]}"; do [[ $pid != "$done_pid" ]] && left+=("$pid"); done
      running=("${left[@]}")
      continue
    fi
    say "$name stopped unexpectedly; the end of its log:"
    tail -n 15 "$DATA/logs/$name.log" >&2
    exit 1
  done
  exit 1
}
