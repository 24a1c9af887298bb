#!/usr/bin/env bash
# sessionsctl import -> (ingest API of the real server) -> sessionsctl export
# gives back the input file, for a file that uses every field and every enum
# value; a malformed file is refused and changes nothing.
source "$(dirname "$0")/e2e_lib.sh"

INPUT="$RUNFILES/tests/testdata/sessions_every_field.json"
DB="$TMP/import.db"
start_server "$DB" --demo_data=false
"$CTL_BIN" --db_path="$DB" token create --account=acct-importer --scopes=admin,sessions:write \
  --name=importer --quiet >"$TMP/token"

"$CTL_BIN" import "$INPUT" --server="127.0.0.1:$GRPC_PORT" --token_file="$TMP/token" \
  --progress=always 2>"$TMP/import.progress" || fail "import failed"
"$CTL_BIN" --db_path="$DB" export --output="$TMP/exported.json" 2>"$TMP/export.progress" \
  || fail "export failed"
# Progress: drawn in place on request (a terminal gets it by default)...
COUNT=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sessions"]))' "$INPUT")
grep -q $'\r'"import: $COUNT/$COUNT (100%), [0-9]*/s" "$TMP/import.progress" ||
  fail "no import progress line: $(cat -v "$TMP/import.progress")"
# ... and quiet when stderr is not a terminal (auto): the summary line only.
if grep -q $'\r' "$TMP/export.progress"; then fail "progress drawn into a pipe"; fi
grep -q "^exported $COUNT sessions to " "$TMP/export.progress" || fail "no export summary"
python3 - "$INPUT" "$TMP/exported.json" <<'PY' || fail "round trip changed the sessions"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda s: (s["accountId"], s["id"])
a, b = sorted(a["sessions"], key=key), sorted(b["sessions"], key=key)
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
for x, y in zip(a, b):
    assert x == y, "differs: %s\n%s\n%s" % (x["id"], x, y)
# The fixture really uses every enum value.
enums = {f: set() for f in ["dialState", "callState", "queueState", "channel", "holdReason", "direction"]}
for s in a:
    for f in enums: enums[f].add(s[f])
assert len(enums["callState"]) == 5 and len(enums["queueState"]) == 6, enums
print("round trip ok:", len(a), "sessions")
PY

# Importing twice is idempotent: same number of sessions, all "applied" (equal dates).
"$CTL_BIN" import "$INPUT" --server="127.0.0.1:$GRPC_PORT" --token_file="$TMP/token" >/dev/null \
  || fail "second import failed"
"$CTL_BIN" --db_path="$DB" export --output="$TMP/again.json"
cmp -s "$TMP/exported.json" "$TMP/again.json" || fail "second import changed the data"

# A malformed file is refused with a message and writes nothing.
printf '{"sessions":[{"id":"x","accountId":"acct-importer","dateCreated":"not a date"}]}' >"$TMP/bad.json"
if "$CTL_BIN" import "$TMP/bad.json" --server="127.0.0.1:$GRPC_PORT" --token_file="$TMP/token" 2>"$TMP/bad.err"; then
  fail "bad file imported"
fi
grep -q "date_created" "$TMP/bad.err" || fail "error does not name the field: $(cat "$TMP/bad.err")"
"$CTL_BIN" --db_path="$DB" export --output="$TMP/after_bad.json"
cmp -s "$TMP/exported.json" "$TMP/after_bad.json" || fail "rejected import changed the data"

stop_server
[ "$STOP_RC" = 0 ] || fail "server exit code $STOP_RC"
echo PASS
