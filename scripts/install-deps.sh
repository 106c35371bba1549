#!/usr/bin/env bash
# Installs everything litequant needs on Debian 12 (skips apt when all is present).
set -euo pipefail
pkgs=(
  g++ cmake ninja-build pkg-config
  libgtest-dev libbenchmark-dev
  zlib1g-dev nlohmann-json3-dev libfmt-dev libcli11-dev flatbuffers-compiler libflatbuffers-dev
  libgemmlowp-dev libpng-dev
  libdnnl-dev libxnnpack-dev libpthreadpool-dev
  clang libclang-rt-14-dev
  dataset-fashion-mnist
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "install-deps: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
