# Shared helpers of the end-to-end shell tests: find the built binaries and
# the workspace's npm tools, start the real server on free ports, wait for it
# (bounded), stop it. Sourced, not run.
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  if [ -s "${TMP:-}/server.err" ]; then echo "--- server log ---" >&2; tail -20 "$TMP/server.err" >&2; fi
  exit 1
}

# The Bazel runfiles tree holds the binaries; the npm tools live in the
# source workspace (found through a data file's real path; tests run with
# tags = ["local"]).
RUNFILES="${TEST_SRCDIR:-$PWD}/${TEST_WORKSPACE:-active_sessions}"
SERVER_BIN="$RUNFILES/server/sessions_server"
CTL_BIN="$RUNFILES/tools/sessionsctl"
WORKSPACE_ROOT="$(dirname "$(readlink -f "$RUNFILES/package.json")")"
BUF="$WORKSPACE_ROOT/node_modules/.bin/buf"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
[ -x "$BUF" ] || fail "buf not installed in $WORKSPACE_ROOT/node_modules (run tools/install_deps.sh)"

SERVER_PID=""
GRPC_PORT=""
HTTP_PORT=""

# start_server DB [extra flags...]: starts the server with demo data on free
# ports and waits (at most 60 s) for its READY line.
start_server() {
  local db="$1"; shift
  "$SERVER_BIN" --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0 --demo_data \
    --db_path="$db" --log_level=warn "$@" >"$TMP/server.out" 2>"$TMP/server.err" &
  SERVER_PID=$!
  local i
  for i in $(seq 1 600); do
    if grep -q '^READY ' "$TMP/server.out" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.err" >&2; fail "server exited early"; }
    sleep 0.1
  done
  GRPC_PORT=$(sed -n 's/^READY grpc_port=\([0-9]*\) .*/\1/p' "$TMP/server.out")
  HTTP_PORT=$(sed -n 's/^READY .*http_port=\([0-9]*\).*/\1/p' "$TMP/server.out")
  [ -n "$GRPC_PORT" ] || fail "server did not become ready within 60 s"
}

# stop_server [SIGNAL]: SIGTERM (or SIGNAL), then wait (at most 30 s); sets
# STOP_RC to the exit code (not in a subshell: only this shell can wait for
# its child).
STOP_RC=""
stop_server() {
  kill "-${1:-TERM}" "$SERVER_PID"
  local i
  for i in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID"; fail "server did not stop within 30 s of SIG${1:-TERM}"
  fi
  STOP_RC=0
  wait "$SERVER_PID" || STOP_RC=$?
  SERVER_PID=""
}

cleanup() { [ -z "$SERVER_PID" ] || kill -KILL "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

# new_token DB ACCOUNT SCOPES [extra flags]: prints a fresh token's secret.
new_token() {
  local db="$1" account="$2" scopes="$3"; shift 3
  "$CTL_BIN" --db_path="$db" token create --account="$account" --scopes="$scopes" \
    --name=e2e --quiet "$@"
}

grpc_call() {  # grpc_call TOKEN METHOD_PATH JSON
  local token="$1" path="$2" data="$3"
  local auth=()
  [ -z "$token" ] || auth=(-H "authorization: Bearer $token")
  "$BUF" curl --protocol grpc --http2-prior-knowledge "${auth[@]}" -d "$data" \
    "http://127.0.0.1:$GRPC_PORT/$path"
}
