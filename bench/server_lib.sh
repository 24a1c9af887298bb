# Shell functions shared by the bench scripts (run.sh, codec_fast_path_ab.sh,
# replica_bench.sh, watch_bench.sh, auth_under_writes.sh): start a server
# and wait for its READY line, stop it, check h2load's request counts, and
# summarize a row's runs. Source it; it defines functions only. The caller
# defines die MESSAGE (report the error and exit non-zero).
# shellcheck shell=bash disable=SC2034  # the variables set here are the callers'

SERVER_PID=""

# start_server_and_wait OUT ERR COMMAND...: runs COMMAND (bench_server's
# command line, possibly behind taskset or nice) in the background with its
# stdout in OUT and its stderr in ERR, and waits up to 120 s for the READY
# line. Sets SERVER_PID, GRPC_PORT and HTTP_PORT. Dies if the server exits
# first (after copying ERR to stderr) or is not ready in time.
start_server_and_wait() {
  local out=$1 err=$2
  shift 2
  "$@" >"$out" 2>"$err" &
  SERVER_PID=$!
  local give_up=$((SECONDS + 120))
  until grep -q '^READY ' "$out" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$err" >&2; die "server exited"; }
    [[ $SECONDS -lt $give_up ]] || die "server not ready after 120 s"
    sleep 0.1
  done
  GRPC_PORT=$(sed -n 's/^READY grpc_port=\([0-9]*\).*/\1/p' "$out")
  HTTP_PORT=$(sed -n 's/^READY .*http_port=\([0-9]*\).*/\1/p' "$out")
}

# stop_server: SIGTERM, then SIGKILL if the server is still running after
# 5 s; reaps it. Does nothing when no server runs.
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# h2load_succeeded H2LOAD_OUTPUT [N]: whether the run's every request
# succeeded, none failed, errored or timed out (and, given N, exactly N
# succeeded). Sets REQUESTS (the "requests: N total, N started, N done,
# N succeeded, N failed, N errored, N timeout" line), OK, FAILED, ERRORED,
# TIMEOUT and RPS (req/s).
h2load_succeeded() {
  RPS=$(awk '/^finished in/ { print $4 }' <<<"$1")
  REQUESTS=$(grep '^requests:' <<<"$1" || true)
  local counts
  read -r -a counts <<<"$REQUESTS"
  OK=${counts[7]:-} FAILED=${counts[9]:-} ERRORED=${counts[11]:-} TIMEOUT=${counts[13]:-}
  [[ ${OK:-0} -gt 0 && $FAILED == 0 && $ERRORED == 0 && $TIMEOUT == 0 ]] &&
    [[ $# -lt 2 || $OK == "$2" ]]
}

# median_spread VALUES...: prints "median (min-max)" of the numbers, the
# form every bench table reports a row's runs in.
median_spread() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "%s (%s-%s)", v[int((NR+1)/2)], v[1], v[NR]}'
}
