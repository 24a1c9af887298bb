#!/usr/bin/env bash
# Installs what building the server and sessionsctl needs on Debian 12, and
# nothing else: the container image's build stage (deploy/Dockerfile) runs
# this alone, so it must never need npm or anything outside Debian's archive.
# tools/install_deps.sh runs it first, then adds the developer and test tools.
# Idempotent: apt-get only runs when a package is missing. Uses sudo only when
# not root.
set -euo pipefail

BUILD_PACKAGES=(
  bazel-bootstrap bazel-rules-java build-essential pkg-config
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev grpc-proto
  libabsl-dev libsqlitecpp-dev libsqlite3-dev libgtest-dev libgmock-dev
  libboost1.81-dev libboost-url1.81-dev rapidjson-dev prometheus-cpp-dev
  libspdlog-dev libfmt-dev libssl-dev zlib1g-dev libgoogle-perftools-dev
  libpq-dev
)

# apt_install_missing PACKAGE... installs those not yet installed.
apt_install_missing() {
  local sudo="" missing=() p
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# Sourced by install_deps.sh for apt_install_missing; run, it installs.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  apt_install_missing "${BUILD_PACKAGES[@]}"
fi
