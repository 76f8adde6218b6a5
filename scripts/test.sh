#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test (unit,
# integration, browser end to end). Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
BUILD_DIR=$(realpath -m "${SECCAM_BUILD_DIR:-build}")

status=0
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 300) || status=1

# The fuzz targets, briefly (their seeds and kept crashes, then 20 s each; docs/FUZZING.md):
# a clang build of its own in build-fuzz. SECCAM_SKIP_FUZZ=1 leaves them out.
if [[ "${SECCAM_SKIP_FUZZ:-0}" != 1 ]]; then
  SECCAM_FUZZ_SECONDS=${SECCAM_FUZZ_SECONDS:-20} scripts/fuzz.sh || status=1
fi

if [[ -f tests/e2e/package.json ]]; then
  (cd tests/e2e && SECCAM_BUILD_DIR="$BUILD_DIR" node --test --test-concurrency=1) || status=1
fi
exit $status
