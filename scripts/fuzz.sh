#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) into ./build-fuzz (or
# $SECCAM_FUZZ_BUILD_DIR) and runs them. docs/FUZZING.md explains the targets.
#
#   scripts/fuzz.sh                      every target: its corpus (seeds and regressions) once,
#                                        then $SECCAM_FUZZ_SECONDS (default 20) of fuzzing each
#   scripts/fuzz.sh TARGET [ARGS...]     one target, libFuzzer ARGS appended, e.g. a long run:
#                                        scripts/fuzz.sh fuzz_sdp -max_total_time=3600
#   scripts/fuzz.sh TARGET FILE          replays one input (a crash) against TARGET
#
# New inputs the fuzzer finds go to BUILD/corpus/TARGET (never into the repository); a crash
# is written to BUILD/artifacts/. Exits non-zero when a target finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=$(realpath -m "${SECCAM_FUZZ_BUILD_DIR:-build-fuzz}")
SECONDS_EACH=${SECCAM_FUZZ_SECONDS:-20}
# A run stops at whichever comes first: the time, or this many executions.
RUNS_EACH=${SECCAM_FUZZ_RUNS:-5000000}
TARGETS=(fuzz_signaling fuzz_camera_session fuzz_sdp fuzz_http_request fuzz_config fuzz_identity fuzz_websocket)

export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
# -O1 and line tables only (the project adds -g1), as OSS-Fuzz builds fuzzers: a clean build
# of the targets takes less time than at -O2.
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -DNDEBUG" -DSECCAM_FUZZ=ON -DSECCAM_BUILD_TESTS=OFF -DSECCAM_BUILD_BENCH=OFF -DSECCAM_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" --target fuzzers -j "$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp

# run TARGET ARGS...: the target with its dictionary, writing into BUILD/corpus/TARGET and
# reading the repository's seeds and regressions.
run() {
  local target=$1
  shift
  local work="$BUILD_DIR/corpus/$target"
  mkdir -p "$work" "$BUILD_DIR/artifacts"
  local args=(-artifact_prefix="$BUILD_DIR/artifacts/$target-" -print_final_stats=1)
  [[ -f fuzz/dictionaries/$target.dict ]] && args+=(-dict="fuzz/dictionaries/$target.dict")
  "$BUILD_DIR/fuzz/$target" "${args[@]}" "$@"
}

if (($# > 0)); then
  target=$1
  shift
  if (($# == 1)) && [[ -f $1 ]]; then exec "$BUILD_DIR/fuzz/$target" "$1"; fi
  run "$target" "$@" "$BUILD_DIR/corpus/$target" "fuzz/corpus/$target"
  exit
fi

# fuzz_one TARGET: every seed and every kept crash (regression-*) first, then fuzzing from
# them; one line of summary, or the log's tail when it fails.
fuzz_one() {
  local target=$1 log="$BUILD_DIR/$1.log"
  if ! run "$target" -runs=0 "fuzz/corpus/$target" >"$log" 2>&1 ||
     ! run "$target" -max_total_time="$SECONDS_EACH" -runs="$RUNS_EACH" \
       "$BUILD_DIR/corpus/$target" "fuzz/corpus/$target" >>"$log" 2>&1; then
    { echo "fuzz: $target FAILED; its log:"; tail -n 60 "$log"; } | flock "$BUILD_DIR" cat
    return 1
  fi
  echo "fuzz: $target ($SECONDS_EACH s): $(grep -E '^stat::number_of_executed_units|^Done' "$log" |
    tail -n 2 | tr '\n' ' ')"
}

# One target a core at a time (each fuzzer is one process on one core).
status=0
slots=$(nproc)
running=0
for target in "${TARGETS[@]}"; do
  if ((running >= slots)); then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
