#!/usr/bin/env bash
# "Add ServiceStack Reference" with ServiceStack's own tools: `typescript-ref`
# (npm @servicestack/cli) saves the running server's /types/typescript as
# dtos.ts and updates it in place from its Options header; `tsc` (npm
# typescript) compiles it with a client (tests/typescript_client.ts) that
# then lists sessions through JsonServiceClient with the generated DTOs.
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/tsref.db"
start_server "$DB"
TOKEN=$(new_token "$DB" acct-demo-1 sessions:read)
BIN="$WORKSPACE_ROOT/node_modules/.bin"
WORK="$TMP/tsref"
mkdir -p "$WORK"
ln -sfn "$WORKSPACE_ROOT/node_modules" "$WORK/node_modules"
cp "$RUNFILES/tests/typescript_client.ts" "$WORK/"
cd "$WORK"
# Without the opt-out the tool reports usage to an outside host.
export SERVICESTACK_TELEMETRY_OPTOUT=1

timeout 60 "$BIN/typescript-ref" "http://127.0.0.1:$HTTP_PORT" dtos.ts >ref.out 2>&1 ||
  fail "typescript-ref failed: $(cat ref.out)"
grep -q "^BaseUrl: http://127.0.0.1:$HTTP_PORT$" dtos.ts || fail "dtos.ts has no BaseUrl: $(head -8 dtos.ts)"
grep -q '^// @Route("/portal/active-sessions", "GET")$' dtos.ts || fail "no @Route in dtos.ts"
grep -q '^export class SessionInfo extends EntityInfo$' dtos.ts || fail "SessionInfo does not extend EntityInfo"
[ "$(grep -c '^export enum ' dtos.ts)" = 8 ] || fail "expected the eight enums: $(grep '^export enum ' dtos.ts)"
# Update in place: the tool reads BaseUrl back from the file.
sed -i 's/^Date: .*/Date: stale/' dtos.ts
timeout 60 "$BIN/typescript-ref" dtos.ts >update.out 2>&1 || fail "typescript-ref update failed: $(cat update.out)"
grep -q "^Updated: dtos.ts" update.out || fail "not updated: $(cat update.out)"
! grep -q "^Date: stale" dtos.ts || fail "the update did not rewrite dtos.ts"

timeout 120 "$BIN/tsc" --strict --target es2020 --module nodenext \
  --esModuleInterop --skipLibCheck typescript_client.ts dtos.ts >tsc.out 2>&1 ||
  fail "tsc failed: $(head -30 tsc.out)"
node typescript_client.js "http://127.0.0.1:$HTTP_PORT" "$TOKEN" || fail "typescript_client failed"
cd /
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
