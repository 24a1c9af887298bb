#!/usr/bin/env bash
# A client that stops reading its GetActiveSessions answers (HTTP/2 windows
# of one byte: h2load -w 1 -W 1, 20 connections x 256 streams) costs the
# server a bounded amount of memory and only its own token's calls: past
# --grpc_max_unread_answers_per_token the token's calls are
# RESOURCE_EXHAUSTED, while another token's calls are answered in full.
# Without the bound these answers stayed in the server's memory (about
# 65 KB each, 330 MB for this client; RELIABILITY.md).
source "$(dirname "$0")/e2e_lib.sh"
command -v h2load >/dev/null || fail "h2load not installed (Debian nghttp2-client; tools/install_deps.sh)"

DB="$TMP/unread.db"
start_server "$DB" --grpc_max_unread_answers_per_token=8 --log_level=info
STUCK=$(new_token "$DB" acct-demo-1 sessions:read)
OTHER=$(new_token "$DB" acct-demo-1 sessions:read)
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
printf '\x00\x00\x00\x00\x00' >"$TMP/frame.bin"
METHOD=voice.api.app.portal.v1.PortalService/GetActiveSessions

before=$(rss)
timeout 120 h2load -c 20 -m 256 -w 1 -W 1 -D 10 -d "$TMP/frame.bin" \
  -H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: Bearer $STUCK" \
  "http://127.0.0.1:$GRPC_PORT/$METHOD" >"$TMP/h2load.out" 2>&1 &
H2LOAD=$!
# Wait (bounded) until the stuck client holds its places: its token's next
# call is refused.
/usr/bin/python3 - "$GRPC_PORT" "$STUCK" "$OTHER" <<'PY' || fail "the bound did not hold"
import sys, time, grpc
port, stuck, other = sys.argv[1:4]
call = grpc.insecure_channel("127.0.0.1:" + port).unary_unary(
    "/voice.api.app.portal.v1.PortalService/GetActiveSessions")
def ask(token):
    try:
        return grpc.StatusCode.OK, call(b"", metadata=[("authorization", "Bearer " + token)],
                                        timeout=30)
    except grpc.RpcError as e:
        return e.code(), e.details()
deadline = time.time() + 60
while True:
    code, detail = ask(stuck)
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        break
    assert time.time() < deadline, "the stuck token's calls were never refused: %s" % code
    time.sleep(0.1)
assert "not read" in detail, detail
code, answer = ask(other)
assert code == grpc.StatusCode.OK and len(answer) > 1000, (code, answer[:100])
print("stuck token refused (%s); the other token answered (%d bytes)" % (detail, len(answer)))
PY
during=$(rss)
# The refused calls are reported as refused (metrics and access log), not
# as the answers they would have been.
metrics=$(curl -sf "http://127.0.0.1:$HTTP_PORT/metrics") || fail "/metrics unreachable"
grep '^sessions_rpc_requests_total{.*GetActiveSessions' <<<"$metrics" |
  grep -q 'code="RESOURCE_EXHAUSTED"' ||
  fail "refusals not counted as RESOURCE_EXHAUSTED: $(grep GetActiveSessions <<<"$metrics" | head -5)"
grep -q 'code=RESOURCE_EXHAUSTED' "$TMP/server.err" "$TMP/server.out" 2>/dev/null ||
  fail "refusals not access-logged as RESOURCE_EXHAUSTED"
wait "$H2LOAD" || true
growth=$(( (during - before) / 1024 ))
echo "RSS before ${before} kB, while stuck ${during} kB (+${growth} MB)"
# Unbounded, this client's answers alone took ~330 MB. Under ASan the
# figure means nothing (its quarantine keeps the memory of the refused
# calls' buffers), so it is checked in the normal build only.
if [ -n "${ASAN_OPTIONS:-}" ]; then
  echo "memory not checked: AddressSanitizer build"
else
  [ "$growth" -lt 150 ] || fail "the stuck client grew the server by ${growth} MB"
fi
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
