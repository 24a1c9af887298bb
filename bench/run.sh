#!/usr/bin/env bash
# Benchmark harness of the Active Sessions server (issue 8) + durable ingest
# throughput (issue 5). One entry point: builds optimised binaries, generates
# data, starts //bench:bench_server pinned to one core, drives it with h2load
# (and ingest_bench) pinned to the other, checks that every counted call
# succeeded, and prints a table of ratios against the goals. The ingest
# scenario's goal is for the whole machine: there server and ingest_bench
# share all cores (then it is repeated with the pinning, for comparison).
#
#   bench/run.sh                  # full run (~5-10 min), builds with -c opt
#   bench/run.sh --smoke          # tiny data, a fixed small amount of work per scenario
#   bench/run.sh --bin-dir DIR    # use prebuilt binaries (no bazel build)
#   bench/run.sh --keep           # keep the work directory (db, logs)
#
# Environment (all optional): BENCH_BAZEL_STARTUP (e.g.
# "--output_base=/root/.cache/bazel_bench"), SERVER_CPU (0), CLIENT_CPU (1),
# ACCOUNTS, ACTIVE, ENDED, ENDED_FACTOR, N_REQ, REPS, LAT_N, RATE_SECONDS,
# INGEST_SECONDS, INGEST_CALLS, INGEST_WRITERS, BENCH_WORK_DIR, BENCH_NICE (e.g. -10: run
# server and load generators at a higher priority than other work on a
# shared machine; needs root).
# Traffic goes to 127.0.0.1 only; every load run is bounded (-n); the server
# is stopped on exit. The smoke run makes a fixed number of calls in every
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
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $MODE == smoke ]]; then
  : "${ACCOUNTS:=3}" "${ACTIVE:=20}" "${ENDED:=200}" "${ENDED_FACTOR:=10}"
  : "${N_REQ:=1000}" "${REPS:=1}" "${LAT_N:=300}" "${RATE_SECONDS:=1}"
  : "${INGEST_SECONDS:=1}" "${INGEST_CALLS:=4}" "${JSON_REPS:=3}"
else
  : "${ACCOUNTS:=100}" "${ACTIVE:=20}" "${ENDED:=20000}" "${ENDED_FACTOR:=10}"
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
  TARGETS=(//bench:bench_server //bench:gen_data //bench:ingest_bench //bench:json_encode_bench)
  log "building ${TARGETS[*]} (-c opt)"
  "${BAZEL[@]}" build "${FLAGS[@]}" "${TARGETS[@]}" || die "build failed"
  BIN_DIR="$("${BAZEL[@]}" info "${FLAGS[@]}" bazel-bin 2>/dev/null)/bench"
fi
for b in bench_server gen_data ingest_bench; do
  [[ -x $BIN_DIR/$b ]] || die "$BIN_DIR/$b missing"
done

# ------------------------------------------------------------ work dir ----
WORK=$(mktemp -d "${BENCH_WORK_DIR:-${TEST_TMPDIR:-/tmp}}/bench.XXXXXX")
cleanup() {
  stop_server
  if [[ $KEEP == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DB=$WORK/bench.db
CLK_TCK=$(getconf CLK_TCK)
GRPC_HDRS=(-H 'content-type: application/grpc' -H 'te: trailers')
printf '\x00\x00\x00\x00\x00' >"$WORK/frame.bin"  # empty GetActiveSessionsRequest
GAS=voice.api.app.portal.v1.PortalService/GetActiveSessions
NOOP=sessions.bench.v1.BenchControlService/NoopRaw
BUILD=sessions.bench.v1.BenchControlService/BuildOnly

# ------------------------------------------------------------- helpers ----
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# percentile_ms LOGFILE P: latency percentile (ms) from an h2load --log-file.
percentile_ms() {
  cut -f3 "$1" | sort -n | awk -v p="$2" '{ v[NR] = $1 } END {
    i = int(p * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.3f", v[i] / 1000 }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }

start_server() {  # start_server TAG
  start_server_and_wait "$WORK/server_$1.out" "$WORK/server_$1.err" "${PIN[@]}" "$SERVER_CPU" \
    "$BIN_DIR/bench_server" --db_path="$DB" --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0
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

# throughput NAME METHOD EXPECTED: median req/s of REPS runs of N_REQ.
throughput() {
  local name=$1 method=$2 expected=$3 rates=() cpus=()
  grpc_load "${name}_warmup" "$method" "$expected" $((N_REQ / 10 + 100))
  for r in $(seq "$REPS"); do
    grpc_load "${name}_$r" "$method" "$expected" "$N_REQ"
    rates+=("$RPS"); cpus+=("$CPU_US")
  done
  THROUGHPUT=$(median "${rates[@]}"); THROUGHPUT_CPU=$(median "${cpus[@]}")
}

verdict() {  # verdict VALUE OP GOAL
  if [[ $MODE == smoke ]]; then echo "(smoke)"; return; fi
  awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? (v >= g) : (v <= g); print ok ? "PASS" : "MISS" }'
}

# ================================================================ run ====
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "mode=$MODE cpus=$NCPU server_core=$SERVER_CPU client_core=$CLIENT_CPU load: $LOAD_START"
"$BIN_DIR/gen_data" --db_path="$DB" --accounts="$ACCOUNTS" --active_per_account="$ACTIVE" \
  --ended="$ENDED" --read_token_file="$WORK/read.token" --write_token_file="$WORK/write.token" >&2
READ_TOKEN=$(cat "$WORK/read.token")

start_server A
RSS_START=$(rss_kb)
GAS_BYTES=$(check_grpc "$GAS"); NOOP_BYTES=$(check_grpc "$NOOP"); BUILD_BYTES=$(check_grpc "$BUILD")
log "response bytes: GetActiveSessions=$GAS_BYTES NoopRaw=$NOOP_BYTES BuildOnly=$BUILD_BYTES"
[[ $GAS_BYTES -gt 5 && $NOOP_BYTES == "$GAS_BYTES" && $BUILD_BYTES == "$GAS_BYTES" ]] ||
  die "the three methods must return the same (non-empty) response size"

# 1) GetActiveSessions vs BuildOnly vs NoopRaw, closed loop (-c 1 -m 16).
throughput gas "$GAS" "$GAS_BYTES"; GAS_RPS=$THROUGHPUT; GAS_CPU=$THROUGHPUT_CPU
throughput build "$BUILD" "$GAS_BYTES"; BUILD_RPS=$THROUGHPUT; BUILD_CPU=$THROUGHPUT_CPU
throughput noop "$NOOP" "$GAS_BYTES"; NOOP_RPS=$THROUGHPUT; NOOP_CPU=$THROUGHPUT_CPU
R1=$(calc "$GAS_RPS / $BUILD_RPS")

# 2) REST (HTTP/1.1, same query, same token) vs gRPC.
R2="n/a (no HTTP port)"; REST_RPS="-"; REST_CPU="-"; REST_BYTES="-"
if [[ ${HTTP_PORT:-0} -gt 0 ]]; then
  REST_URL="http://127.0.0.1:$HTTP_PORT/portal/active-sessions"
  REST_BYTES=$(curl -sS -o "$WORK/rest.body" -w '%{http_code} %{size_download}' \
    -H "Authorization: Bearer $READ_TOKEN" "$REST_URL")
  [[ ${REST_BYTES%% *} == 200 ]] || die "REST check: HTTP $REST_BYTES"
  REST_BYTES=${REST_BYTES##* }
  rates=(); cpus=()
  h2load_run rest_warmup "$REST_BYTES" --h1 -n $((N_REQ / 10 + 100)) -c 1 -m 16 \
    -H "authorization: Bearer $READ_TOKEN" "$REST_URL"
  for r in $(seq "$REPS"); do
    h2load_run "rest_$r" "$REST_BYTES" --h1 -n "$N_REQ" -c 1 -m 16 \
      -H "authorization: Bearer $READ_TOKEN" "$REST_URL"
    rates+=("$RPS"); cpus+=("$CPU_US")
  done
  REST_RPS=$(median "${rates[@]}"); REST_CPU=$(median "${cpus[@]}")
  R2=$(calc "$REST_RPS / $GAS_RPS")
fi

# 4) Latency at 50 % of GetActiveSessions' max throughput, vs NoopRaw at the same rate.
RATE=$(awk -v r="$GAS_RPS" 'BEGIN { x = int(r / 2); print (x < 1 ? 1 : x) }')
grpc_load gas_rate "$GAS" "$GAS_BYTES" $((RATE * RATE_SECONDS)) --rps="$RATE"
GAS_RATE_RPS=$RPS; GAS_P50=$(percentile_ms "$LOGFILE" 0.50); GAS_P99=$(percentile_ms "$LOGFILE" 0.99)
grpc_load noop_rate "$NOOP" "$GAS_BYTES" $((RATE * RATE_SECONDS)) --rps="$RATE"
NOOP_P50=$(percentile_ms "$LOGFILE" 0.50); NOOP_P99=$(percentile_ms "$LOGFILE" 0.99)
R4=$(calc "$GAS_P99 / $NOOP_P99")
R4_P50=$(calc "$GAS_P50 / $NOOP_P50")

# 3a) Unloaded latency (-m 1) with ENDED ended rows.
grpc_load lat_before "$GAS" "$GAS_BYTES" "$LAT_N" -m 1
LAT_BEFORE_P50=$(percentile_ms "$LOGFILE" 0.50); LAT_BEFORE_P99=$(percentile_ms "$LOGFILE" 0.99)
RSS_END=$(rss_kb)
stop_server

# 3b) Same with ENDED x ENDED_FACTOR ended rows (ids continue), fresh server.
EXTRA=$((ENDED * (ENDED_FACTOR - 1)))
"$BIN_DIR/gen_data" --db_path="$DB" --accounts="$ACCOUNTS" --active_per_account=0 \
  --ended="$EXTRA" --ended_offset="$ENDED" --skip_tokens >&2
start_server B
RSS_B_START=$(rss_kb)
[[ $(check_grpc "$GAS") == "$GAS_BYTES" ]] || die "response changed after adding ended rows"
grpc_load lat_after_warmup "$GAS" "$GAS_BYTES" $((LAT_N / 5 + 50)) -m 1
grpc_load lat_after "$GAS" "$GAS_BYTES" "$LAT_N" -m 1
LAT_AFTER_P50=$(percentile_ms "$LOGFILE" 0.50); LAT_AFTER_P99=$(percentile_ms "$LOGFILE" 0.99)
R3=$(calc "$LAT_AFTER_P50 / $LAT_BEFORE_P50")
R3_P99=$(calc "$LAT_AFTER_P99 / $LAT_BEFORE_P99")

# 6) Durable ingest (UpsertSession, 1/8/64 writers; BatchUpsertSessions).
# The goal is for the whole machine: server and ingest_bench share every
# core here (the server's WAL checkpoints run beside its writer thread).
# Then 64 writers once more with the pinning of the read scenarios (server
# on one core), comparable with earlier runs.
ALL_CPUS="0-$((NCPU - 1))"
INGEST_OUT=$WORK/ingest.out
INGEST_PINNED_OUT=$WORK/ingest_pinned.out
taskset -a -p -c "$ALL_CPUS" "$SERVER_PID" >/dev/null
"${PIN[@]}" "$ALL_CPUS" "$BIN_DIR/ingest_bench" --target="127.0.0.1:$GRPC_PORT" \
  --token_file="$WORK/write.token" --writers="$INGEST_WRITERS" "${INGEST_WORK[@]}" \
  >"$INGEST_OUT" || { cat "$INGEST_OUT" >&2; die "ingest_bench failed"; }
cat "$INGEST_OUT" >&2
taskset -a -p -c "$SERVER_CPU" "$SERVER_PID" >/dev/null
"${PIN[@]}" "$CLIENT_CPU" "$BIN_DIR/ingest_bench" --target="127.0.0.1:$GRPC_PORT" \
  --token_file="$WORK/write.token" --writers=64 --batch_writers=0 "${INGEST_WORK[@]}" \
  >"$INGEST_PINNED_OUT" || { cat "$INGEST_PINNED_OUT" >&2; die "ingest_bench (pinned) failed"; }
cat "$INGEST_PINNED_OUT" >&2
ingest_field() {  # ingest_field MODE WRITERS FIELD [FILE]
  awk -v m="mode=$1" -v w="writers=$2" -v f="$3" '$2 == m && $3 == w {
    for (i = 1; i <= NF; ++i) if (index($i, f "=") == 1) print substr($i, length(f) + 2) }' "${4:-$INGEST_OUT}"
}
RSS_B_END=$(rss_kb)
stop_server

# 5) JSON encode vs binary serialize (gateway micro-benchmark, if built).
R5="n/a (json_encode_bench not built)"
if [[ -x $BIN_DIR/json_encode_bench ]]; then
  JSON_OUT=$("${PIN[@]}" "$CLIENT_CPU" "$BIN_DIR/json_encode_bench" "$ACTIVE" "$JSON_REPS" 2>&1) ||
    die "json_encode_bench failed: $JSON_OUT"
  echo "$JSON_OUT" >&2
  R5=$(awk '$1 == "JsonWriter::Write" { print $NF }' <<<"$JSON_OUT")
  [[ -n $R5 ]] || R5="n/a (no JsonWriter::Write line)"
fi

# ============================================================== report ====
is_num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
V2="-"; is_num "$R2" && V2=$(verdict "$R2" ">=" 1.0)
V5="-"; is_num "$R5" && V5=$(verdict "$R5" "<=" 2.5)
# Median (and range) over the 64-writer runs.
I64_ALL=$(ingest_field upsert 64 updates_per_s | sort -g | tr '\n' ' ')
I64=$(median $I64_ALL); I64=${I64:-0}
I64_P99=$(median $(ingest_field upsert 64 p99_ms))
echo
echo "==== Active Sessions benchmark ($MODE) — $(date -u +%Y-%m-%dT%H:%M:%SZ) ===="
echo "machine: $NCPU cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); nice ${BENCH_NICE:-0}; load avg at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $ACCOUNTS accounts x $ACTIVE active, $ENDED ended -> $((ENDED * ENDED_FACTOR)) ended; response $GAS_BYTES B gRPC, $REST_BYTES B REST"
echo
printf '| # | scenario | measured | ratio | goal | verdict |\n|---|---|---|---:|---|---|\n'
printf '| 1 | GetActiveSessions ÷ BuildOnly throughput (req/s, -c1 -m16) | %s / %s | %s | ≥ 0.65 | %s |\n' \
  "$GAS_RPS" "$BUILD_RPS" "$R1" "$(verdict "$R1" ">=" 0.65)"
printf '| 2 | REST GET /portal/active-sessions ÷ gRPC GetActiveSessions (req/s) | %s / %s | %s | ≥ 1.0 | %s |\n' \
  "$REST_RPS" "$GAS_RPS" "$R2" "$V2"
printf '| 3 | latency p50 with %s ÷ %s ended rows (ms, -m1) | %s / %s (p99 %s / %s, ratio %s) | %s | ≤ 1.2 | %s |\n' \
  "$((ENDED * ENDED_FACTOR))" "$ENDED" "$LAT_AFTER_P50" "$LAT_BEFORE_P50" "$LAT_AFTER_P99" \
  "$LAT_BEFORE_P99" "$R3_P99" "$R3" "$(verdict "$R3" "<=" 1.2)"
printf '| 4 | p99 at %s req/s (50%% of max): GetActiveSessions ÷ NoopRaw (ms) | p50 %s / %s, p99 %s / %s (p50 ratio %s) | %s | ≤ 3 | %s |\n' \
  "$RATE" "$GAS_P50" "$NOOP_P50" "$GAS_P99" "$NOOP_P99" "$R4_P50" "$R4" "$(verdict "$R4" "<=" 3)"
printf '| 5 | JSON encode ÷ binary serialize (JsonWriter, %s sessions) | | %s | ≤ 2.5 | %s |\n' "$ACTIVE" "$R5" "$V5"
printf '| 6 | durable ingest updates/s (%s cores shared by server and client), UpsertSession 1 / 8 / 64 writers | %s / %s / %s (64: median of %s runs: %s; p99 ms %s / %s / %s); BatchUpsert(%s×100): %s/s; 64 writers, server pinned to 1 core: %s | %s | ≥ 20000 at 64 | %s |\n' \
  "$NCPU" "$(ingest_field upsert 1 updates_per_s)" "$(ingest_field upsert 8 updates_per_s)" "$I64" \
  "$(wc -w <<<"$I64_ALL")" "${I64_ALL% }" \
  "$(ingest_field upsert 1 p99_ms)" "$(ingest_field upsert 8 p99_ms)" "$I64_P99" \
  "8" "$(ingest_field batch 8 updates_per_s)" "$(ingest_field upsert 64 updates_per_s "$INGEST_PINNED_OUT")" \
  "$I64" "$(verdict "$I64" ">=" 20000)"
echo
echo "controls: NoopRaw $NOOP_RPS req/s; achieved rate in (4): $GAS_RATE_RPS req/s"
echo "server CPU per request (µs): GetActiveSessions $GAS_CPU, BuildOnly $BUILD_CPU, NoopRaw $NOOP_CPU, REST $REST_CPU"
echo "server RSS (MiB): A start $(calc "$RSS_START / 1024" 1) -> end $(calc "$RSS_END / 1024" 1); B (x$ENDED_FACTOR ended) start $(calc "$RSS_B_START / 1024" 1) -> after ingest $(calc "$RSS_B_END / 1024" 1)"
# Machine-readable lines (bench_smoke_test).
echo "RESULT 1 $R1"
echo "RESULT 2 ${R2// /_}"
echo "RESULT 3 $R3"
echo "RESULT 4 $R4"
echo "RESULT 5 ${R5// /_}"
echo "RESULT 6 $I64"
