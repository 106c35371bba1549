#!/usr/bin/env bash
# Builds the libFuzzer target (reader + allocate_tensors + invoke) with clang, ASan and
# UBSan, and runs it for FUZZ_SECONDS (default 60) on a seed corpus: the fuzz/seeds specs
# converted by litequant, plus the oracle's own test models when ../shared is beside us.
# Needs build/tools/litequant (scripts/build.sh) for the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLITEQUANT_FUZZ=ON \
  -DLITEQUANT_WERROR=OFF -DLITEQUANT_BUILD_TESTS=OFF -DLITEQUANT_BUILD_BENCH=OFF >/dev/null
ninja -C build-fuzz tflite_fuzzer >/dev/null
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
for spec in fuzz/seeds/*.json; do
  build/tools/litequant convert "$spec" --out "$corpus/$(basename "$spec" .json).tflite" >/dev/null
done
testgen="$(cd ..; pwd)/shared/oracle/testgen/make_test_models.py"
if [ -f "$testgen" ] && /usr/bin/python3 -c 'import flatbuffers, numpy' 2>/dev/null; then
  /usr/bin/python3 "$testgen" "$corpus" >/dev/null
fi
echo "fuzz: $(ls "$corpus" | wc -l) seed files, ${seconds} s"
log="$corpus/fuzz.log"
rc=0
build-fuzz/fuzz/tflite_fuzzer "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -max_len=65536 >"$log" 2>&1 || rc=$?
grep -E "^Done|ERROR|SUMMARY|crash-|timeout-|oom-" "$log" || true
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$log"
  echo "fuzz: FAILED (exit $rc)"
  exit 1
fi
echo "fuzz: no crash, hang or excessive allocation"
