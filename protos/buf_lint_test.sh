#!/usr/bin/env bash
# Runs `buf lint` on the API with the checked-in protos/buf.yaml.
set -euo pipefail
RUNFILES="${TEST_SRCDIR:-$PWD}/${TEST_WORKSPACE:-active_sessions}"
ROOT="$(dirname "$(readlink -f "$RUNFILES/package.json")")"
BUF="$ROOT/node_modules/.bin/buf"
[ -x "$BUF" ] || { echo "FAIL: buf not installed (run tools/install_deps.sh)"; exit 1; }
cd "$ROOT/protos"
"$BUF" lint
echo "buf lint: clean"
