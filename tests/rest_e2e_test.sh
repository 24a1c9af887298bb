#!/usr/bin/env bash
# End-to-end test of the REST gateway with the real sessions_server binary
# and curl: ServiceStack routes and dialect, auth, errors, CORS, gzip,
# operational endpoints, graceful stop on SIGTERM.
source "$(dirname "$0")/e2e_lib.sh"

WORK="$TMP"
# A bootstrap admin token file, as the Kubernetes Secret provides it.
"$CTL_BIN" token secret >"$WORK/token"
TOKEN="$(cat "$WORK/token")"
start_server "$WORK/s.db" --bootstrap_token_file="$WORK/token" \
  --bootstrap_account=acct-demo-1 --cors_allowed_origins=https://portal.example.com
[[ -n "$HTTP_PORT" && "$HTTP_PORT" != 0 ]] || fail "no READY line with an http_port"
BASE="http://127.0.0.1:$HTTP_PORT"
AUTH=(-H "Authorization: Bearer $TOKEN")

# request <name> <expected status> <curl args...>: body in $WORK/body, headers in $WORK/headers.
request() {
  local name="$1" want="$2"
  shift 2
  local got
  got="$(curl -sS --max-time 10 -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@")" ||
    fail "$name: curl failed"
  [[ "$got" == "$want" ]] || fail "$name: status $got, want $want; body: $(head -c 300 "$WORK/body")"
}
body_has() { grep -qF -- "$2" "$WORK/body" || fail "$1: body lacks $2: $(head -c 300 "$WORK/body")"; }
header_has() { grep -qiF -- "$2" "$WORK/headers" || fail "$1: headers lack $2: $(cat "$WORK/headers")"; }

request "portal route" 200 "${AUTH[@]}" "$BASE/portal/active-sessions"
header_has "portal route" "Content-Type: application/json; charset=utf-8"
body_has "portal route" '{"sessions":[{'
body_has "portal route" '"callState":"'

request "api route jsv" 200 "${AUTH[@]}" "$BASE/api/AppGetActiveSessions.jsv?accountId=acct-demo-1"
header_has "api route jsv" "Content-Type: text/jsv"
body_has "api route jsv" "{sessions:[{"

request "json/reply POST" 200 "${AUTH[@]}" -H "Content-Type: application/json" \
  -d '{"AccountId":"acct-demo-1"}' "$BASE/json/reply/AppGetActiveSessions"
body_has "json/reply POST" '{"sessions":['

request "accept jsv" 200 "${AUTH[@]}" -H "Accept: text/jsv" "$BASE/portal/active-sessions"
header_has "accept jsv" "Content-Type: text/jsv"

request "no token" 401 "$BASE/portal/active-sessions"
header_has "no token" "WWW-Authenticate: Bearer"
body_has "no token" '"errorCode":"Unauthorized"'

request "bad start date" 400 "${AUTH[@]}" "$BASE/portal/active-sessions?startDate=yesterday"
body_has "bad start date" '"fieldName":"StartDate"'

request "unknown route" 404 "${AUTH[@]}" "$BASE/nope"
body_has "unknown route" '{"responseStatus":{"errorCode":"NotFound"'

request "wrong method" 405 "${AUTH[@]}" -X DELETE "$BASE/portal/active-sessions"
header_has "wrong method" "Allow: GET"

request "preflight" 204 -X OPTIONS -H "Origin: https://portal.example.com" \
  -H "Access-Control-Request-Method: GET" "$BASE/api/AppGetActiveSessions"
header_has "preflight" "Access-Control-Allow-Origin: https://portal.example.com"
header_has "preflight" "Access-Control-Allow-Credentials: true"

request "cors refused" 200 "${AUTH[@]}" -H "Origin: https://evil.example.com" "$BASE/portal/active-sessions"
if grep -qi "Access-Control-Allow-Origin" "$WORK/headers"; then fail "cors refused: got CORS headers"; fi

request "gzip" 200 "${AUTH[@]}" --compressed "$BASE/portal/active-sessions"
header_has "gzip" "Content-Encoding: gzip"
body_has "gzip" '{"sessions":[{'

request "bad percent-encoding" 400 "${AUTH[@]}" "$BASE/portal/active-sessions?accountId=%zz"
request "healthz" 200 "$BASE/healthz"
request "readyz" 200 "$BASE/readyz"
request "metrics" 200 "$BASE/metrics"
body_has "metrics" 'sessions_http_requests_total'
body_has "metrics" 'sessions_store_commits_total'

# Each session is rendered once per format while it stays unchanged: the
# answers above filled the cache, so asking again renders nothing.
metric() { awk -v name="$1" '$1 == name { print $2 }' "$WORK/body"; }
RENDERS=$(metric sessions_live_view_renders_total)
[[ ${RENDERS:-0} -gt 0 && $(metric sessions_live_view_rendering_cache_bytes) -gt 0 ]] ||
  fail "metrics: no cached renderings after JSON and JSV answers (renders=$RENDERS)"
request "portal route again" 200 "${AUTH[@]}" "$BASE/portal/active-sessions"
request "api route jsv again" 200 "${AUTH[@]}" "$BASE/api/AppGetActiveSessions.jsv?accountId=acct-demo-1"
request "metrics again" 200 "$BASE/metrics"
[[ $(metric sessions_live_view_renders_total) == "$RENDERS" ]] ||
  fail "metrics: repeated answers rendered again ($RENDERS -> $(metric sessions_live_view_renders_total))"

stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC after SIGTERM"
echo "PASS: rest_e2e_test"
