#!/usr/bin/env bash
# End to end with a non-C++ client (Node @grpc/grpc-js) against the binary:
# unary calls and a WatchActiveSessions stream.
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/node.db"
start_server "$DB"
TOKEN=$(new_token "$DB" acct-demo-1 sessions:read)
OTHER=$(new_token "$DB" acct-demo-2 sessions:read)
WRITER=$(new_token "$DB" acct-demo-1 sessions:write)
node "$RUNFILES/tests/node_client.js" "$WORKSPACE_ROOT/protos" "127.0.0.1:$GRPC_PORT" "$TOKEN" \
  "$OTHER" "$WRITER"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
