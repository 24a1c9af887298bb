#!/usr/bin/env bash
# The wire output of the demo data: the REST route in JSON, JSV and through
# /json/reply byte for byte, and gRPC GetActiveSessions (paged and unpaged)
# as the decoded response, compared with golden files recorded from the
# server. Guards refactors (the layout, the read path) against any change
# of what clients receive.
#
# Why gRPC is compared decoded: protobuf serializes map fields
# (SessionInfo.application_data) in hash order, which differs from one
# process to the next, so even one binary's bytes are not reproducible.
# `protoc --decode` prints map entries sorted by key; the golden .txtpb is
# that canonical form, and the byte length must match too.
#
# Recording (only when a change of the wire output is intended, reviewed as
# a diff of the golden files): run this script outside Bazel with
# `--record DIR` and TEST_SRCDIR pointing at a runfiles-like tree of the
# binaries to record from.
source "$(dirname "$0")/e2e_lib.sh"

GOLDEN_DIR="$WORKSPACE_ROOT/tests/testdata/wire_golden"
RECORD_DIR=""
if [[ ${1:-} == --record ]]; then RECORD_DIR="$2"; mkdir -p "$RECORD_DIR"; fi
command -v nghttp >/dev/null || fail "nghttp not installed (tools/install_deps.sh: nghttp2-client)"
command -v protoc >/dev/null || fail "protoc not installed (tools/install_deps.sh: protobuf-compiler)"

"$CTL_BIN" token secret >"$TMP/token"
TOKEN="$(cat "$TMP/token")"
start_server "$TMP/s.db" --bootstrap_token_file="$TMP/token" --bootstrap_account=acct-demo-1
BASE="http://127.0.0.1:$HTTP_PORT"

# grpc_frame HEX_PAYLOAD: a gRPC length-prefixed message frame.
grpc_frame() {
  local hex
  hex=$(printf '00%08x%s' $((${#1} / 2)) "$1")
  printf "$(sed 's/../\\x&/g' <<<"$hex")"
}
# grpc_raw NAME REQUEST_HEX: the response body (length-prefixed frames) of
# GetActiveSessions with the given serialized request.
grpc_raw() {
  grpc_frame "$2" >"$TMP/$1.req"
  nghttp -d "$TMP/$1.req" -H 'content-type: application/grpc' -H 'te: trailers' \
    -H "authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$GRPC_PORT/voice.api.app.portal.v1.PortalService/GetActiveSessions" \
    >"$TMP/$1.frame" 2>"$TMP/$1.err" || fail "$1: nghttp failed: $(cat "$TMP/$1.err")"
  [[ -s "$TMP/$1.frame" ]] || fail "$1: empty gRPC response"
  # One frame: 5-byte prefix, then the message; its size as a header line.
  tail -c +6 "$TMP/$1.frame" >"$TMP/$1.pb"
  { echo "# $(wc -c <"$TMP/$1.pb") bytes"
    protoc -I"$RUNFILES/protos" --decode=voice.api.app.portal.v1.GetActiveSessionsResponse \
      voice/api/app/portal/v1/portal.proto <"$TMP/$1.pb"
  } >"$TMP/$1" || fail "$1: protoc cannot decode the response"
}
rest() {  # rest NAME PATH [curl args]
  rest_status 200 "$@"
}
rest_status() {  # rest_status CODE NAME PATH [curl args]: the answer must have status CODE
  local want="$1" name="$2" path="$3"; shift 3
  local code
  code=$(curl -sS --max-time 60 -o "$TMP/$name" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" "$@" "$BASE$path") || fail "$name: curl failed"
  [[ $code == "$want" ]] || fail "$name: HTTP $code, want $want: $(head -c 300 "$TMP/$name")"
}

grpc_raw grpc_all.txtpb ""
# page_size = 3 (field 4); account_id = "acct-demo-2" (field 1, an admin token).
grpc_raw grpc_page.txtpb "2003"
grpc_raw grpc_other_account.txtpb "0a0b616363742d64656d6f2d32"
rest rest.json "/portal/active-sessions"
rest rest.jsv "/portal/active-sessions?format=jsv"
rest rest_customer.json "/api/AppGetActiveSessions?accountId=acct-demo-1&customerId=cust-acme-hq"
rest reply.json "/json/reply/AppGetActiveSessions" -H "Content-Type: application/json" \
  -d '{"AccountId":"acct-demo-1","StartDate":"2026-11-25T10:00:00Z"}'
# Error bodies: a field error (fieldName), an indexed path (message only),
# a bad enum in a body, a write that fails validation (nothing is stored).
rest_status 400 error_start_date.json "/portal/active-sessions?startDate=yesterday"
rest_status 400 error_batch_id.json "/v1/sessions:batchUpsert" -H "Content-Type: application/json" \
  -d '{"sessions":[{"accountId":"acct-demo-1","dateCreated":"2026-11-25T10:00:00Z"}]}'
rest_status 400 error_enum.jsv "/portal/active-sessions?format=jsv&pageSize=x"
rest_status 400 error_member.json "/v1/sessions:upsert" -H "Content-Type: application/json" \
  -d '{"session":{"id":"x","accountId":"acct-demo-1","dateCreated":"2026-11-25T10:00:00Z","members":[{"callState":99}]}}'

stop_server
FILES=(grpc_all.txtpb grpc_page.txtpb grpc_other_account.txtpb rest.json rest.jsv rest_customer.json
  reply.json error_start_date.json error_batch_id.json error_enum.jsv error_member.json)
if [[ -n $RECORD_DIR ]]; then
  for f in "${FILES[@]}"; do cp "$TMP/$f" "$RECORD_DIR/$f"; done
  echo "recorded ${#FILES[@]} responses in $RECORD_DIR"
  exit 0
fi
for f in "${FILES[@]}"; do
  [[ -f $GOLDEN_DIR/$f ]] || fail "no golden file $GOLDEN_DIR/$f"
  cmp -s "$TMP/$f" "$GOLDEN_DIR/$f" ||
    fail "$f differs from the golden file ($(wc -c <"$TMP/$f") vs $(wc -c <"$GOLDEN_DIR/$f") bytes)"
done
echo "PASS: ${#FILES[@]} responses byte-identical to tests/testdata/wire_golden"
