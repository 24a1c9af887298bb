#!/usr/bin/env bash
# Replicas on PostgreSQL (issue 16): what the PostgreSQL store costs against
# SQLite, what a second replica adds, and how fast a write through one
# replica reaches a watch on another. Every row is a ratio of two sides
# measured back to back in the same round; the table shows the median of
# REPS rounds with the min-max beside it (this machine drifts by ±10 %).
#
#   1 reads: GetActiveSessions throughput (h2load closed loop, -c 1 -m 16,
#     one account's 20-session answer), --store=postgres ÷ --store=sqlite
#   2 ingest: durable ingest updates/s, the realistic mix
#     (bench/ingest_bench), 64 writers, one server: postgres ÷ sqlite
#   3 ingest: two replicas on one database (32 writers each, summed) ÷ one
#     replica (64 writers), postgres
#   4 propagation: writes through replica A at 50/s, 10 watches on replica
#     B: delivery p99 (send to delivery on B) ÷ write ack p99 (send to
#     acknowledgement by A)
#
# The production binary (//server:sessions_server, default logging: one
# access-log line per call) against a PostgreSQL 15 started here (Debian's
# postgresql-15: initdb in a temp dir, Unix socket only, fsync and
# synchronous_commit on, as the `postgres` user when run as root). Nothing
# is pinned: servers, PostgreSQL and load generators share every core, as
# they would share a small node; only same-run ratios mean anything.
#
#   bench/replica_bench.sh                  # REPS=3, ~6 min after the build
#   REPS=1 SECONDS_PER_RUN=2 bench/replica_bench.sh   # quick check
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
N_REQ=${N_REQ:-20000}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
die() { echo "replica_bench: $*" >&2; exit 1; }
log() { echo "[replica_bench] $*" >&2; }
# shellcheck source=bench/server_lib.sh
source bench/server_lib.sh
for tool in h2load nghttp awk sort; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb missing (apt-get install postgresql-15)"

BAZEL=(bazel ${BENCH_BAZEL_STARTUP:-})
FLAGS=(-c opt --symlink_prefix=/)
log "building (-c opt)"
"${BAZEL[@]}" build "${FLAGS[@]}" //server:sessions_server //bench:gen_data //bench:ingest_bench \
  //bench:watch_fanout_bench >/dev/null 2>&1 || die "build failed"
BIN="$("${BAZEL[@]}" info "${FLAGS[@]}" bazel-bin 2>/dev/null)"

WORK=$(mktemp -d /tmp/replica_bench.XXXXXX)
chmod 755 "$WORK"
PG_DIR=$WORK/pg
SERVERS=()
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${SERVERS[@]}"; do SERVER_PID=$pid stop_server; done
  [[ -d $PG_DIR/data ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$PG_DIR"
[[ $(id -u) == 0 ]] && chown postgres "$PG_DIR"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 120 \
  -o "-k $PG_DIR -c listen_addresses='' -c max_connections=200" start >/dev/null
new_database() {  # new_database NAME: creates it, prints its DSN
  as_pg "$PG_BIN/createdb" -h "$PG_DIR" -U postgres "$1" || die "createdb $1 failed"
  echo "host=$PG_DIR user=postgres dbname=$1"
}

calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# fill TAG STORE-FLAGS...: demo-sized data and tokens in $WORK/TAG.*
fill() {
  local tag=$1; shift
  "$BIN/bench/gen_data" "$@" --accounts=10 --active_per_account=20 --ended=0 \
    --read_token_file="$WORK/$tag.read" --write_token_file="$WORK/$tag.write" \
    --ingest_read_token_file="$WORK/$tag.watch" >/dev/null
}
# serve TAG STORE-FLAGS...: starts a server; sets GRPC_PORT, SERVER_PID.
serve() {
  local tag=$1; shift
  start_server_and_wait "$WORK/$tag.out" "$WORK/$tag.err" "$BIN/server/sessions_server" "$@" \
    --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0
  SERVERS+=("$SERVER_PID")
}
stop_servers() {
  for pid in "${SERVERS[@]}"; do SERVER_PID=$pid stop_server; done
  SERVERS=()
}

printf '\x00\x00\x00\x00\x00' >"$WORK/frame.bin"  # empty GetActiveSessionsRequest: the token's account
GAS=voice.api.app.portal.v1.PortalService/GetActiveSessions
reads() {  # reads TAG: GetActiveSessions req/s on GRPC_PORT
  local out bytes
  # h2load counts any HTTP 200 (a refused gRPC call too): one call checked
  # here for grpc-status 0 and its size, then every response's size.
  out=$(nghttp -v -d "$WORK/frame.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    -H "authorization: Bearer $(cat "$WORK/$1.read")" "http://127.0.0.1:$GRPC_PORT/$GAS" 2>&1 |
    grep -a -E 'recv DATA frame|grpc-status' || true)
  grep -q 'grpc-status: 0' <<<"$out" || die "reads $1: the check call failed: $out"
  bytes=$(grep -a -o 'recv DATA frame <length=[0-9]*' <<<"$out" | awk -F= '{s += $2} END {print s + 0}')
  [[ $bytes -gt 1000 ]] || die "reads $1: a $bytes-byte answer is not a 20-session page"
  out=$(h2load -n "$N_REQ" -c 1 -m 16 -d "$WORK/frame.bin" -H 'content-type: application/grpc' \
    -H 'te: trailers' -H "authorization: Bearer $(cat "$WORK/$1.read")" \
    "http://127.0.0.1:$GRPC_PORT/$GAS" 2>&1) || { echo "$out" >&2; die "h2load failed"; }
  h2load_succeeded "$out" "$N_REQ" || die "reads $1: $REQUESTS"
  local data
  data=$(sed -n 's/.*(\([0-9]*\)) data.*/\1/p' <<<"$out")
  [[ $data -ge $((OK * (bytes - 16))) ]] || die "reads $1: short responses (failed calls?)"
  echo "$RPS"
}
ingest() {  # ingest TAG PORT WRITERS: prints updates/s
  local out
  out=$("$BIN/bench/ingest_bench" --target="127.0.0.1:$2" --token_file="$WORK/$1.write" \
    --writers="$3" --batch_writers=0 --duration="${SECONDS_PER_RUN}s") ||
    { echo "$out" >&2; die "ingest_bench failed"; }
  local line
  line=$(grep '^INGEST ' <<<"$out" | tail -n 1)
  [[ $(field failed "$line") == 0 ]] || die "ingest $1: failed calls: $line"
  field updates_per_s "$line"
}

READ_R=() INGEST_R=() SCALE_R=() PROP_R=()
READ_S=() READ_P=() ING_S=() ING_P=() ING_2=() ACK=() DELIVERY=()
for r in $(seq "$REPS"); do
  log "round $r: sqlite"
  fill "s$r" --db_path="$WORK/s$r.db"
  serve "s$r" --db_path="$WORK/s$r.db"
  rs=$(reads "s$r"); is=$(ingest "s$r" "$GRPC_PORT" 64)
  stop_servers

  log "round $r: postgres, one replica"
  dsn=$(new_database "one_$r")
  fill "p$r" --store=postgres --postgres_dsn="$dsn"
  serve "p$r" --store=postgres --postgres_dsn="$dsn"
  rp=$(reads "p$r"); ip=$(ingest "p$r" "$GRPC_PORT" 64)
  stop_servers

  log "round $r: postgres, two replicas"
  dsn=$(new_database "two_$r")
  fill "q$r" --store=postgres --postgres_dsn="$dsn"
  serve "qa$r" --store=postgres --postgres_dsn="$dsn"; port_a=$GRPC_PORT
  serve "qb$r" --store=postgres --postgres_dsn="$dsn"; port_b=$GRPC_PORT
  ingest "q$r" "$port_a" 32 >"$WORK/qa$r.rate" &
  ingest_a=$!
  sleep 0.05  # distinct session ids (ingest_bench's are keyed by its start time)
  ingest "q$r" "$port_b" 32 >"$WORK/qb$r.rate" &
  ingest_b=$!
  wait "$ingest_a" || die "ingest on replica A failed"
  wait "$ingest_b" || die "ingest on replica B failed"
  i2=$(calc "$(cat "$WORK/qa$r.rate") + $(cat "$WORK/qb$r.rate")" 0)
  # Propagation A -> B (after the ingest runs; their sessions stay active).
  out=$("$BIN/bench/watch_fanout_bench" --target="127.0.0.1:$port_a" \
    --watch_target="127.0.0.1:$port_b" --read_token_file="$WORK/q$r.watch" \
    --write_token_file="$WORK/q$r.write" --watchers=10 --rate=50 --seconds="$SECONDS_PER_RUN" \
    --throughput_seconds=1 --run_id="x$r") || { echo "$out" >&2; die "propagation run failed"; }
  latency=$(grep '^phase=latency' <<<"$out")
  stop_servers

  READ_S+=("$rs") READ_P+=("$rp") ING_S+=("$is") ING_P+=("$ip") ING_2+=("$i2")
  ACK+=("$(field ack_p99_ms "$latency")") DELIVERY+=("$(field delivery_p99_ms "$latency")")
  READ_R+=("$(calc "$rp / $rs")") INGEST_R+=("$(calc "$ip / $is")") SCALE_R+=("$(calc "$i2 / $ip")")
  PROP_R+=("$(field delivery_p99_over_ack_p99 "$latency")")
  log "round $r: reads sqlite=$rs postgres=$rp; ingest sqlite=$is postgres=$ip two-replicas=$i2; $latency"
done

echo "| # | row | measured (medians) | ratio |"
echo "|---|---|---|---:|"
echo "| 1 | GetActiveSessions throughput, postgres ÷ sqlite (req/s) | $(median_spread "${READ_P[@]}") / $(median_spread "${READ_S[@]}") | $(median_spread "${READ_R[@]}") |"
echo "| 2 | durable ingest, 64 writers, one server: postgres ÷ sqlite (updates/s) | $(median_spread "${ING_P[@]}") / $(median_spread "${ING_S[@]}") | $(median_spread "${INGEST_R[@]}") |"
echo "| 3 | durable ingest on postgres: 2 replicas × 32 writers ÷ 1 replica × 64 (updates/s) | $(median_spread "${ING_2[@]}") / $(median_spread "${ING_P[@]}") | $(median_spread "${SCALE_R[@]}") |"
echo "| 4 | write on A, watch on B: delivery p99 ÷ ack p99 (ms) | $(median_spread "${DELIVERY[@]}") / $(median_spread "${ACK[@]}") | $(median_spread "${PROP_R[@]}") |"
