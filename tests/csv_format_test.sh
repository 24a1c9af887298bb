#!/usr/bin/env bash
# The CSV format (.csv, ?format=csv, Accept: text/csv) of the real server,
# parsed back with Python's csv module and compared with the JSON answer
# (tests/csv_check.py).
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/csv.db"
start_server "$DB"
READER=$(new_token "$DB" acct-demo-1 sessions:read)
WRITER=$(new_token "$DB" acct-demo-1 sessions:write)
/usr/bin/python3 "$RUNFILES/tests/csv_check.py" "http://127.0.0.1:$HTTP_PORT" "$READER" "$WRITER" ||
  fail "csv_check failed"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
