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
: "${RUNS:=5}" "${N_REQ:=20000}" "${ACCOUNTS:=100}" "${ACTIVE:=20}" "${ENDED:=2000}"
: "${SERVER_CPU:=0}" "${CLIENT_CPU:=1}"
BIN_DIR=""
if [[ ${1:-} == --bin-dir ]]; then BIN_DIR="$2"; fi
if [[ -z $BIN_DIR ]]; then
  bazel build -c opt --symlink_prefix=/ //bench:bench_server //bench:gen_data >&2
  BIN_DIR="$(bazel info -c opt --symlink_prefix=/ bazel-bin 2>/dev/null)/bench"
fi
WORK=$(mktemp -d /tmp/codec_ab.XXXXXX)
SERVER_PID=""
cleanup() {
  [[ -z $SERVER_PID ]] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN_DIR/gen_data" --db_path="$WORK/bench.db" --accounts="$ACCOUNTS" \
  --active_per_account="$ACTIVE" --ended="$ENDED" --read_token_file="$WORK/read.token" \
  --write_token_file="$WORK/write.token" >&2
TOKEN=$(cat "$WORK/read.token")

run_once() {  # run_once true|false -> prints req/s
  taskset -c "$SERVER_CPU" "$BIN_DIR/bench_server" --db_path="$WORK/bench.db" \
    --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0 --codec_fast_path="$1" \
    >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  local give_up=$((SECONDS + 120))
  until grep -q '^READY ' "$WORK/server.out" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
    [[ $SECONDS -lt $give_up ]] || { echo "server not ready" >&2; exit 1; }
    sleep 0.1
  done
  local port url out
  port=$(sed -n 's/^READY .*http_port=\([0-9]*\).*/\1/p' "$WORK/server.out")
  url="http://127.0.0.1:$port/portal/active-sessions"
  taskset -c "$CLIENT_CPU" h2load --h1 -n $((N_REQ / 10)) -c 1 -m 16 \
    -H "authorization: Bearer $TOKEN" "$url" >/dev/null  # warm-up
  out=$(taskset -c "$CLIENT_CPU" h2load --h1 -n "$N_REQ" -c 1 -m 16 \
    -H "authorization: Bearer $TOKEN" "$url")
  # "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout"
  awk -v n="$N_REQ" '/^requests:/ { ok = ($8 == n && $10 == 0 && $12 == 0 && $14 == 0) }
    END { exit ok ? 0 : 1 }' <<<"$out" || { echo "$out" >&2; exit 1; }
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  awk '/^finished in/ { print $4 }' <<<"$out"
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
