#!/usr/bin/env bash
# Installs every Debian package MLOS needs to build, run and test. Idempotent: installs only what
# is missing, runs `apt-get update` at most once, works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libonnx-dev libonnx-testdata python3-onnx libprotobuf-dev protobuf-compiler
  libopenblas-dev
  libyaml-cpp-dev nlohmann-json3-dev libsimdjson-dev libspdlog-dev libfmt-dev libcli11-dev
  libcurl4-openssl-dev libsqlite3-dev libssl-dev libboost-dev libarchive-dev
  libgtest-dev libgmock-dev
  libgrpc++-dev protobuf-compiler-grpc python3-grpcio
  python3-torch python3-torchvision python3-numpy libtorch-dev
  clang libclang-rt-14-dev
  nodejs
  chromium  # headless, for the system test report's browser check (tools/mlos-e2e/browser_check.py)
)
# tools/compare-ort runs ONNX Runtime under node. Debian ships npm apart from nodejs; NodeSource's
# nodejs includes it (and conflicts with Debian's npm), so ask for npm only when there is none.
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if (( ${#missing[@]} == 0 )); then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if (( EUID != 0 )); then sudo="sudo"; fi
echo "deps: installing ${#missing[@]} missing packages: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
