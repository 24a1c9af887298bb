#!/usr/bin/env bash
# Installs everything the build, the server and the tests need on Debian 12:
# the build dependencies (tools/install_build_deps.sh), then the developer
# and test tools — PostgreSQL, clang for the fuzzers, podman for the image
# test, Chromium for the dashboard test, Python grpcio, and the npm tools in the project-local node_modules/
# (pinned in package.json / package-lock.json).
# Idempotent: apt-get only runs when a package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=install_build_deps.sh
source tools/install_build_deps.sh

DEV_PACKAGES=(
  sqlite3 nghttp2-client curl python3 yamllint util-linux procps clang-format
  clang-14 libclang-rt-14-dev python3-grpcio python3-protobuf
  postgresql-15
  podman runc debootstrap chromium
)
# Node.js may come from another source (e.g. nodesource, which bundles npm);
# only ask Debian for it when there is no npm at all.
command -v npm >/dev/null 2>&1 || DEV_PACKAGES+=(nodejs npm)
apt_install_missing "${BUILD_PACKAGES[@]}" "${DEV_PACKAGES[@]}"

# npm tools (buf, grpc-js, k8s validators, Dockerfile linters), pinned by the lock file.
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.install-stamp ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
    touch node_modules/.install-stamp
  fi
fi
