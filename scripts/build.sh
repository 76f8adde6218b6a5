#!/usr/bin/env bash
# Configures and builds SecCam into ./build (or $SECCAM_BUILD_DIR). Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SECCAM_BUILD_DIR:-build}
# Let ccache reuse objects compiled in another checkout of the tree (CI clones afresh).
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
extra=()
[[ "${CI:-}" == true ]] && extra+=(-DSECCAM_WERROR=ON)
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
