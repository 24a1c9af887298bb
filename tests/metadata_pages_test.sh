#!/usr/bin/env bash
# ServiceStack's metadata pages (/metadata, /json/metadata?op=) of the real
# server, parsed as HTML and followed link by link (tests/metadata_check.py).
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/metadata.db"
start_server "$DB"
/usr/bin/python3 "$RUNFILES/tests/metadata_check.py" "http://127.0.0.1:$HTTP_PORT" ||
  fail "metadata_check failed"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
