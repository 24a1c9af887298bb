#!/usr/bin/env bash
# Installs everything the build, the server and the tests need on Debian 12.
# Idempotent: apt-get only runs when a package is missing; npm tools go into
# the project-local node_modules/ (pinned in package.json / package-lock.json).
# Uses sudo only when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  bazel-bootstrap bazel-rules-java build-essential pkg-config
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev grpc-proto
  libabsl-dev libsqlitecpp-dev libsqlite3-dev sqlite3 libgtest-dev libgmock-dev
  libboost1.81-dev libboost-url1.81-dev rapidjson-dev prometheus-cpp-dev
  libspdlog-dev libfmt-dev libssl-dev zlib1g-dev libgoogle-perftools-dev
  nghttp2-client curl python3 yamllint util-linux procps clang-format
  clang-14 libclang-rt-14-dev python3-grpcio python3-protobuf
  postgresql-15 libpq-dev
)

missing=()
# Node.js may come from another source (e.g. nodesource, which bundles npm);
# only ask Debian for it when there is no npm at all.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install_deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm tools (buf, grpc-js, k8s validators, Dockerfile linters), pinned by the lock file.
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.install-stamp ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
    touch node_modules/.install-stamp
  fi
fi
