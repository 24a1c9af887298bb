#!/usr/bin/env bash
# End to end with Python: Debian's python3-grpcio, stubs generated here by
# protoc + grpc_python_plugin from the project's protos, against the binary.
source "$(dirname "$0")/e2e_lib.sh"

# Debian's interpreter, where python3-grpcio is installed (a python3 earlier
# on PATH, e.g. pyenv's, does not have it).
PYTHON=/usr/bin/python3
PLUGIN=/usr/bin/grpc_python_plugin
"$PYTHON" -c 'import grpc' 2>/dev/null || fail "python3-grpcio not installed (run tools/install_deps.sh)"
[ -x "$PLUGIN" ] || fail "grpc_python_plugin not installed (run tools/install_deps.sh)"

PROTOS="$WORKSPACE_ROOT/protos"
GEN="$TMP/python_gen"
mkdir -p "$GEN"
(cd "$PROTOS" && protoc -I . --python_out="$GEN" --grpc_out="$GEN" \
  --plugin=protoc-gen-grpc="$PLUGIN" $(find voice google -name '*.proto')) ||
  fail "protoc could not generate the Python stubs"

DB="$TMP/python.db"
start_server "$DB"
TOKEN=$(new_token "$DB" acct-demo-1 sessions:read)
OTHER=$(new_token "$DB" acct-demo-2 sessions:read)
WRITER=$(new_token "$DB" acct-demo-1 sessions:write)
"$PYTHON" "$RUNFILES/tests/python_client.py" "$GEN" "127.0.0.1:$GRPC_PORT" "$TOKEN" "$OTHER" \
  "$WRITER" || fail "python client"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
