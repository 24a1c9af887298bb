#!/usr/bin/env bash
# /types/csharp of the real server declares the classes, properties (name,
# type, order), bases and enums of the original API's C# DTOs (the seed's
# listing in tests/testdata), with only the documented additions
# (tests/csharp_compare.py); /types/metadata (ServiceStack's MetadataTypes
# JSON) describes the same types with their .NET names
# (tests/types_metadata_check.py).
source "$(dirname "$0")/e2e_lib.sh"

DB="$TMP/csharp.db"
start_server "$DB"
/usr/bin/python3 "$RUNFILES/tests/csharp_compare.py" "$RUNFILES/tests/testdata/seed_AppGetActiveSessions.cs" \
  "http://127.0.0.1:$HTTP_PORT" || fail "csharp_compare failed"
/usr/bin/python3 "$RUNFILES/tests/types_metadata_check.py" \
  "$RUNFILES/tests/testdata/seed_AppGetActiveSessions.cs" "http://127.0.0.1:$HTTP_PORT" ||
  fail "types_metadata_check failed"
stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
