#!/usr/bin/env bash
# ServiceStack's JsonServiceClient (npm @servicestack/client) against the
# real server: listing, typed errors, sendAll auto-batching, Basic API keys
# (tests/servicestack_client.mjs).
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/servicestack.db"
start_server "$DB"
TOKEN=$(new_token "$DB" acct-demo-1 sessions:read)
node "$RUNFILES/tests/servicestack_client.mjs" "$WORKSPACE_ROOT/node_modules" \
  "http://127.0.0.1:$HTTP_PORT" "$TOKEN" || fail "servicestack_client failed"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
