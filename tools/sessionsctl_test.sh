#!/usr/bin/env bash
# Runs the built sessionsctl on a temp database: create -> list (no secret)
# -> revoke -> list shows revoked; bad usage exits non-zero.
set -uo pipefail

BIN="${TEST_SRCDIR:-}/${TEST_WORKSPACE:-}/tools/sessionsctl"
[ -x "$BIN" ] || BIN="tools/sessionsctl"
DIR="$(mktemp -d "${TEST_TMPDIR:-/tmp}/sessionsctl.XXXXXX")"
DB="$DIR/sessions.db"
unset SESSIONS_DB_PATH
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Runs the CLI; stdout -> $DIR/out, stderr -> $DIR/err; returns its exit code.
ctl() { "$BIN" "$@" >"$DIR/out" 2>"$DIR/err"; }

expect_exit() {  # expected_code description args...
  local want="$1" what="$2"; shift 2
  ctl "$@"; local got=$?
  [ "$got" -eq "$want" ] || fail "$what: exit $got, want $want (stderr: $(cat "$DIR/err"))"
}

# --- create ---
expect_exit 0 "create" --db_path="$DB" token create --account=acct-1 --customer=cust-9 \
  --scopes=sessions:read,sessions:write --ttl=720h --name="dash board"
SECRET="$(grep -E '^ast_[A-Za-z0-9_-]{43}$' "$DIR/out")"
ID="$(grep -oE 'tok_[0-9a-f]{16}' "$DIR/out" | head -n1)"
[ -n "$SECRET" ] || fail "create printed no secret: $(cat "$DIR/out")"
[ -n "$ID" ] || fail "create printed no id"
[ "$(grep -c '^ast_' "$DIR/out")" -eq 1 ] || fail "secret printed more than once"

# --quiet prints only the secret; the env var is the db_path fallback.
SESSIONS_DB_PATH="$DB" "$BIN" token create --account=acct-1 --scopes=admin --name=ops \
  --ttl=inf --quiet >"$DIR/quiet" 2>"$DIR/err" || fail "quiet create failed: $(cat "$DIR/err")"
[ "$(wc -l <"$DIR/quiet")" -eq 1 ] && grep -qE '^ast_[A-Za-z0-9_-]{43}$' "$DIR/quiet" \
  || fail "--quiet output is not exactly one secret"
QUIET_SECRET="$(cat "$DIR/quiet")"

# The secret is not stored in the database file (only its SHA-256).
if grep -qF "${SECRET#ast_}" "$DB" "$DB-wal" 2>/dev/null; then fail "secret found in database"; fi

# --- list ---
expect_exit 0 "list" --db_path="$DB" token list
grep -q "$ID" "$DIR/out" || fail "list lacks $ID"
grep -q "dash board" "$DIR/out" || fail "list lacks the name"
grep -q "cust-9" "$DIR/out" || fail "list lacks the customer"
grep -q "sessions:read,sessions:write" "$DIR/out" || fail "list lacks the scopes"
grep "$ID" "$DIR/out" | grep -q "active" || fail "new token not active"
grep -qF "${SECRET#ast_}" "$DIR/out" && fail "list shows a secret"
grep -qF "${QUIET_SECRET#ast_}" "$DIR/out" && fail "list shows the quiet secret"
grep -q "ast_" "$DIR/out" && fail "list shows something secret-like"
[ "$(grep -c '^tok_' "$DIR/out")" -eq 2 ] || fail "list does not show 2 tokens"

# --- revoke ---
expect_exit 0 "revoke" --db_path="$DB" token revoke "$ID"
expect_exit 0 "list after revoke" --db_path="$DB" token list
grep "$ID" "$DIR/out" | grep -q "revoked" || fail "revoked token not shown as revoked"
expect_exit 1 "revoke unknown id" --db_path="$DB" token revoke tok_00000000000000ff

# --- bad usage: non-zero, and a message on stderr ---
expect_exit 2 "no command" --db_path="$DB"
expect_exit 2 "unknown command" --db_path="$DB" token frob
expect_exit 2 "missing --account" --db_path="$DB" token create --scopes=sessions:read --name=x
expect_exit 2 "unknown scope" --db_path="$DB" token create --account=a --scopes=root --name=x
expect_exit 2 "foreign flag" --db_path="$DB" token list --account=a
grep -q "not an option of 'token list'" "$DIR/err" || fail "foreign flag message: $(cat "$DIR/err")"
expect_exit 2 "revoke without id" --db_path="$DB" token revoke
expect_exit 2 "revoke a secret" --db_path="$DB" token revoke "$SECRET"
grep -qF "${SECRET#ast_}" "$DIR/err" && fail "revoke echoed a secret"
ctl --db_path="$DB" --no_such_flag token list && fail "unknown flag accepted"
ctl --db_path="$DB" token create --account=a --scopes=sessions:read --name=x --ttl=soon \
  && fail "bad --ttl accepted"
expect_exit 0 "help" help
grep -q "token create" "$DIR/out" || fail "help lacks token create"

# A mistyped path is an error, and leaves no empty database behind.
expect_exit 1 "list missing db" --db_path="$DIR/nope.db" token list
[ -e "$DIR/nope.db" ] && fail "list created a database"

# --- customers: the directory restricted writers are checked against ---
expect_exit 0 "customers set root" --db_path="$DB" customers set --account=acct-1 --customer=root
expect_exit 0 "customers set hq" --db_path="$DB" customers set --account=acct-1 --customer=hq \
  --parent=root
expect_exit 0 "customers set team" --db_path="$DB" customers set --account=acct-1 \
  --customer=team --parent=hq
grep -qx "root > hq > team" "$DIR/out" || fail "customers set printed: $(cat "$DIR/out")"
expect_exit 0 "customers path" --db_path="$DB" customers path --account=acct-1 --customer=team
grep -qx "root > hq > team" "$DIR/out" || fail "customers path printed: $(cat "$DIR/out")"
expect_exit 1 "customers cycle" --db_path="$DB" customers set --account=acct-1 --customer=root \
  --parent=team
grep -q "parent_id" "$DIR/err" || fail "cycle error does not name parent_id: $(cat "$DIR/err")"
expect_exit 1 "customers path unknown" --db_path="$DB" customers path --account=acct-1 \
  --customer=ghost
expect_exit 1 "customers path other account" --db_path="$DB" customers path --account=acct-2 \
  --customer=team
expect_exit 2 "customers set without account" --db_path="$DB" customers set --customer=x

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "PASS"
