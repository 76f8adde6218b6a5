#!/usr/bin/env bash
# Sign-up latency while ordinary processes keep every core busy (issue 11: workers under
# SCHED_IDLE starved sign-ups whenever anything else ran). Starts a seccam-server on a free
# loopback port with a fresh data folder, starts one busy loop per core (nice 0, stopped at
# the end), and times N sign-ups (POST /api/register: Argon2id, then the inserts) one after
# another, each given at most MAX_S seconds. Prints each time and the median and worst.
#
# usage: bench/server/signup_under_load.sh [SERVER_BINARY] [N=10] [MAX_S=30] [HOGS=cores]
set -euo pipefail
SERVER=${1:-build/src/server/seccam-server}
N=${2:-10}
MAX_S=${3:-30}
HOGS=${4:-$(nproc)}
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

"$SERVER" serve --listen "127.0.0.1:$PORT" --data "$DATA" --log-level warn 2>"$DATA/server.log" &
pids+=($!)
for ((i = 0; i < 100; i++)); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
mapfile -t cameras < <("$SERVER" camera provision --json --count "$N" --data "$DATA" \
  --listen "127.0.0.1:$PORT" --out "$DATA/cameras" | grep '^{')

for ((h = 0; h < HOGS; h++)); do
  # Each hog stops by itself even if this script is killed.
  timeout $((N * MAX_S + 30)) sh -c 'while :; do :; done' &
  pids+=($!)
done
sleep 1

times=()
for ((i = 0; i < N; i++)); do
  id=$(sed -n 's/.*"cameraId": *"\([^"]*\)".*/\1/p' <<<"${cameras[$i]}")
  code=$(sed -n 's/.*"claimCode": *"\([^"]*\)".*/\1/p' <<<"${cameras[$i]}")
  body="{\"username\":\"user$i\",\"password\":\"Secret-pass1\",\"cameraId\":\"$id\",\"claimCode\":\"$code\"}"
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time "$MAX_S" \
    -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT/api/register" || true)
  status=${out%% *}
  seconds=${out##* }
  [[ $status == 201 ]] || seconds=timeout
  echo "sign-up $i: status ${status:-none} ${seconds}"
  times+=("$seconds")
done
printf '%s\n' "${times[@]}" | sort -g | awk -v n="$N" -v hogs="$HOGS" '
  { v[NR] = $1 } END { printf "median %s s, worst %s s (%d sign-ups, %s hogs)\n", v[int((NR + 1) / 2)], v[NR], n, hogs }'
