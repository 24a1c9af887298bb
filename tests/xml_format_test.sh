#!/usr/bin/env bash
# The XML format (.xml, ?format=xml, Accept: application/xml) of the real
# server, parsed by Python's XML parser and compared with the JSON answer
# (tests/xml_check.py).
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/xml.db"
start_server "$DB"
READER=$(new_token "$DB" acct-demo-1 sessions:read)
WRITER=$(new_token "$DB" acct-demo-1 sessions:write)
/usr/bin/python3 "$RUNFILES/tests/xml_check.py" "http://127.0.0.1:$HTTP_PORT" "$READER" "$WRITER" ||
  fail "xml_check failed"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
