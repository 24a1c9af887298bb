#!/usr/bin/env bash
# WatchActiveSessions as Server-Sent Events on the real binary: the raw
# stream with `curl -N` (headers, retry hint, events, ids), then a real
# EventSource client (tests/sse_client.mjs) through a write, a server-ended
# stream and its automatic resume with Last-Event-ID; the wrong token and a
# bad Last-Event-ID get ResponseStatus errors.
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/sse.db"
# Short lifetime: the stream ends by itself and EventSource resumes.
start_server "$DB" --watch_max_lifetime=4s --watch_bookmark_interval=1s
TOKEN=$(new_token "$DB" acct-demo-1 sessions:read)
WRITER=$(new_token "$DB" acct-demo-1 sessions:write)
BASE="http://127.0.0.1:$HTTP_PORT"
URL="$BASE/portal/active-sessions/watch"

# curl -N: unbuffered; the stream ends at its lifetime (4 s).
curl -sS -N --max-time 60 -D "$TMP/headers" -H "Authorization: Bearer $TOKEN" "$URL" >"$TMP/raw" \
  || fail "curl -N failed"
grep -qi '^content-type: text/event-stream' "$TMP/headers" || fail "no text/event-stream: $(cat "$TMP/headers")"
grep -qi '^cache-control: no-cache' "$TMP/headers" || fail "no Cache-Control: no-cache"
grep -qi '^transfer-encoding: chunked' "$TMP/headers" || fail "not chunked"
head -1 "$TMP/raw" | grep -q '^retry: 3000$' || fail "no retry hint first: $(head -3 "$TMP/raw")"
grep -q '^event: snapshot$' "$TMP/raw" || fail "no snapshot event"
grep -q '^event: synced$' "$TMP/raw" || fail "no synced event"
grep -q '^event: bookmark$' "$TMP/raw" || fail "no bookmark on the idle stream"
grep -q '^event: end$' "$TMP/raw" || fail "no end event at the stream's lifetime"
grep -q '"errorCode":"ServiceUnavailable"' "$TMP/raw" || fail "the end event has no ResponseStatus"
# Snapshot events carry no id (a reconnect mid-snapshot must not resume).
awk '/^event: snapshot$/ {s=1; next} s && /^id:/ {exit 1} /^$/ {s=0}' "$TMP/raw" \
  || fail "a snapshot event carries an id"
SYNCED_ID=$(awk '/^event: synced$/ {getline; sub(/^id: /, ""); print; exit}' "$TMP/raw")
[[ "$SYNCED_ID" =~ ^[0-9]+$ ]] || fail "synced has no numeric id: $SYNCED_ID"
grep -q "^data: {\"type\":\"Synced\",\"revision\":$SYNCED_ID" "$TMP/raw" || fail "synced data"

# /metrics counts the open SSE stream and shows the view's revision.
curl -sS -N --max-time 60 -H "Authorization: Bearer $TOKEN" "$URL" >/dev/null &
CURL_PID=$!
for i in $(seq 1 600); do
  curl -sS --max-time 10 "$BASE/metrics" >"$TMP/metrics" || true
  grep -q '^sessions_watches{transport="sse"} 1$' "$TMP/metrics" && break
  sleep 0.1
done
grep -q '^sessions_watches{transport="sse"} 1$' "$TMP/metrics" || fail "no open SSE watch in /metrics"
grep -Eq '^sessions_live_view_revision [1-9][0-9]*$' "$TMP/metrics" || fail "no view revision"
grep -q '^sessions_watch_events_sent_total ' "$TMP/metrics" || fail "no events counter"
kill "$CURL_PID" 2>/dev/null || true
wait "$CURL_PID" 2>/dev/null || true

# Resume by header: no snapshot, straight to synced.
curl -sS -N --max-time 60 -H "Authorization: Bearer $TOKEN" -H "Last-Event-ID: $SYNCED_ID" "$URL" \
  >"$TMP/resumed" || fail "resume failed"
grep -q '^event: snapshot$' "$TMP/resumed" && fail "a resume sent a snapshot"
grep -q '^event: synced$' "$TMP/resumed" || fail "the resume has no synced"

# Errors are ResponseStatus bodies with the right code.
code=$(curl -sS -o "$TMP/e1" -w '%{http_code}' --max-time 60 "$URL")
[ "$code" = 401 ] || fail "no token: HTTP $code"
code=$(curl -sS -o "$TMP/e2" -w '%{http_code}' --max-time 60 -H "Authorization: Bearer $TOKEN" \
  -H "Last-Event-ID: yesterday" "$URL")
[ "$code" = 400 ] || fail "bad Last-Event-ID: HTTP $code"
grep -q 'Last-Event-ID' "$TMP/e2" || fail "the 400 does not name Last-Event-ID: $(cat "$TMP/e2")"

node "$RUNFILES/tests/sse_client.mjs" "$WORKSPACE_ROOT/node_modules" "$BASE" "$TOKEN" "$WRITER"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
