#!/usr/bin/env bash
# What authentication costs a read while the database is busy with writes,
# before and after tokens moved to their own read connections with last-use
# writes off the call (issue 17, commit 6e3fdf3). Before it, every
# authentication took the one SQLite connection of the token store, behind
# one mutex, and could wait for SQLite's write lock (busy_timeout 5 s).
#
# For each server binary, REPS rounds alternating BEFORE and AFTER:
#   idle   GetActiveSessions req/s (h2load, -c 1 -m 16, a 20-session answer
#          from the live view: the call is mostly authentication + encoding)
#   loaded the same while bench/ingest_bench writes with 32 writers
#          (durable group commits into the same SQLite file)
# and prints the medians (min-max) and loaded ÷ idle per binary. Reads come
# from the live view in both binaries, so what differs under load is what a
# call waits for in authentication.
#
#   BEFORE=/path/to/old/bazel-bin bench/auth_under_writes.sh
#     BEFORE: a bazel-bin (-c opt) of the old commit holding
#     server/sessions_server and bench/gen_data (each binary fills its own
#     database: the schema moved on). AFTER defaults to this tree's.
#   REPS=3 SECONDS_PER_RUN=5 (defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
die() { echo "auth_under_writes: $*" >&2; exit 1; }
log() { echo "[auth_under_writes] $*" >&2; }
# shellcheck source=bench/server_lib.sh
source bench/server_lib.sh
[[ -n ${BEFORE:-} && -x $BEFORE/server/sessions_server ]] || die "BEFORE must be an old bazel-bin"
command -v h2load >/dev/null || die "h2load not found"

FLAGS=(-c opt --symlink_prefix=/)
log "building (-c opt)"
bazel build "${FLAGS[@]}" //server:sessions_server //bench:gen_data //bench:ingest_bench \
  >/dev/null 2>&1 || die "build failed"
BIN=$(bazel info "${FLAGS[@]}" bazel-bin 2>/dev/null)
AFTER=${AFTER:-$BIN}
INGEST=$BIN/bench/ingest_bench

WORK=$(mktemp -d /tmp/auth_under_writes.XXXXXX)
trap 'stop_server; rm -rf "$WORK"' EXIT
printf '\x00\x00\x00\x00\x00' >"$WORK/frame.bin"
GAS=voice.api.app.portal.v1.PortalService/GetActiveSessions

reads() {  # reads TAG: req/s for SECONDS_PER_RUN; every call must succeed
  local out
  out=$(h2load -D "$SECONDS_PER_RUN" -c 1 -m 16 -d "$WORK/frame.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    -H "authorization: Bearer $(cat "$WORK/$1.read")" "http://127.0.0.1:$GRPC_PORT/$GAS" 2>&1) ||
    { echo "$out" >&2; die "h2load failed"; }
  h2load_succeeded "$out" || die "reads $1: $REQUESTS"
  # A refused call is an HTTP 200 too: compare the bytes with the calls.
  local data
  data=$(sed -n 's/.*(\([0-9]*\)) data.*/\1/p' <<<"$out")
  [[ $data -ge $((OK * 1000)) ]] || die "reads $1: short answers (refused calls?)"
  echo "$RPS"
}

round() {  # round TAG BIN: sets IDLE and LOADED (req/s)
  local tag=$1 bin=$2
  "$bin/bench/gen_data" --db_path="$WORK/$tag.db" --accounts=10 --active_per_account=20 \
    --ended=0 --read_token_file="$WORK/$tag.read" --write_token_file="$WORK/$tag.write" >/dev/null
  start_server_and_wait "$WORK/$tag.out" "$WORK/$tag.err" "$bin/server/sessions_server" \
    --db_path="$WORK/$tag.db" --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0
  IDLE=$(reads "$tag")
  "$INGEST" --target="127.0.0.1:$GRPC_PORT" --token_file="$WORK/$tag.write" --writers=32 \
    --batch_writers=0 --duration="$((SECONDS_PER_RUN + 2))s" >"$WORK/$tag.ingest" 2>&1 &
  local writer=$!
  sleep 1
  LOADED=$(reads "$tag")
  wait "$writer" || { cat "$WORK/$tag.ingest" >&2; die "ingest_bench failed"; }
  grep -q '^INGEST .* failed=0' "$WORK/$tag.ingest" || die "ingest $tag: failed writes"
  stop_server
}
ratio() { awk "BEGIN {printf \"%.2f\", $LOADED / $IDLE}"; }

B_IDLE=() B_LOAD=() B_RATIO=() A_IDLE=() A_LOAD=() A_RATIO=()
for r in $(seq "$REPS"); do
  round "before$r" "$BEFORE"
  B_IDLE+=("$IDLE") B_LOAD+=("$LOADED") B_RATIO+=("$(ratio)")
  round "after$r" "$AFTER"
  A_IDLE+=("$IDLE") A_LOAD+=("$LOADED") A_RATIO+=("$(ratio)")
  log "round $r: before ${B_IDLE[-1]} -> ${B_LOAD[-1]} req/s; after ${A_IDLE[-1]} -> ${A_LOAD[-1]} req/s"
done
echo "| binary | reads idle (req/s) | reads during ingest (req/s) | during ÷ idle |"
echo "|---|---|---|---:|"
echo "| before | $(median_spread "${B_IDLE[@]}") | $(median_spread "${B_LOAD[@]}") | $(median_spread "${B_RATIO[@]}") |"
echo "| after | $(median_spread "${A_IDLE[@]}") | $(median_spread "${A_LOAD[@]}") | $(median_spread "${A_RATIO[@]}") |"
