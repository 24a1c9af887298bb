#!/usr/bin/env bash
# The README's run command: installs what it needs, builds the server and
# the admin CLI, creates a demo token on an embedded SQLite file with demo
# data, prints how to call the service, then runs the server in the
# foreground (Ctrl-C stops it cleanly).
#   GRPC_PORT (default 50051), HTTP_PORT (default 8080), DATA_DIR (default .data)
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install_deps.sh
GRPC_PORT="${GRPC_PORT:-50051}"
HTTP_PORT="${HTTP_PORT:-8080}"
DATA_DIR="${DATA_DIR:-.data}"
mkdir -p "$DATA_DIR"
DB="$DATA_DIR/sessions.db"

bazel build -c opt //server:sessions_server //tools:sessionsctl
BIN="$(bazel info -c opt bazel-bin)"
cp -f "$BIN/server/sessions_server" "$BIN/tools/sessionsctl" "$DATA_DIR/"

TOKEN=$("$DATA_DIR/sessionsctl" --db_path="$DB" token create --account=acct-demo-1 \
  --scopes=sessions:read,sessions:write --ttl=24h --name="demo-$(date +%Y%m%d-%H%M%S)" --quiet)
BUF="$PWD/node_modules/.bin/buf"

cat <<EOT

Active Sessions service (demo data, database $DB)
  gRPC  127.0.0.1:$GRPC_PORT   (reflection + grpc.health.v1 on)
  REST  http://127.0.0.1:$HTTP_PORT/portal/active-sessions
  Demo token (account acct-demo-1, read+write, 24h): $TOKEN

List services:
  $BUF curl --protocol grpc --http2-prior-knowledge --list-services http://127.0.0.1:$GRPC_PORT

Active sessions over gRPC:
  $BUF curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $TOKEN" \\
    -d '{}' http://127.0.0.1:$GRPC_PORT/voice.api.app.portal.v1.PortalService/GetActiveSessions

Active sessions over REST (ServiceStack JSON / JSV):
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$HTTP_PORT/portal/active-sessions
  curl -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP_PORT/portal/active-sessions.jsv?customerId=cust-acme-hq"

Watch them change (gRPC stream / Server-Sent Events):
  $BUF curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $TOKEN" \
    -d '{}' http://127.0.0.1:$GRPC_PORT/voice.api.app.portal.v1.PortalService/WatchActiveSessions
  curl -N -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$HTTP_PORT/portal/active-sessions/watch

EOT
exec "$DATA_DIR/sessions_server" --db_path="$DB" --demo_data \
  --grpc_address="127.0.0.1:$GRPC_PORT" --http_address="127.0.0.1:$HTTP_PORT"
