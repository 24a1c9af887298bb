#!/usr/bin/env bash
# Benchmark harness of the Active Sessions server (issues 8, 15) + durable
# ingest throughput (issue 5). One entry point: builds optimised binaries,
# generates data, starts //bench:bench_server (sessions_server plus the
# bench-only controls, same logging: one access-log line per call) pinned
# to one core, drives it from the other core, checks that every counted
# call succeeded, and prints a table of ratios against the goals.
#
# Every ratio is taken within one round (the two sides measured back to
# back) and the table shows the median of REPS rounds with the min-max
# beside it: this machine's speed drifts by ±10 % within minutes.
#   throughput: h2load closed loop (-c 1 -m 16), gRPC and HTTP/1.1;
#   latency under load: bench/paced_load (open loop, evenly paced, timed
#     from each request's intended send instant) at 50 % of the measured
#     maximum, the method and its control at the same rate;
#   unloaded latency: h2load -m 1;
#   ingest: bench/ingest_bench, the realistic mix (session_lifecycle.h),
#     server and client sharing every core (the goal's configuration).
#
#   bench/run.sh                  # full run (~8 min), builds with -c opt
#   bench/run.sh --smoke          # tiny data, a fixed small amount of work per scenario
#   bench/run.sh --bin-dir DIR    # use prebuilt binaries (no bazel build)
#   bench/run.sh --keep           # keep the work directory (db, logs)
#
# Environment (all optional): BENCH_BAZEL_STARTUP (e.g.
# "--output_base=/root/.cache/bazel_bench"), SERVER_CPU (0), CLIENT_CPU (1),
# ACCOUNTS, SCALE_ACCOUNTS, ACTIVE, ENDED, ENDED_FACTOR, N_REQ, REPS, LAT_N,
# RATE_SECONDS, INGEST_SECONDS, INGEST_CALLS, INGEST_WRITERS, BENCH_WORK_DIR,
# BENCH_NICE (e.g. -10: run server and load generators at a higher priority
# than other work on a shared machine; needs root).
# Traffic goes to 127.0.0.1 only; every load run is bounded; servers are
# stopped on exit. The smoke run makes a fixed number of calls in every
# scenario (no time windows: a slow machine takes longer, it does not fail),
# so it keeps the harness working, not measuring anything.
set -euo pipefail

MODE=full
BIN_DIR=""
KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) MODE=smoke ;;
    --bin-dir) BIN_DIR="$2"; shift ;;
    --bin-dir=*) BIN_DIR="${1#*=}" ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $MODE == smoke ]]; then
  : "${ACCOUNTS:=3}" "${SCALE_ACCOUNTS:=30}" "${ACTIVE:=20}" "${ENDED:=200}" "${ENDED_FACTOR:=10}"
  : "${N_REQ:=1000}" "${REPS:=1}" "${LAT_N:=300}" "${RATE_SECONDS:=1}"
  : "${INGEST_SECONDS:=1}" "${INGEST_CALLS:=4}" "${JSON_REPS:=3}"
else
  : "${ACCOUNTS:=100}" "${SCALE_ACCOUNTS:=10000}" "${ACTIVE:=20}" "${ENDED:=20000}" "${ENDED_FACTOR:=10}"
  : "${N_REQ:=30000}" "${REPS:=3}" "${LAT_N:=5000}" "${RATE_SECONDS:=10}"
  : "${INGEST_SECONDS:=5}" "${INGEST_CALLS:=0}" "${JSON_REPS:=7}"
fi
# ingest_bench runs a time window, or with INGEST_CALLS > 0 that many calls per writer.
INGEST_WORK=(--duration="${INGEST_SECONDS}s")
if [[ $INGEST_CALLS -gt 0 ]]; then INGEST_WORK=(--calls_per_writer="$INGEST_CALLS"); fi
# 64 writers (the goal's configuration) three times in a full run: this VM's
# throughput drifts by ±10 % from run to run; the table shows the median.
if [[ $MODE == smoke ]]; then : "${INGEST_WRITERS:=1,8,64}"; else : "${INGEST_WRITERS:=1,8,64,64,64}"; fi
NCPU=$(nproc)
: "${SERVER_CPU:=0}"
if [[ $NCPU -ge 2 ]]; then : "${CLIENT_CPU:=1}"; else : "${CLIENT_CPU:=0}"; fi

PIN=(taskset -c)  # PIN CPU cmd...: pinned (and reprioritised with BENCH_NICE)
if [[ -n ${BENCH_NICE:-} ]]; then PIN=(nice -n "$BENCH_NICE" taskset -c); fi

log() { echo "[run.sh] $*" >&2; }
die() { echo "[run.sh] ERROR: $*" >&2; exit 1; }
# shellcheck source=bench/server_lib.sh
source "$(dirname "$0")/server_lib.sh"
for tool in h2load nghttp taskset awk sort; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install nghttp2-client util-linux)"
done

# ---------------------------------------------------------------- build ----
if [[ -z $BIN_DIR ]]; then
  cd "$(dirname "$0")/.."
  BAZEL=(bazel ${BENCH_BAZEL_STARTUP:-})
  FLAGS=(-c opt --symlink_prefix=/)
  TARGETS=(//bench:bench_server //bench:gen_data //bench:ingest_bench //bench:paced_load
    //bench:json_encode_bench)
  log "building ${TARGETS[*]} (-c opt)"
  "${BAZEL[@]}" build "${FLAGS[@]}" "${TARGETS[@]}" || die "build failed"
  BIN_DIR="$("${BAZEL[@]}" info "${FLAGS[@]}" bazel-bin 2>/dev/null)/bench"
fi
for b in bench_server gen_data ingest_bench paced_load; do
  [[ -x $BIN_DIR/$b ]] || die "$BIN_DIR/$b missing"
done

# ------------------------------------------------------------ work dir ----
WORK=$(mktemp -d "${BENCH_WORK_DIR:-${TEST_TMPDIR:-/tmp}}/bench.XXXXXX")
cleanup() {
  stop_all_servers
  if [[ $KEEP == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DB=$WORK/bench.db
ENDED_DB=$WORK/ended.db
SCALE_DB=$WORK/scale.db
CLK_TCK=$(getconf CLK_TCK)
GRPC_HDRS=(-H 'content-type: application/grpc' -H 'te: trailers')
printf '\x00\x00\x00\x00\x00' >"$WORK/frame.bin"  # empty GetActiveSessionsRequest
GAS=voice.api.app.portal.v1.PortalService/GetActiveSessions
NOOP=sessions.bench.v1.BenchControlService/NoopRaw
REST_PATH=/portal/active-sessions
REST_CONTROL_PATH=/bench/noop-rest

# ------------------------------------------------------------- helpers ----
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# spread VALUES...: "min-max" of the values.
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
# summary VALUES...: "median (min-max)".
summary() { echo "$(median "$@") ($(spread "$@"))"; }
# percentile_ms LOGFILE P: latency percentile (ms) from an h2load --log-file.
percentile_ms() {
  cut -f3 "$1" | sort -n | awk -v p="$2" '{ v[NR] = $1 } END {
    i = int(p * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.3f", v[i] / 1000 }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/${1:-$SERVER_PID}/status"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }  # field NAME LINE: NAME=value

# The servers started, to stop on exit.
ALL_SERVERS=()
stop_all_servers() {
  for pid in "${ALL_SERVERS[@]}"; do SERVER_PID=$pid stop_server; done
  ALL_SERVERS=()
}
# start_server TAG DB: the bench server with sessions_server's logging
# (info: one access-log line per call, to its stdout file).
start_server() {
  start_server_and_wait "$WORK/server_$1.out" "$WORK/server_$1.err" "${PIN[@]}" "$SERVER_CPU" \
    "$BIN_DIR/bench_server" --db_path="$2" --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0
  ALL_SERVERS+=("$SERVER_PID")
  log "server $1 pid=$SERVER_PID grpc=$GRPC_PORT http=$HTTP_PORT (core $SERVER_CPU)"
}

# check_grpc METHOD: one call with nghttp; must end with grpc-status 0.
# Prints the response size in bytes (DATA frames, incl. the 5-byte prefix).
check_grpc() {
  local out
  out=$(nghttp -v -d "$WORK/frame.bin" "${GRPC_HDRS[@]}" -H "authorization: Bearer $READ_TOKEN" \
    "http://127.0.0.1:$GRPC_PORT/$1" 2>&1 | grep -a -E 'recv DATA frame|grpc-status' || true)
  grep -q 'grpc-status: 0' <<<"$out" || die "$1: no grpc-status 0 in: $(grep -a grpc-status <<<"$out")"
  grep -a -o 'recv DATA frame <length=[0-9]*' <<<"$out" | awk -F= '{ s += $2 } END { print s + 0 }'
}

# check_rest PATH FILE: one GET; must answer 200; the body goes to FILE.
check_rest() {
  local code
  code=$(curl -sS -o "$2" -w '%{http_code}' -H "Authorization: Bearer $READ_TOKEN" \
    "http://127.0.0.1:$HTTP_PORT$1")
  [[ $code == 200 ]] || die "REST check $1: HTTP $code"
}

# h2load_run NAME EXPECTED_BYTES ARGS...: runs h2load pinned to the client
# core with a per-request log; fails unless every request succeeded and (for
# gRPC, where h2load counts any HTTP 200) every response carried at least
# EXPECTED_BYTES of data. Sets RPS, OK, CPU_US (server CPU per request),
# LOGFILE.
h2load_run() {
  local name=$1 expected=$2; shift 2
  LOGFILE=$WORK/$name.log
  local before after out
  before=$(cpu_ticks)
  out=$("${PIN[@]}" "$CLIENT_CPU" h2load --log-file="$LOGFILE" "$@" 2>&1) || {
    echo "$out" >&2; die "h2load $name failed"; }
  after=$(cpu_ticks)
  echo "$out" >"$WORK/$name.h2load"
  h2load_succeeded "$out" || die "$name: $REQUESTS"
  local data
  data=$(sed -n 's/.*(\([0-9]*\)) data.*/\1/p' <<<"$out")
  [[ $data -ge $((OK * expected)) ]] ||
    die "$name: $data data bytes for $OK responses of >= $expected B (failed calls?)"
  CPU_US=$(calc "($after - $before) * 1000000 / $CLK_TCK / $OK" 1)
  echo "CHECK $name succeeded=$OK failed=$FAILED errored=$ERRORED timeout=$TIMEOUT req_per_s=$RPS cpu_us_per_req=$CPU_US" >&2
}

grpc_load() {  # grpc_load NAME METHOD EXPECTED N [extra h2load args]
  local name=$1 method=$2 expected=$3 n=$4; shift 4
  h2load_run "$name" "$expected" -n "$n" -c 1 -m 16 "$@" -d "$WORK/frame.bin" "${GRPC_HDRS[@]}" \
    -H "authorization: Bearer $READ_TOKEN" "http://127.0.0.1:$GRPC_PORT/$method"
}

rest_load() {  # rest_load NAME PATH EXPECTED N [extra h2load args]
  local name=$1 path=$2 expected=$3 n=$4; shift 4
  h2load_run "$name" "$expected" --h1 -n "$n" -c 1 -m 16 "$@" \
    -H "authorization: Bearer $READ_TOKEN" "http://127.0.0.1:$HTTP_PORT$path"
}

# paced NAME ARGS...: bench/paced_load on the client core for RATE_SECONDS
# (after a second of warmup); sets P50 and P99 (ms). Dies if a request failed.
paced() {
  local name=$1 out; shift
  out=$("${PIN[@]}" "$CLIENT_CPU" "$BIN_DIR/paced_load" --token_file="$WORK/read.token" \
    --duration="${RATE_SECONDS}s" --warmup="$PACED_WARMUP" "$@" 2>&1) || {
    echo "$out" >&2; die "paced_load $name failed"; }
  echo "$out" >&2
  local line
  line=$(grep '^PACED ' <<<"$out")
  P50=$(field p50_ms "$line"); P99=$(field p99_ms "$line")
}

verdict() {  # verdict VALUE OP GOAL
  if [[ $MODE == smoke ]]; then echo "(smoke)"; return; fi
  awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? (v >= g) : (v <= g); print ok ? "PASS" : "MISS" }'
}

if [[ $MODE == smoke ]]; then PACED_WARMUP=0.2s; else PACED_WARMUP=1s; fi

# ================================================================ run ====
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "mode=$MODE cpus=$NCPU server_core=$SERVER_CPU client_core=$CLIENT_CPU load: $LOAD_START"
"$BIN_DIR/gen_data" --db_path="$DB" --accounts="$ACCOUNTS" --active_per_account="$ACTIVE" \
  --ended="$ENDED" --read_token_file="$WORK/read.token" --write_token_file="$WORK/write.token" >&2
READ_TOKEN=$(cat "$WORK/read.token")

start_server A "$DB"
A_PID=$SERVER_PID A_GRPC=$GRPC_PORT A_HTTP=$HTTP_PORT
RSS_START=$(rss_kb)
GAS_BYTES=$(check_grpc "$GAS"); NOOP_BYTES=$(check_grpc "$NOOP")
log "response bytes: GetActiveSessions=$GAS_BYTES NoopRaw=$NOOP_BYTES"
[[ $GAS_BYTES -gt 5 && $NOOP_BYTES == "$GAS_BYTES" ]] ||
  die "GetActiveSessions and NoopRaw must return the same (non-empty) response size"
check_rest "$REST_PATH" "$WORK/rest.body"; check_rest "$REST_CONTROL_PATH" "$WORK/rest_control.body"
cmp -s "$WORK/rest.body" "$WORK/rest_control.body" ||
  die "the REST route and the REST control answer different bodies"
REST_BYTES=$(stat -c %s "$WORK/rest.body")

# 1-3, 7) Throughput, closed loop: REPS rounds of GetActiveSessions and
# NoopRaw over gRPC, the REST route and the REST control over HTTP/1.1.
grpc_load gas_warmup "$GAS" "$GAS_BYTES" $((N_REQ / 10 + 100))
grpc_load noop_warmup "$NOOP" "$GAS_BYTES" $((N_REQ / 10 + 100))
rest_load rest_warmup "$REST_PATH" "$REST_BYTES" $((N_REQ / 10 + 100))
rest_load rest_control_warmup "$REST_CONTROL_PATH" "$REST_BYTES" $((N_REQ / 10 + 100))
GAS_RATES=(); NOOP_RATES=(); REST_RATES=(); RESTC_RATES=()
GAS_CPUS=(); NOOP_CPUS=(); REST_CPUS=(); RESTC_CPUS=()
R1S=(); R2S=(); R3S=(); R7S=()
for r in $(seq "$REPS"); do
  grpc_load "gas_$r" "$GAS" "$GAS_BYTES" "$N_REQ"; GAS_RATES+=("$RPS"); GAS_CPUS+=("$CPU_US")
  grpc_load "noop_$r" "$NOOP" "$GAS_BYTES" "$N_REQ"; NOOP_RATES+=("$RPS"); NOOP_CPUS+=("$CPU_US")
  rest_load "rest_$r" "$REST_PATH" "$REST_BYTES" "$N_REQ"; REST_RATES+=("$RPS"); REST_CPUS+=("$CPU_US")
  rest_load "rest_control_$r" "$REST_CONTROL_PATH" "$REST_BYTES" "$N_REQ"
  RESTC_RATES+=("$RPS"); RESTC_CPUS+=("$CPU_US")
  R1S+=("$(calc "${GAS_RATES[-1]} / ${NOOP_RATES[-1]}")")
  R2S+=("$(calc "${REST_RATES[-1]} / ${RESTC_RATES[-1]}")")
  R3S+=("$(calc "${REST_RATES[-1]} / ${GAS_RATES[-1]}")")
  R7S+=("$(calc "${GAS_CPUS[-1]} / ${NOOP_CPUS[-1]}")")
done
GAS_RPS=$(median "${GAS_RATES[@]}"); REST_RPS=$(median "${REST_RATES[@]}")

# 4) Latency at 50 % of the maximum, paced: GetActiveSessions and NoopRaw at
# the same rate (and the REST route and its control at 50 % of REST's).
RATE=$(awk -v r="$GAS_RPS" 'BEGIN { x = int(r / 2); print (x < 1 ? 1 : x) }')
REST_RATE=$(awk -v r="$REST_RPS" 'BEGIN { x = int(r / 2); print (x < 1 ? 1 : x) }')
GRPC_PACED=(--grpc_target="127.0.0.1:$GRPC_PORT" --min_response_bytes=$((GAS_BYTES - 5)))
HTTP_PACED=(--connections=16 --min_response_bytes="$REST_BYTES")
R4S=(); R4_P50S=(); GAS_P99S=(); NOOP_P99S=(); R4RS=(); REST_P99S=(); RESTC_P99S=()
for r in $(seq "$REPS"); do
  paced "gas_paced_$r" "${GRPC_PACED[@]}" --grpc_method="/$GAS" --rate="$RATE"
  GAS_P50=$P50; GAS_P99S+=("$P99")
  paced "noop_paced_$r" "${GRPC_PACED[@]}" --grpc_method="/$NOOP" --rate="$RATE"
  NOOP_P99S+=("$P99")
  R4S+=("$(calc "${GAS_P99S[-1]} / $P99")"); R4_P50S+=("$(calc "$GAS_P50 / $P50")")
  paced "rest_paced_$r" "${HTTP_PACED[@]}" --http_url="http://127.0.0.1:$HTTP_PORT$REST_PATH" \
    --rate="$REST_RATE"
  REST_P99S+=("$P99")
  paced "rest_control_paced_$r" "${HTTP_PACED[@]}" --rate="$REST_RATE" \
    --http_url="http://127.0.0.1:$HTTP_PORT$REST_CONTROL_PATH"
  RESTC_P99S+=("$P99")
  R4RS+=("$(calc "${REST_P99S[-1]} / $P99")")
done

RSS_END=$(rss_kb)

# 5, 8) Unloaded latency (-m 1) of one account's GetActiveSessions on three
# servers side by side on the server core, alternating rounds: A (ACCOUNTS
# accounts, ENDED ended rows), B (the same with ENDED x ENDED_FACTOR ended
# rows) and C (SCALE_ACCOUNTS accounts). Each database has its own tokens.
"$BIN_DIR/gen_data" --db_path="$ENDED_DB" --accounts="$ACCOUNTS" --active_per_account="$ACTIVE" \
  --ended=$((ENDED * ENDED_FACTOR)) --read_token_file="$WORK/ended_read.token" \
  --write_token_file="$WORK/ended_write.token" >&2
"$BIN_DIR/gen_data" --db_path="$SCALE_DB" --accounts="$SCALE_ACCOUNTS" \
  --active_per_account="$ACTIVE" --ended=0 --read_token_file="$WORK/scale_read.token" \
  --write_token_file="$WORK/scale_write.token" >&2
start_server B "$ENDED_DB"
B_PID=$SERVER_PID B_GRPC=$GRPC_PORT
start_server C "$SCALE_DB"
C_PID=$SERVER_PID C_GRPC=$GRPC_PORT
RSS_SCALE=$(rss_kb)
# unloaded NAME PID PORT TOKEN_FILE: sets P50 and P99 (ms) of LAT_N calls at -m 1.
unloaded() {
  # The answers differ from A's in their revision only.
  SERVER_PID=$2 h2load_run "$1" $((GAS_BYTES - 16)) -n "$LAT_N" -c 1 -m 1 -d "$WORK/frame.bin" \
    "${GRPC_HDRS[@]}" -H "authorization: Bearer $(cat "$4")" "http://127.0.0.1:$3/$GAS"
  P50=$(percentile_ms "$LOGFILE" 0.50); P99=$(percentile_ms "$LOGFILE" 0.99)
}
for tag in a b c; do
  case $tag in
    a) args=("$A_PID" "$A_GRPC" "$WORK/read.token") ;;
    b) args=("$B_PID" "$B_GRPC" "$WORK/ended_read.token") ;;
    c) args=("$C_PID" "$C_GRPC" "$WORK/scale_read.token") ;;
  esac
  unloaded "unloaded_${tag}_warmup" "${args[@]}"
done
R5S=(); R8S=(); A_P50S=(); B_P50S=(); C_P50S=(); A_P99S=(); B_P99S=()
for r in $(seq "$REPS"); do
  unloaded "unloaded_a_$r" "$A_PID" "$A_GRPC" "$WORK/read.token"; A_P50S+=("$P50"); A_P99S+=("$P99")
  unloaded "unloaded_b_$r" "$B_PID" "$B_GRPC" "$WORK/ended_read.token"
  B_P50S+=("$P50"); B_P99S+=("$P99")
  unloaded "unloaded_c_$r" "$C_PID" "$C_GRPC" "$WORK/scale_read.token"; C_P50S+=("$P50")
  R8S+=("$(calc "${B_P50S[-1]} / ${A_P50S[-1]}")")
  R5S+=("$(calc "${C_P50S[-1]} / ${A_P50S[-1]}")")
done
SERVER_PID=$A_PID stop_server
SERVER_PID=$C_PID stop_server
ALL_SERVERS=("$B_PID")  # stopped ones leave the list: their pids may be reused
SERVER_PID=$B_PID GRPC_PORT=$B_GRPC
RSS_B_START=$(rss_kb)

# 6) Durable ingest, the realistic mix (1/8/64 writers; BatchUpsertSessions).
# The goal is for the whole machine: server and ingest_bench share every
# core here (the server's WAL checkpoints run beside its writer thread).
# Then 64 writers once more with the pinning of the read scenarios (server
# on one core), comparable with earlier runs.
ALL_CPUS="0-$((NCPU - 1))"
INGEST_OUT=$WORK/ingest.out
INGEST_PINNED_OUT=$WORK/ingest_pinned.out
taskset -a -p -c "$ALL_CPUS" "$SERVER_PID" >/dev/null
"${PIN[@]}" "$ALL_CPUS" "$BIN_DIR/ingest_bench" --target="127.0.0.1:$GRPC_PORT" \
  --token_file="$WORK/ended_write.token" --writers="$INGEST_WRITERS" "${INGEST_WORK[@]}" \
  >"$INGEST_OUT" || { cat "$INGEST_OUT" >&2; die "ingest_bench failed"; }
cat "$INGEST_OUT" >&2
taskset -a -p -c "$SERVER_CPU" "$SERVER_PID" >/dev/null
"${PIN[@]}" "$CLIENT_CPU" "$BIN_DIR/ingest_bench" --target="127.0.0.1:$GRPC_PORT" \
  --token_file="$WORK/ended_write.token" --writers=64 --batch_writers=0 "${INGEST_WORK[@]}" \
  >"$INGEST_PINNED_OUT" || { cat "$INGEST_PINNED_OUT" >&2; die "ingest_bench (pinned) failed"; }
cat "$INGEST_PINNED_OUT" >&2
ingest_field() {  # ingest_field MODE WRITERS FIELD [FILE]
  awk -v m="mode=$1" -v w="writers=$2" -v f="$3" '$2 == m && $3 == w {
    for (i = 1; i <= NF; ++i) if (index($i, f "=") == 1) print substr($i, length(f) + 2) }' "${4:-$INGEST_OUT}"
}
RSS_B_END=$(rss_kb)
stop_all_servers

# 9) JSON encode vs binary serialize (gateway micro-benchmark, if built).
R9="n/a (json_encode_bench not built)"
if [[ -x $BIN_DIR/json_encode_bench ]]; then
  JSON_OUT=$("${PIN[@]}" "$CLIENT_CPU" "$BIN_DIR/json_encode_bench" "$ACTIVE" "$JSON_REPS" 2>&1) ||
    die "json_encode_bench failed: $JSON_OUT"
  echo "$JSON_OUT" >&2
  R9=$(awk '$1 == "JsonWriter::Write" { print $NF }' <<<"$JSON_OUT")
  [[ -n $R9 ]] || R9="n/a (no JsonWriter::Write line)"
fi

# ============================================================== report ====
is_num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
V9="-"; is_num "$R9" && V9=$(verdict "$R9" "<=" 2.5)
R1=$(median "${R1S[@]}"); R2=$(median "${R2S[@]}"); R3=$(median "${R3S[@]}")
R4=$(median "${R4S[@]}"); R5=$(median "${R5S[@]}"); R7=$(median "${R7S[@]}")
R8=$(median "${R8S[@]}")
I64_ALL=$(ingest_field mix 64 updates_per_s | sort -g | tr '\n' ' ')
I64=$(median $I64_ALL); I64=${I64:-0}
I64_STALE=$(ingest_field mix 64 stale | awk '{ s += $1 } END { print s + 0 }')
I64_P99=$(median $(ingest_field mix 64 p99_ms))
echo
echo "==== Active Sessions benchmark ($MODE) — $(date -u +%Y-%m-%dT%H:%M:%SZ) ===="
echo "machine: $NCPU cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); nice ${BENCH_NICE:-0}; load avg at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $ACCOUNTS accounts x $ACTIVE active ($SCALE_ACCOUNTS in the scale row), $ENDED ended -> $((ENDED * ENDED_FACTOR)) ended; response $GAS_BYTES B gRPC, $REST_BYTES B REST; server logging as sessions_server (info); ratios: median (min-max) of $REPS rounds"
echo
printf '| # | scenario | measured (medians) | ratio | goal | verdict |\n|---|---|---|---:|---|---|\n'
printf '| 1 | GetActiveSessions ÷ NoopRaw throughput, gRPC (req/s, -c1 -m16) | %s / %s | %s | ≥ 0.6 | %s |\n' \
  "$GAS_RPS" "$(median "${NOOP_RATES[@]}")" "$(summary "${R1S[@]}")" "$(verdict "$R1" ">=" 0.6)"
printf '| 2 | REST GET %s ÷ REST control %s throughput (req/s, HTTP/1.1 -c1 -m16) | %s / %s | %s | ≥ 0.6 | %s |\n' \
  "$REST_PATH" "$REST_CONTROL_PATH" "$REST_RPS" "$(median "${RESTC_RATES[@]}")" \
  "$(summary "${R2S[@]}")" "$(verdict "$R2" ">=" 0.6)"
printf '| 3 | REST ÷ gRPC GetActiveSessions throughput (req/s) | %s / %s | %s | ≥ 1.0 | %s |\n' \
  "$REST_RPS" "$GAS_RPS" "$(summary "${R3S[@]}")" "$(verdict "$R3" ">=" 1.0)"
printf '| 4 | p99 at %s req/s (50%% of max), paced: GetActiveSessions ÷ NoopRaw (ms) | p99 %s / %s (p50 ratio %s) | %s | ≤ 3 | %s |\n' \
  "$RATE" "$(median "${GAS_P99S[@]}")" "$(median "${NOOP_P99S[@]}")" "$(summary "${R4_P50S[@]}")" \
  "$(summary "${R4S[@]}")" "$(verdict "$R4" "<=" 3)"
printf '| 5 | GetActiveSessions p50 with %s ÷ %s accounts (ms, -m1) | %s / %s | %s | ≤ 1.2 | %s |\n' \
  "$SCALE_ACCOUNTS" "$ACCOUNTS" "$(median "${C_P50S[@]}")" "$(median "${A_P50S[@]}")" \
  "$(summary "${R5S[@]}")" "$(verdict "$R5" "<=" 1.2)"
printf '| 6 | durable ingest updates/s, realistic mix (%s cores shared by server and client), 1 / 8 / 64 writers | %s / %s / %s (64: %s runs: %s; stale %s; p99 ms %s / %s / %s); BatchUpsert(%s×100): %s/s; 64 writers, server pinned to 1 core: %s | %s | ≥ 20000 at 64 | %s |\n' \
  "$NCPU" "$(ingest_field mix 1 updates_per_s)" "$(ingest_field mix 8 updates_per_s)" "$I64" \
  "$(wc -w <<<"$I64_ALL")" "${I64_ALL% }" "$I64_STALE" \
  "$(ingest_field mix 1 p99_ms)" "$(ingest_field mix 8 p99_ms)" "$I64_P99" \
  "8" "$(ingest_field batch 8 updates_per_s)" "$(ingest_field mix 64 updates_per_s "$INGEST_PINNED_OUT")" \
  "$I64 ($(spread $I64_ALL))" "$(verdict "$I64" ">=" 20000)"
printf '| 7 | server CPU per call: GetActiveSessions ÷ NoopRaw (µs) | %s / %s | %s | ≤ 1.7 | %s |\n' \
  "$(median "${GAS_CPUS[@]}")" "$(median "${NOOP_CPUS[@]}")" "$(summary "${R7S[@]}")" \
  "$(verdict "$R7" "<=" 1.7)"
printf '| 8 | GetActiveSessions p50 with %s ÷ %s ended rows (ms, -m1) | %s / %s (p99 %s / %s) | %s | ≤ 1.2 | %s |\n' \
  "$((ENDED * ENDED_FACTOR))" "$ENDED" "$(median "${B_P50S[@]}")" "$(median "${A_P50S[@]}")" \
  "$(median "${B_P99S[@]}")" "$(median "${A_P99S[@]}")" "$(summary "${R8S[@]}")" \
  "$(verdict "$R8" "<=" 1.2)"
printf '| 9 | JSON encode ÷ binary serialize (JsonWriter, %s sessions; median of %s) | | %s | ≤ 2.5 | %s |\n' \
  "$ACTIVE" "$JSON_REPS" "$R9" "$V9"
echo
echo "REST p99 at $REST_RATE req/s (50% of REST max), paced, 16 connections: route ÷ control $(summary "${R4RS[@]}") (p99 ms $(median "${REST_P99S[@]}") / $(median "${RESTC_P99S[@]}"))"
echo "server CPU per request (µs): GetActiveSessions $(median "${GAS_CPUS[@]}"), NoopRaw $(median "${NOOP_CPUS[@]}"), REST $(median "${REST_CPUS[@]}"), REST control $(median "${RESTC_CPUS[@]}")"
echo "server RSS (MiB): A start $(calc "$RSS_START / 1024" 1) -> end $(calc "$RSS_END / 1024" 1); C ($SCALE_ACCOUNTS accounts) $(calc "$RSS_SCALE / 1024" 1); B ($((ENDED * ENDED_FACTOR)) ended) before ingest $(calc "$RSS_B_START / 1024" 1) -> after $(calc "$RSS_B_END / 1024" 1)"
# Machine-readable lines (bench_smoke_test).
for id in 1 2 3 4 5 7 8; do eval "echo \"RESULT $id \${R$id}\""; done
echo "RESULT 6 $I64"
echo "RESULT 9 ${R9// /_}"
