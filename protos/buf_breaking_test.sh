#!/usr/bin/env bash
# The API-compatibility guard: `buf breaking` (rules: buf.yaml's FILE set)
# between the protos and api_release.json, the API as last released
# (release_api.sh writes it). Also proves the guard bites: a copy of the
# protos with a field removed must fail it, one with a field added must not.
set -euo pipefail
RUNFILES="${TEST_SRCDIR:-$PWD}/${TEST_WORKSPACE:-active_sessions}"
ROOT="$(dirname "$(readlink -f "$RUNFILES/package.json")")"
BUF="$ROOT/node_modules/.bin/buf"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
[ -x "$BUF" ] || { echo "FAIL: buf not installed (run tools/install_deps.sh)"; exit 1; }
RELEASE="$ROOT/protos/api_release.json"
SESSIONS=voice/api/sessions/v1/sessions.proto

cd "$ROOT/protos"
if ! "$BUF" breaking --against "$RELEASE" >"$TMP/breaking.out" 2>&1; then
  cat "$TMP/breaking.out"
  echo "FAIL: the protos break the released API (above). If that is deliberate, version it"
  echo "(a new package) and run protos/release_api.sh."
  exit 1
fi

# copy_protos DIR: the module (buf.yaml and every .proto) in DIR.
copy_protos() {
  rm -rf "$1" && mkdir -p "$1"
  cp buf.yaml "$1/"
  find . -name '*.proto' -exec cp --parents {} "$1/" \;
}

copy_protos "$TMP/removed"
grep -q '^  string customer_id = 6;$' "$TMP/removed/$SESSIONS" || { echo "FAIL: probe field not found"; exit 1; }
sed -i '/^  string customer_id = 6;$/d' "$TMP/removed/$SESSIONS"
if (cd "$TMP/removed" && "$BUF" breaking --against "$RELEASE") >"$TMP/removed.out" 2>&1; then
  echo "FAIL: removing SessionInfo.customer_id passed the guard"; exit 1
fi
grep -q 'customer_id' "$TMP/removed.out" || { cat "$TMP/removed.out"; echo "FAIL: the error does not name the field"; exit 1; }

copy_protos "$TMP/added"
sed -i 's/^message SessionInfo {$/&\n  string compatibility_probe = 999;/' "$TMP/added/$SESSIONS"
grep -q 'compatibility_probe = 999' "$TMP/added/$SESSIONS" || { echo "FAIL: probe not inserted"; exit 1; }
if ! (cd "$TMP/added" && "$BUF" breaking --against "$RELEASE") >"$TMP/added.out" 2>&1; then
  cat "$TMP/added.out"; echo "FAIL: adding a field was reported as breaking"; exit 1
fi
echo "buf breaking: compatible with api_release.json; a removed field fails the guard, an added one passes"
