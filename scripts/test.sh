#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test (unit,
# integration, browser end to end). Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
BUILD_DIR=$(realpath -m "${SECCAM_BUILD_DIR:-build}")

status=0
# The fuzz targets (docs/FUZZING.md): a clang build of their own in build-fuzz, their seeds and
# kept crashes, then 20 s of fuzzing each. They run beside the tests, at idle priority
# (SCHED_IDLE, idle I/O class): they get only the CPU the tests leave. The tests run about a
# tenth slower beside them, but the clang build no longer adds its minutes to the run. Their
# output comes at the end. SECCAM_SKIP_FUZZ=1 leaves them out.
fuzz_pid=
fuzz_log="$BUILD_DIR/fuzz-run.log"
if [[ "${SECCAM_SKIP_FUZZ:-0}" != 1 ]]; then
  SECCAM_FUZZ_SECONDS=${SECCAM_FUZZ_SECONDS:-20} \
    setsid ionice -c 3 chrt --idle 0 scripts/fuzz.sh >"$fuzz_log" 2>&1 &
  fuzz_pid=$!
  trap '[[ -n $fuzz_pid ]] && kill -- -"$fuzz_pid" 2>/dev/null || true' EXIT
fi

# One test a core at a time: each test has its own free ports, folders and database. The tests
# that load the CPU and time what they see (the camera's, the benchmarks') are RUN_SERIAL.
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 300 -j "$(nproc)") || status=1

if [[ -f tests/e2e/package.json ]]; then
  (cd tests/e2e && SECCAM_BUILD_DIR="$BUILD_DIR" node --test --test-concurrency=1) || status=1
fi

if [[ -n $fuzz_pid ]]; then
  wait "$fuzz_pid" || status=1
  fuzz_pid=
  cat "$fuzz_log"
fi
exit $status
