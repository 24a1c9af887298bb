#!/usr/bin/env bash
# End to end with the built binary: reflection lists the API (buf curl),
# GetActiveSessions returns the demo sessions, health is SERVING, calls
# without a token are refused, SIGTERM exits cleanly.
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/e2e.db"
# The limit flags parse and the server runs with them.
start_server "$DB" --grpc_max_concurrent_streams=64 --grpc_keepalive_time=30s \
  --grpc_max_connection_age=10m --grpc_memory_quota_mb=128 --http_max_connections_per_peer=64 \
  --http_request_timeout=20s --http_max_buffered_body_mb=32
TOKEN=$(new_token "$DB" acct-demo-1 sessions:read)
[[ "$TOKEN" == ast_* ]] || fail "sessionsctl did not print a token"

services=$("$BUF" curl --protocol grpc --http2-prior-knowledge --list-services "http://127.0.0.1:$GRPC_PORT")
echo "$services" | grep -qx "voice.api.app.portal.v1.PortalService" || fail "reflection: no PortalService in: $services"
echo "$services" | grep -qx "voice.api.sessions.v1.SessionIngestService" || fail "reflection: no SessionIngestService"

grpc_call "$TOKEN" voice.api.app.portal.v1.PortalService/GetActiveSessions '{}' >"$TMP/active.json" \
  || fail "GetActiveSessions failed"
python3 - "$TMP/active.json" <<'PY' || fail "unexpected GetActiveSessions answer"
import json, sys
sessions = json.load(open(sys.argv[1]))["sessions"]
assert len(sessions) >= 5, len(sessions)
assert all(s["accountId"] == "acct-demo-1" for s in sessions)
assert not any(s.get("ended") for s in sessions)
created = [s["dateCreated"] for s in sessions]
assert created == sorted(created), "not ordered by dateCreated"
# Every seed field appears on at least one demo session.
seen = set().union(*[s.keys() for s in sessions])
for field in ["dialState", "callState", "queueState", "customerBreadcrumb", "log", "members",
              "consoleData", "holdReason", "direction", "mostRecentParticipantCallSid",
              "ringQueueId", "createdBy", "lastModifiedBy", "dateLastModified"]:
    assert field in seen, field
print("ok", len(sessions), "sessions")
PY

health=$(grpc_call "" grpc.health.v1.Health/Check '{}')
echo "$health" | grep -q '"SERVING"' || fail "health not SERVING: $health"

if grpc_call "" voice.api.app.portal.v1.PortalService/GetActiveSessions '{}' 2>"$TMP/unauth.err"; then
  fail "call without token succeeded"
fi
grep -qi unauthenticated "$TMP/unauth.err" || fail "expected unauthenticated, got: $(cat "$TMP/unauth.err")"

if grpc_call "$TOKEN" voice.api.app.portal.v1.PortalService/GetActiveSessions '{"startDate":"nope"}' 2>"$TMP/bad.err"; then
  fail "invalid start_date accepted"
fi
grep -q "start_date" "$TMP/bad.err" || fail "error does not name start_date: $(cat "$TMP/bad.err")"

stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC after SIGTERM"
# SIGHUP (a closed terminal) drains like SIGTERM.
start_server "$DB"
stop_server HUP
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC after SIGHUP"
# A database that cannot be opened: non-zero exit with one clear line.
rc=0
"$SERVER_BIN" --grpc_address=127.0.0.1:0 --http_address= --db_path=/nonexistent-dir/x/s.db \
  >"$TMP/bad_db.out" 2>"$TMP/bad_db.err" || rc=$?
[ "$rc" -ne 0 ] || fail "server started on an unopenable database"
[ "$(wc -l <"$TMP/bad_db.err")" -eq 1 ] || fail "expected one error line, got: $(cat "$TMP/bad_db.err")"
grep -q "cannot open database" "$TMP/bad_db.err" || fail "unclear error: $(cat "$TMP/bad_db.err")"
# A limit that would refuse everything: non-zero exit naming it.
rc=0
"$SERVER_BIN" --grpc_address=127.0.0.1:0 --http_address= --db_path="$TMP/limits.db" \
  --grpc_max_concurrent_streams=0 >"$TMP/bad_limit.out" 2>"$TMP/bad_limit.err" || rc=$?
[ "$rc" -ne 0 ] || fail "server started with --grpc_max_concurrent_streams=0"
grep -q "max_concurrent_streams" "$TMP/bad_limit.err" || fail "unclear error: $(cat "$TMP/bad_limit.err")"
echo "PASS"
