#!/usr/bin/env bash
# sessionsctl watch against the real server: a line per change in a pipe,
# resumed from its last revision after the server is killed and restarted
# (nothing replayed twice, nothing missed), a table when asked for one, and
# a refused token ending the command instead of retrying forever.
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/watch.db"
start_server "$DB"
PORT=$GRPC_PORT
new_token "$DB" acct-demo-1 sessions:read,sessions:write >"$TMP/token"
TOKEN=$(cat "$TMP/token")

# wait_for FILE PATTERN: until a line matches (at most 60 s).
wait_for() {
  local i
  for i in $(seq 1 600); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no line matching '$2' in $1 within 60 s: $(cat "$1")"
}
upsert() {  # upsert ID [ENDED]
  grpc_call "$TOKEN" voice.api.sessions.v1.SessionIngestService/UpsertSession \
    "{\"session\":{\"accountId\":\"acct-demo-1\",\"id\":\"$1\",\"dateCreated\":\"2026-12-03T10:00:00Z\",\"displayName\":\"watched $1\",\"ended\":${2:-false}}}" >/dev/null
}

"$CTL_BIN" watch --server="127.0.0.1:$PORT" --token_file="$TMP/token" --format=lines \
  --max_changes=3 >"$TMP/watch.out" 2>"$TMP/watch.err" &
WATCH_PID=$!
wait_for "$TMP/watch.out" ' synced '
upsert w1
wait_for "$TMP/watch.out" ' upsert w1 '

# The server dies; the watcher keeps trying and resumes on the restarted one.
stop_server KILL
wait_for "$TMP/watch.err" 'resuming from revision'
start_server "$DB" --grpc_address="127.0.0.1:$PORT"
[ "$GRPC_PORT" = "$PORT" ] || fail "the server came back on $GRPC_PORT, not $PORT"
upsert w2
upsert w1 true
for i in $(seq 1 600); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$WATCH_PID" 2>/dev/null && fail "watch did not stop after 3 changes: $(cat "$TMP/watch.out")"
wait "$WATCH_PID" || fail "watch exited $?: $(cat "$TMP/watch.err")"

[ "$(grep -c ' upsert w1 ' "$TMP/watch.out")" = 1 ] || fail "w1's upsert not exactly once: $(cat "$TMP/watch.out")"
grep -q ' upsert w2 ' "$TMP/watch.out" || fail "w2 missed after the resume"
# It resumed from where it was (a revision), not with a new listing.
grep -qE 'resuming from revision [1-9][0-9]*' "$TMP/watch.err" \
  || fail "not resumed from a revision: $(cat "$TMP/watch.err")"
grep -q ' remove w1$' "$TMP/watch.out" || fail "w1's end missed after the resume"
# Revisions only go up across the restart.
awk '{ if ($1 + 0 < last) { print "revision went back: " $0; exit 1 } last = $1 + 0 }' \
  "$TMP/watch.out" || fail "revisions out of order"

# A table, on request (a terminal would get it by default).
"$CTL_BIN" watch --server="127.0.0.1:$PORT" --token_file="$TMP/token" --format=table \
  --max_changes=1 >"$TMP/table.out" 2>"$TMP/table.err" &
TABLE_PID=$!
wait_for "$TMP/table.out" 'active sessions at revision'
upsert w3
for i in $(seq 1 600); do kill -0 "$TABLE_PID" 2>/dev/null || break; sleep 0.1; done
wait "$TABLE_PID" || fail "table watch exited $?: $(cat "$TMP/table.err")"
grep -q 'w3' "$TMP/table.out" || fail "the table never showed w3"
grep -q 'call: ' "$TMP/table.out" || fail "the table has no state counts"

# A token that does not work ends the command (exit 1), no retry loop.
echo "ast_not-a-real-token-not-a-real-token-not-a-real" >"$TMP/bad"
set +e
timeout 60 "$CTL_BIN" watch --server="127.0.0.1:$PORT" --token_file="$TMP/bad" --format=lines \
  >/dev/null 2>"$TMP/bad.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "a bad token gave exit $rc (124: it kept retrying): $(cat "$TMP/bad.err")"
grep -q 'refused' "$TMP/bad.err" || fail "no refusal message: $(cat "$TMP/bad.err")"

stop_server
echo "PASS: sessionsctl watch (lines, resume across a server restart, table, refusal)"
