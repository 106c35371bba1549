#!/usr/bin/env bash
# The test command (README): installs dependencies, builds, runs every test, then
# builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the tests
# that are not labelled "slow" there.  SKIP_SANITIZE=1 skips the second build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
start=$(date +%s)
BUILD_DIR=build scripts/build.sh
(cd build && ctest --output-on-failure -j2 --timeout 900)
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo scripts/build.sh -DLITEQUANT_SANITIZE=ON -DLITEQUANT_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j2 -LE slow --timeout 900)
fi
echo "test.sh: all tests passed in $(( $(date +%s) - start )) s"
