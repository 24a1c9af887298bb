#!/usr/bin/env bash
# Soak test of sessions_server (issue 17; a script, not in CI): MINUTES
# one-minute windows at about half the server's capacity, everything at once:
#   - reads paced evenly (bench/paced_load, open loop) at LOAD_FRACTION of
#     the measured gRPC maximum and of the REST maximum;
#   - writes: bench/ingest_bench, the realistic mix (new sessions, state
#     changes, log appends, member changes, ends; ids never recycled),
#     INGEST_WRITERS closed-loop writers;
#   - slow clients: SLOW_WATCHERS Server-Sent Events watches read at 2 kB/s;
#   - never-reading clients: STUCK_WATCHERS watches whose client never reads
#     (reconnected whenever the server cuts them);
#   - hostile traffic: no or bad tokens, 4 MiB bodies without a token,
#     made-up methods, Transfer-Encoding: gzip, "%3A" verbs, unknown fields.
# It records the server's RSS every 10 s and each window's p99, and prints
# the figures RELIABILITY.md keeps: errors on legitimate calls (must be 0),
# RSS growth after the warm-up (the first two windows; goal < 5 %), p99 per
# window (stable), the hostile answers by status, the server's exit code on
# SIGTERM.
#
#   bench/soak.sh                   # 10 windows, builds with -c opt
#   MINUTES=2 bench/soak.sh --bin-dir DIR
#
# Traffic goes to 127.0.0.1 only; every client is bounded and stopped on exit.
set -euo pipefail

BIN_DIR=""
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin-dir) BIN_DIR="$2"; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
: "${MINUTES:=10}" "${INGEST_WRITERS:=4}" "${SLOW_WATCHERS:=20}" "${STUCK_WATCHERS:=10}"
: "${LOAD_FRACTION:=0.15}"  # of each read maximum, gRPC and REST
# 0.15 + 0.15 of the read maxima, with the writers, the watchers and the
# hostile clients on the same two cores, keeps the server near half its
# capacity (each window prints the server's CPU). 0.25 + 0.25 overloads a
# 2-core machine: the generators themselves fall behind (RELIABILITY.md).

log() { echo "[soak] $*" >&2; }
die() { echo "[soak] ERROR: $*" >&2; exit 1; }
# shellcheck source=bench/server_lib.sh
source "$(dirname "$0")/server_lib.sh"
for tool in h2load curl python3 awk; do command -v "$tool" >/dev/null || die "$tool not found"; done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $BIN_DIR ]]; then
  cd "$ROOT"
  FLAGS=(-c opt --symlink_prefix=/)
  bazel build "${FLAGS[@]}" //server:sessions_server //tools:sessionsctl //bench:gen_data \
    //bench:ingest_bench //bench:paced_load || die "build failed"
  BIN_DIR=$(bazel info "${FLAGS[@]}" bazel-bin 2>/dev/null)
fi
SERVER=$BIN_DIR/server/sessions_server
for b in server/sessions_server bench/gen_data bench/ingest_bench bench/paced_load; do
  [[ -x $BIN_DIR/$b ]] || die "$BIN_DIR/$b missing"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
CLIENTS=()
cleanup() {
  for pid in "${CLIENTS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_server
  if [[ $KEEP == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "data: 100 accounts x 20 active sessions, 2000 ended"
"$BIN_DIR/bench/gen_data" --db_path="$WORK/soak.db" --accounts=100 --active_per_account=20 \
  --ended=2000 --read_token_file="$WORK/read.token" --write_token_file="$WORK/write.token" \
  >"$WORK/gen_data.out" 2>&1 || { cat "$WORK/gen_data.out" >&2; die "gen_data failed"; }
READ_TOKEN=$(cat "$WORK/read.token")

# The production binary with its production logging (info, access log).
start_server_and_wait "$WORK/server.out" "$WORK/server.err" "$SERVER" --db_path="$WORK/soak.db" \
  --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0
log "server pid=$SERVER_PID grpc=$GRPC_PORT http=$HTTP_PORT"

# ---------------------------------------------------------- the maxima ----
printf '\x00\x00\x00\x00\x00' >"$WORK/frame.bin"
GAS=voice.api.app.portal.v1.PortalService/GetActiveSessions
out=$(h2load -D 10 -c 1 -m 16 -d "$WORK/frame.bin" -H 'content-type: application/grpc' \
  -H 'te: trailers' -H "authorization: Bearer $READ_TOKEN" "http://127.0.0.1:$GRPC_PORT/$GAS" 2>&1)
h2load_succeeded "$out" || die "gRPC maximum: $REQUESTS"
GRPC_MAX=$RPS
out=$(h2load --h1 -D 10 -c 1 -m 16 -H "authorization: Bearer $READ_TOKEN" \
  "http://127.0.0.1:$HTTP_PORT/portal/active-sessions" 2>&1)
h2load_succeeded "$out" || die "REST maximum: $REQUESTS"
REST_MAX=$RPS
GRPC_RATE=$(awk -v m="$GRPC_MAX" -v f="$LOAD_FRACTION" 'BEGIN { printf "%d", m * f }')
REST_RATE=$(awk -v m="$REST_MAX" -v f="$LOAD_FRACTION" 'BEGIN { printf "%d", m * f }')
log "maxima: gRPC $GRPC_MAX/s, REST $REST_MAX/s; soak rates $GRPC_RATE/s + $REST_RATE/s"

# ------------------------------------------------------- background load ----
WATCH_URL="http://127.0.0.1:$HTTP_PORT/portal/active-sessions/watch"
for i in $(seq "$SLOW_WATCHERS"); do
  ( while :; do
      curl -sS -N --limit-rate 2k --max-time 3600 -H "Authorization: Bearer $READ_TOKEN" \
        "$WATCH_URL" >/dev/null 2>&1 || true
      sleep 1
    done ) &
  CLIENTS+=($!)
done
# Never-reading watchers: a socket with a tiny receive buffer that sends the
# request and then only sleeps; reconnected when the server closes it.
python3 - "$HTTP_PORT" "$READ_TOKEN" "$STUCK_WATCHERS" >"$WORK/stuck.out" 2>&1 <<'PY' &
import socket, sys, time
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
request = ("GET /portal/active-sessions/watch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Authorization: Bearer %s\r\n\r\n" % token).encode()
socks = [None] * n
reconnects = 0
while True:
    for i in range(n):
        s = socks[i]
        if s is not None:
            try:
                s.setblocking(False)
                if s.recv(1, socket.MSG_PEEK) == b"":  # closed by the server
                    s.close(); s = None
            except BlockingIOError:
                pass
            except OSError:
                s.close(); s = None
        if s is None:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", port))
            s.sendall(request)
            reconnects += 1
        socks[i] = s
    print("connections", reconnects, flush=True)
    time.sleep(5)
PY
CLIENTS+=($!)
# Hostile traffic, about 7 requests a second; every answer's status counted.
( base="http://127.0.0.1:$HTTP_PORT"
  head -c $((4 << 20)) /dev/zero >"$WORK/big.bin"
  # A session over the 1 MiB cap, from a writer with a valid token.
  python3 -c 'import json; print(json.dumps({"session": {"id": "huge",
    "dateCreated": "2026-01-01T00:00:00Z", "displayName": "x" * (1536 << 10)}}))' \
    >"$WORK/oversized.json"
  while :; do
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 10 "$base/portal/active-sessions"
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 10 -H 'Authorization: Bearer nope' \
      "$base/portal/active-sessions"
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST --data-binary "@$WORK/big.bin" \
      "$base/v1/sessions:upsert"
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 10 -X "BREW$RANDOM" "$base/metrics"
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST -H 'Transfer-Encoding: gzip' \
      --data-binary 'x' "$base/v1/sessions:upsert"
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST \
      -H "Authorization: Bearer $(cat "$WORK/write.token")" -H 'Content-Type: application/json' \
      --data-binary "@$WORK/oversized.json" "$base/v1/sessions:upsert"
    curl -sS -o /dev/null -w '%{http_code}\n' --max-time 10 -X POST "$base/v1/sessions/x%3Aend"
    sleep 1
  done ) >"$WORK/hostile.codes" 2>/dev/null &
CLIENTS+=($!)
# gRPC: a SessionInfo carrying an unknown field (1 KiB, field 999), from a
# writer with a valid token, twice a second; every status counted (Debian's
# python3-grpcio: /usr/bin/python3).
/usr/bin/python3 - "$GRPC_PORT" "$WORK/write.token" >"$WORK/hostile_grpc.codes" 2>&1 <<'PY' &
import sys, time, grpc
port, token = sys.argv[1], open(sys.argv[2]).read().strip()
def varint(v):
    out = b""
    while v >= 0x80:
        out += bytes([v & 0x7F | 0x80]); v >>= 7
    return out + bytes([v])
def ld(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload
session = ld(999, b"u" * 1024)
request = ld(1, session)  # UpsertSessionRequest.session
call = grpc.insecure_channel("127.0.0.1:" + port).unary_unary(
    "/voice.api.sessions.v1.SessionIngestService/UpsertSession")
while True:
    try:
        call(request, metadata=[("authorization", "Bearer " + token)], timeout=10)
        print("OK", flush=True)
    except grpc.RpcError as e:
        print(e.code().name, flush=True)
    time.sleep(0.5)
PY
CLIENTS+=($!)
( while :; do
    echo "$SECONDS $(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")"
    sleep 10
  done ) >"$WORK/rss.txt" 2>/dev/null &
CLIENTS+=($!)

# ------------------------------------------------------------- windows ----
ERRORS=0
CPU=()  # the server's CPU per window, % of one core
P99_GRPC=()
P99_REST=()
RSS_AT=()
for w in $(seq "$MINUTES"); do
  "$BIN_DIR/bench/paced_load" --grpc_target="127.0.0.1:$GRPC_PORT" --grpc_method="/$GAS" \
    --token_file="$WORK/read.token" --rate="$GRPC_RATE" --duration=58s --warmup=1s \
    --min_response_bytes=1000 >"$WORK/grpc_$w.out" 2>&1 &
  g=$!
  "$BIN_DIR/bench/paced_load" --http_url="http://127.0.0.1:$HTTP_PORT/portal/active-sessions" \
    --token_file="$WORK/read.token" --rate="$REST_RATE" --duration=58s --warmup=1s \
    --connections=8 --min_response_bytes=1000 >"$WORK/rest_$w.out" 2>&1 &
  r=$!
  "$BIN_DIR/bench/ingest_bench" --target="127.0.0.1:$GRPC_PORT" --token_file="$WORK/write.token" \
    --writers="$INGEST_WRITERS" --batch_writers=0 --duration=58s --warmup=0s \
    >"$WORK/ingest_$w.out" 2>&1 &
  i=$!
  ticks_before=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
  wait "$g" || ERRORS=$((ERRORS + 1))
  wait "$r" || ERRORS=$((ERRORS + 1))
  wait "$i" || ERRORS=$((ERRORS + 1))
  ticks_after=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
  CPU+=("$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.0f", t * 100 / hz / 60 }')")
  gl=$(grep '^PACED ' "$WORK/grpc_$w.out" || true)
  rl=$(grep '^PACED ' "$WORK/rest_$w.out" || true)
  il=$(grep '^INGEST ' "$WORK/ingest_$w.out" || true)
  for l in "$gl" "$rl"; do
    f=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$l"); ERRORS=$((ERRORS + ${f:-1}))
  done
  f=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$il"); ERRORS=$((ERRORS + ${f:-1}))
  P99_GRPC+=("$(sed -n 's/.* p99_ms=\([^ ]*\).*/\1/p' <<<"$gl")")
  P99_REST+=("$(sed -n 's/.* p99_ms=\([^ ]*\).*/\1/p' <<<"$rl")")
  RSS_AT+=("$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")")
  log "window $w: gRPC p99 ${P99_GRPC[-1]} ms, REST p99 ${P99_REST[-1]} ms," \
    "ingest $(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$il") ok, server CPU ${CPU[-1]} %," \
    "RSS ${RSS_AT[-1]} kB, errors so far $ERRORS"
done

healthy=$(curl -sS --max-time 10 "http://127.0.0.1:$HTTP_PORT/healthz" || echo "no answer")
for pid in "${CLIENTS[@]}"; do kill "$pid" 2>/dev/null || true; done
wait "${CLIENTS[@]}" 2>/dev/null || true
CLIENTS=()
kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=""

warm=2
[[ $MINUTES -gt $warm ]] || warm=0
base_rss=${RSS_AT[$((warm > 0 ? warm - 1 : 0))]}
end_rss=${RSS_AT[-1]}
growth=$(awk -v a="$base_rss" -v b="$end_rss" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
peak_rss=$(awk 'max < $2 { max = $2 } END { print max }' "$WORK/rss.txt")
hostile=$(sort "$WORK/hostile.codes" | uniq -c | awk '{ printf "%s×%s ", $2, $1 }')
hostile_grpc=$(sort "$WORK/hostile_grpc.codes" | uniq -c | awk '{ printf "%s×%s ", $2, $1 }')
stuck=$(tail -1 "$WORK/stuck.out" | awk '{ print $2 }')
echo
echo "## Soak $(date -u +%Y-%m-%d): $MINUTES one-minute windows"
echo "- load: gRPC GetActiveSessions paced at $GRPC_RATE/s ($LOAD_FRACTION of $GRPC_MAX/s), REST at" \
  "$REST_RATE/s ($LOAD_FRACTION of $REST_MAX/s), $INGEST_WRITERS realistic-mix writers, $SLOW_WATCHERS slow" \
  "and $STUCK_WATCHERS never-reading SSE watchers ($stuck connections made), hostile requests"
echo "- errors on legitimate calls: $ERRORS"
echo "- RSS: ${base_rss} kB after window $warm, ${end_rss} kB at the end (growth ${growth} %)," \
  "peak ${peak_rss} kB"
echo "- server CPU per window (% of one core; 200 = both cores): ${CPU[*]}"
echo "- p99 per window, gRPC (ms): ${P99_GRPC[*]}"
echo "- p99 per window, REST (ms): ${P99_REST[*]}"
echo "- hostile answers, HTTP (status×count): $hostile"
echo "- hostile answers, gRPC unknown fields (code×count): $hostile_grpc"
echo "- /healthz at the end: $healthy; exit code on SIGTERM: $rc"
[[ $ERRORS == 0 && $rc == 0 ]] || exit 1
