#!/usr/bin/env bash
# ServiceStack Server Events (/event-stream) on the real binary: the raw
# frames with `curl -N` (onConnect first, onJoin, `channel@cmd.<Type>`
# messages, ids counting from 1), a subscription that sends no heartbeat
# closed after the idle timeout, the errors (no token, another tenant's
# channel, a customer outside the token's subtree, a bad channel, an
# unknown heartbeat id), then ServiceStack's own ServerEventsClient
# (tests/server_events_client.mjs).
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/events.db"
start_server "$DB" --server_events_heartbeat_interval=500ms --server_events_idle_timeout=2s
READ1=$(new_token "$DB" acct-demo-1 sessions:read)
WRITE1=$(new_token "$DB" acct-demo-1 sessions:write)
READ2=$(new_token "$DB" acct-demo-2 sessions:read)
WRITE2=$(new_token "$DB" acct-demo-2 sessions:write)
HQ=$(new_token "$DB" acct-demo-1 sessions:read --customer=cust-acme-hq)
BASE="http://127.0.0.1:$HTTP_PORT"

# No heartbeat: the server closes the subscription after its idle timeout
# (2 s), so curl ends by itself (exit 0) long before --max-time.
start=$(date +%s)
curl -sS -N --max-time 60 -D "$TMP/headers" -H "Authorization: Bearer $READ1" \
  "$BASE/event-stream?channels=acct-demo-1,acct-demo-1/cust-acme-hq" >"$TMP/raw" \
  || fail "the idle subscription was not closed by the server (curl rc $?)"
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -lt 30 ] || fail "the idle subscription lasted ${elapsed}s"
grep -qi '^content-type: text/event-stream' "$TMP/headers" || fail "no text/event-stream"
grep -qi '^cache-control: no-cache' "$TMP/headers" || fail "no Cache-Control: no-cache"
head -2 "$TMP/raw" | tr -d '\r' >"$TMP/first"
[ "$(sed -n 1p "$TMP/first")" = "id: 1" ] || fail "the first frame is not id 1: $(head -3 "$TMP/raw")"
sed -n 2p "$TMP/first" | grep -q '^data: cmd.onConnect {' || fail "onConnect is not first: $(head -3 "$TMP/raw")"
grep -q '^data: acct-demo-1@cmd.onJoin {' "$TMP/raw" || fail "no onJoin for acct-demo-1"
grep -q '^data: acct-demo-1/cust-acme-hq@cmd.onJoin {' "$TMP/raw" || fail "no onJoin for the customer"
grep -q '^data: acct-demo-1@cmd.Snapshot {"type":"Snapshot"' "$TMP/raw" || fail "no Snapshot"
grep -q '^data: acct-demo-1/cust-acme-hq@cmd.Synced {"type":"Synced"' "$TMP/raw" || fail "no Synced"
grep -q '"heartbeatIntervalMs":"500","idleTimeoutMs":"2000"' "$TMP/raw" || fail "intervals"
grep -q "$READ1" "$TMP/raw" && fail "the token appears in the stream"
# ids count 1, 2, 3, ... without a gap.
awk '/^id: / {n++; if ($2 != n) {print "id " $2 " where " n " was due"; exit 1}}' "$TMP/raw" \
  || fail "event ids do not count from 1"
# The customer channel carries that subtree: the REST listing filtered by
# that customer, no more, no less.
grep '^data: acct-demo-1/cust-acme-hq@cmd.Snapshot' "$TMP/raw" | sed 's/^[^{]*//' >"$TMP/hq.json"
curl -sS --max-time 60 -H "Authorization: Bearer $READ1" \
  "$BASE/portal/active-sessions?customerId=cust-acme-hq" >"$TMP/hq_listing.json" || fail "listing"
python3 - "$TMP/hq.json" "$TMP/hq_listing.json" <<'PY' || fail "the customer channel differs from the filtered listing"
import json, sys
streamed = {s["id"] for line in open(sys.argv[1]) for s in json.loads(line).get("sessions", [])}
listed = {s["id"] for s in json.load(open(sys.argv[2]))["sessions"]}
assert streamed and streamed == listed, (sorted(streamed), sorted(listed))
PY

expect_error() {  # expect_error CODE TOKEN QUERY TEXT
  local code
  code=$(curl -sS -o "$TMP/err" -w '%{http_code}' --max-time 60 ${2:+-H "Authorization: Bearer $2"} \
    "$BASE/event-stream$3")
  [ "$code" = "$1" ] || fail "$3: HTTP $code, expected $1: $(cat "$TMP/err")"
  grep -q "$4" "$TMP/err" || fail "$3: the error does not say '$4': $(cat "$TMP/err")"
}
expect_error 401 "" "?channels=acct-demo-1" '"errorCode":"Unauthorized"'
expect_error 403 "$READ1" "?channels=acct-demo-1,acct-demo-2" '"errorCode":"Forbidden","message":"channel \\"acct-demo-2\\": '
# A token restricted to HQ asking for a sibling customer gets an empty
# channel, as the watch route answers it: neither a session nor a 403 that
# would tell whether the sibling has any (no oracle).
curl -sS -N --max-time 60 -H "Authorization: Bearer $HQ" \
  "$BASE/event-stream?channels=acct-demo-1/cust-acme-emea" >"$TMP/sibling" || fail "sibling channel"
grep -q '^data: acct-demo-1/cust-acme-emea@cmd.Synced ' "$TMP/sibling" || fail "no Synced on the sibling"
grep -q '"sessions":\[{' "$TMP/sibling" && fail "a restricted token saw a sibling's session"
expect_error 400 "$READ1" "?channels=a@b" '"fieldName":"Channels"'
expect_error 400 "$READ1" "?channels=1,2,3,4,5,6,7,8,9" 'at most 8 channels'
code=$(curl -sS -o "$TMP/err" -w '%{http_code}' --max-time 60 -X POST "$BASE/event-heartbeat?id=0123")
[ "$code" = 404 ] || fail "unknown heartbeat id: HTTP $code"
code=$(curl -sS -o "$TMP/err" -w '%{http_code}' --max-time 60 -X POST "$BASE/event-unregister?id=0123")
[ "$code" = 404 ] || fail "unknown unregister id: HTTP $code"
# Refused subscriptions hold no watch.
curl -sS --max-time 10 "$BASE/metrics" | grep -q '^sessions_watches{transport="sse"} 0$' \
  || fail "a refused subscription left a watch open"

node "$RUNFILES/tests/server_events_client.mjs" "$WORKSPACE_ROOT/node_modules" "$BASE" \
  "$READ1" "$WRITE1" "$READ2" "$WRITE2" || fail "server_events_client failed"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
