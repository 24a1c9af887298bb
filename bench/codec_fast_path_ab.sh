#!/usr/bin/env bash
# A/B of the codec's field-layout fast path (gateway/codec/field_layout.h:
# the JSON/JSV writers read scalar fields by memory offset instead of
# through Reflection), measured end to end: REST GET /portal/active-sessions
# req/s of bench_server with --codec_fast_path=true and =false, alternating
# A B A B ... so that the machine's drift hits both alike, server pinned to
# one core and h2load to the other. Prints each run, then per mode the
# median and the range, and the ratio of the medians.
#
#   bench/codec_fast_path_ab.sh            # builds -c opt; RUNS=5 pairs, N_REQ=20000
#   RUNS=3 N_REQ=5000 bench/codec_fast_path_ab.sh --bin-dir DIR
#
# Traffic goes to 127.0.0.1 only; every run is bounded (-n).
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "$*" >&2; exit 1; }
# shellcheck source=bench/server_lib.sh
source bench/server_lib.sh
: "${RUNS:=5}" "${N_REQ:=20000}" "${ACCOUNTS:=100}" "${ACTIVE:=20}" "${ENDED:=2000}"
: "${SERVER_CPU:=0}" "${CLIENT_CPU:=1}"
BIN_DIR=""
if [[ ${1:-} == --bin-dir ]]; then BIN_DIR="$2"; fi
if [[ -z $BIN_DIR ]]; then
  bazel build -c opt --symlink_prefix=/ //bench:bench_server //bench:gen_data >&2
  BIN_DIR="$(bazel info -c opt --symlink_prefix=/ bazel-bin 2>/dev/null)/bench"
fi
WORK=$(mktemp -d /tmp/codec_ab.XXXXXX)
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN_DIR/gen_data" --db_path="$WORK/bench.db" --accounts="$ACCOUNTS" \
  --active_per_account="$ACTIVE" --ended="$ENDED" --read_token_file="$WORK/read.token" \
  --write_token_file="$WORK/write.token" >&2
TOKEN=$(cat "$WORK/read.token")

run_once() {  # run_once true|false -> prints req/s
  start_server_and_wait "$WORK/server.out" "$WORK/server.err" taskset -c "$SERVER_CPU" \
    "$BIN_DIR/bench_server" --db_path="$WORK/bench.db" --grpc_address=127.0.0.1:0 \
    --http_address=127.0.0.1:0 --codec_fast_path="$1"
  local url="http://127.0.0.1:$HTTP_PORT/portal/active-sessions" out
  taskset -c "$CLIENT_CPU" h2load --h1 -n $((N_REQ / 10)) -c 1 -m 16 \
    -H "authorization: Bearer $TOKEN" "$url" >/dev/null  # warm-up
  out=$(taskset -c "$CLIENT_CPU" h2load --h1 -n "$N_REQ" -c 1 -m 16 \
    -H "authorization: Bearer $TOKEN" "$url")
  h2load_succeeded "$out" "$N_REQ" || { echo "$out" >&2; exit 1; }
  stop_server
  echo "$RPS"
}

on=(); off=()
for r in $(seq "$RUNS"); do
  a=$(run_once true); b=$(run_once false)
  on+=("$a"); off+=("$b")
  echo "run $r: fast path on $a req/s, off $b req/s"
done
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
  printf "median %.0f (range %.0f-%.0f)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "REST req/s, fast path on:  $(stats "${on[@]}")"
echo "REST req/s, fast path off: $(stats "${off[@]}")"
echo "ratio on/off (medians): $(awk -v a="$(median "${on[@]}")" -v b="$(median "${off[@]}")" 'BEGIN { printf "%.3f", a / b }')"
echo "data: $ACCOUNTS accounts x $ACTIVE active; $RUNS pairs of $N_REQ requests; $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
