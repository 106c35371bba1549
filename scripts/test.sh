#!/usr/bin/env bash
# The test command (README): installs dependencies, builds, runs every test, then
# builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the tests
# labelled "fast" there (not "slow" real-data training, not "oracle" conformance runs,
# whose time goes to the node runtime; the kernels they use have fast tests), and last
# fuzzes the .tflite reader and interpreter
# for FUZZ_SECONDS (60).  SKIP_SANITIZE=1 / SKIP_FUZZ=1 skip those steps.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
start=$(date +%s)
BUILD_DIR=build scripts/build.sh
# The real TensorFlow Lite runtime checks our .tflite files (tests/tflite/oracle_test.cpp)
# when shared/ lies beside the clone (CI): a writable copy is set up in build/oracle.
oracle_src="$(cd ..; pwd)/shared/oracle"
if [ -z "${LQ_TFLITE_ORACLE:-}" ] && [ -d "$oracle_src" ]; then
  mkdir -p build/oracle && chmod -R u+w build/oracle && cp -r "$oracle_src/." build/oracle/
  chmod -R u+w build/oracle && SKIP_SELFTEST=1 WITH_ARMNN=0 build/oracle/setup.sh
  export LQ_TFLITE_ORACLE="$PWD/build/oracle"
fi
echo "test.sh: release build ready after $(( $(date +%s) - start )) s"
(cd build && ctest --output-on-failure -j2 --timeout 900)
echo "test.sh: release tests done after $(( $(date +%s) - start )) s"
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build.sh -DLITEQUANT_SANITIZE=ON -DLITEQUANT_BUILD_BENCH=OFF \
    -DLITEQUANT_ORACLE_TESTS=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j2 -L fast --timeout 900)
  echo "test.sh: sanitizer tests done after $(( $(date +%s) - start )) s"
fi
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  scripts/fuzz.sh
fi
echo "test.sh: all tests passed in $(( $(date +%s) - start )) s"
