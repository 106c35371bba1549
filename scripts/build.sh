#!/usr/bin/env bash
# Configures and builds litequant into ${BUILD_DIR:-build} (Release). Extra arguments go
# to cmake, e.g. scripts/build.sh -DLITEQUANT_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
ninja -C "$build_dir" ${NINJA_FLAGS:-}
