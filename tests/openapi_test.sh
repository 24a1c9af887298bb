#!/usr/bin/env bash
# /openapi.json of the real server: byte-equal to the checked-in golden file
# docs/openapi.json (an API change shows up in review), valid OpenAPI 3 by
# @apidevtools/swagger-parser, and describing what the server really sends
# and accepts (tests/openapi_check.mjs). After a deliberate API change:
#   bazel test //tests:openapi_test --test_env=UPDATE_GOLDEN=1
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/openapi.db"
start_server "$DB"
READER=$(new_token "$DB" acct-demo-1 sessions:read)
WRITER=$(new_token "$DB" acct-demo-1 sessions:write)
BASE="http://127.0.0.1:$HTTP_PORT"
GOLDEN="$WORKSPACE_ROOT/docs/openapi.json"

# Served without a token, as JSON.
curl -sS -D "$TMP/headers" -o "$TMP/openapi.json" "$BASE/openapi.json" || fail "GET /openapi.json"
grep -qi '^content-type: application/json' "$TMP/headers" || fail "not JSON: $(cat "$TMP/headers")"
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
  cp "$TMP/openapi.json" "$GOLDEN"
  echo "updated $GOLDEN"
fi
diff -u "$GOLDEN" "$TMP/openapi.json" >"$TMP/diff" ||
  fail "/openapi.json differs from docs/openapi.json (after a deliberate API change run: bazel test //tests:openapi_test --test_env=UPDATE_GOLDEN=1):
$(head -60 "$TMP/diff")"

node "$RUNFILES/tests/openapi_check.mjs" "$WORKSPACE_ROOT/node_modules" "$BASE" "$TMP/openapi.json" \
  "$READER" "$WRITER" || fail "openapi_check failed"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
