#!/usr/bin/env bash
# Installs griffin-rt's build and test dependencies from Debian bookworm (or Raspberry Pi OS
# bookworm) packages. Idempotent: installs only what is missing, so a second run is quick.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  libflatbuffers-dev flatbuffers-compiler
  catch2 libsentencepiece-dev sentencepiece
  nlohmann-json3-dev libcli11-dev libfp16-dev
  openjdk-17-jdk-headless junit4
  clang-14 libclang-rt-14-dev  # tests/fuzz: libFuzzer comes with clang
  python3-matplotlib  # scripts/plot_bench.py (docs/benchmarks.md plots)
)
# Extra package lists, e.g. GRIFFIN_EXTRA_PACKAGES="qemu-user g++-aarch64-linux-gnu".
if [[ -n "${GRIFFIN_EXTRA_PACKAGES:-}" ]]; then
  read -r -a extra <<<"$GRIFFIN_EXTRA_PACKAGES"
  packages+=("${extra[@]}")
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
