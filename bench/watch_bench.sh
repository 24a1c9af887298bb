#!/usr/bin/env bash
# The live view's benchmarks, against the production binary
# (//server:sessions_server, its default logging):
#  - fan-out: one writer at a steady rate with 10 / 100 / 1000 gRPC watches
#    and 100 Server-Sent Events watches (the REST port's watch route):
#    send-to-acknowledgement and send-to-delivery latency at every watcher,
#    ingest throughput with the watches attached / without, server CPU per
#    delivered event, and how long the watches took to drain the backlog
#    of the throughput run before the latency run starts
#    (bench/watch_fanout_bench.cc);
#  - memory: RSS of a server whose live view holds ACTIVE sessions, against
#    their serialized size (/metrics sessions_live_view_data_bytes).
# Each fan-out row is the median of RUNS runs (fresh database, fresh
# server), with the spread (min-max) beside it.
#
#   bench/watch_bench.sh       # RUNS=3 WATCHERS="10 100 1000" SSE_WATCHERS=100 ACTIVE=100000
#   RUNS=1 WATCHERS=10 SSE_WATCHERS=10 ACTIVE=1000 bench/watch_bench.sh   # quick check
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
WATCHERS=${WATCHERS:-"10 100 1000"}
SSE_WATCHERS=${SSE_WATCHERS:-100}
ACTIVE=${ACTIVE:-100000}
RATE=${RATE:-50}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
die() { echo "watch_bench: $*" >&2; exit 1; }
source bench/server_lib.sh
trap stop_server EXIT

FLAGS=(-c opt --symlink_prefix=/)
bazel build "${FLAGS[@]}" //server:sessions_server //bench:gen_data //bench:watch_fanout_bench \
  >/dev/null 2>&1 || die "build failed"
BIN="$(bazel info "${FLAGS[@]}" bazel-bin 2>/dev/null)"
TMP=$(mktemp -d)

start() {  # start DB
  start_server_and_wait "$TMP/out" "$TMP/err" "$BIN/server/sessions_server" \
    --db_path="$1" --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0 --max_watches_per_token=2000
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "| watchers | write ack p99 ms | delivery p50 ms | delivery p99 ms | delivery p99 / ack p99 | ingest with / without watchers | backlog drained in s | server CPU µs per event |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
rows=()
for w in $WATCHERS; do rows+=("$w"); done
for w in $SSE_WATCHERS; do rows+=("sse:$w"); done
for row in "${rows[@]}"; do
  w=${row#sse:} label=$w transport=()
  ack=() p50=() p99=() ratio=() tput=() drain=() cpu=()
  for r in $(seq "$RUNS"); do
    db="$TMP/fan-$w-$r.db"
    "$BIN/bench/gen_data" --db_path="$db" --accounts=10 --active_per_account=20 --ended=0 \
      --read_token_file="$TMP/read" --write_token_file="$TMP/write" \
      --ingest_read_token_file="$TMP/watch" >/dev/null
    start "$db"
    [[ $row == sse:* ]] && label="$w SSE" transport=(--sse_target="127.0.0.1:$HTTP_PORT")
    out=$("$BIN/bench/watch_fanout_bench" --target="127.0.0.1:$GRPC_PORT" "${transport[@]}" \
      --read_token_file="$TMP/watch" --write_token_file="$TMP/write" --watchers="$w" \
      --rate="$RATE" --seconds="$SECONDS_PER_RUN" --server_pid="$SERVER_PID" --run_id="r$r") \
      || { echo "$out" >&2; die "fan-out run failed (watchers=$label)"; }
    stop_server
    latency=$(grep '^phase=latency' <<<"$out")
    ack+=("$(field ack_p99_ms "$latency")") p50+=("$(field delivery_p50_ms "$latency")")
    p99+=("$(field delivery_p99_ms "$latency")") ratio+=("$(field delivery_p99_over_ack_p99 "$latency")")
    cpu+=("$(field server_cpu_us_per_event "$latency")")
    tput+=("$(field ratio_vs_none "$(grep "^phase=throughput watchers=$w " <<<"$out")")")
    drain+=("$(field seconds "$(grep '^phase=drain' <<<"$out")")")
  done
  echo "| $label | $(median_spread "${ack[@]}") | $(median_spread "${p50[@]}") | $(median_spread "${p99[@]}") | $(median_spread "${ratio[@]}") | $(median_spread "${tput[@]}") | $(median_spread "${drain[@]}") | $(median_spread "${cpu[@]}") |"
done

# Memory: ACTIVE active sessions in the view.
db="$TMP/mem.db"
"$BIN/bench/gen_data" --db_path="$db" --accounts=100 --active_per_account=$((ACTIVE / 100)) \
  --ended=0 >/dev/null
start "$db"
metrics=$(curl -sS --max-time 60 "http://127.0.0.1:$HTTP_PORT/metrics")
sessions=$(awk '/^sessions_live_view_sessions / {print $2}' <<<"$metrics")
bytes=$(awk '/^sessions_live_view_data_bytes / {printf "%d", $2}' <<<"$metrics")
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
stop_server
awk -v s="$sessions" -v b="$bytes" -v r="$rss_kb" 'BEGIN {
  rss = r * 1024; goal = 2.5 * b + 64 * 1048576;
  printf "\nmemory: %d active sessions, serialized %.1f MiB (%.0f B/session), RSS %.1f MiB, goal (2.5 x serialized + 64 MiB) %.1f MiB: %s\n",
    s, b / 1048576, b / s, rss / 1048576, goal / 1048576, rss <= goal ? "met" : "NOT met" }'
rm -rf "$TMP"
