#!/usr/bin/env bash
# Keeps the benchmark harness from rotting: runs `bench/run.sh --smoke` with
# the binaries from this test's runfiles (no -c opt rebuild) and checks that
# the result table was printed with numeric values for every scenario run
# against the server (1-5, 7: reads against their controls, scale; 6:
# durable ingest, realistic mix; 8: ended-rows latency). run.sh
# itself fails when any counted call failed or none succeeded. No speed goal
# is asserted: this machine is shared and the data is tiny.
set -euo pipefail

RUNFILES="${TEST_SRCDIR:?}/${TEST_WORKSPACE:-active_sessions}"
BENCH="$RUNFILES/bench"
OUT="${TEST_TMPDIR:?}/run.out"

status=0
"$BENCH/run.sh" --smoke --bin-dir "$BENCH" >"$OUT" 2>&1 || status=$?
cat "$OUT"
[[ $status == 0 ]] || { echo "FAIL: run.sh --smoke exited with $status"; exit 1; }

fail=0
for id in 1 2 3 4 5 6 7 8; do
  value=$(awk -v id="$id" '$1 == "RESULT" && $2 == id { print $3 }' "$OUT")
  if [[ ! $value =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
    echo "FAIL: scenario $id has no numeric result (got '$value')"; fail=1
  elif [[ $id == 6 && $value == 0 ]]; then
    echo "FAIL: ingest counted no successful update"; fail=1
  fi
done
grep -q '^| 1 | GetActiveSessions' "$OUT" || { echo "FAIL: result table missing"; fail=1; }
# Every load run reported its counts; none may show a failure.
checks=$(grep -c '^CHECK ' "$OUT" || true)
[[ $checks -ge 8 ]] || { echo "FAIL: only $checks load runs reported"; fail=1; }
if grep '^CHECK ' "$OUT" | grep -v 'failed=0 errored=0 timeout=0' | grep -q .; then
  echo "FAIL: a load run had failed requests"; fail=1
fi
if grep '^CHECK ' "$OUT" | grep -q 'succeeded=0 '; then
  echo "FAIL: a load run had no successful request"; fail=1
fi
paced=$(grep -c '^PACED ' "$OUT" || true)
[[ $paced -ge 4 ]] || { echo "FAIL: only $paced paced runs reported"; fail=1; }
if grep '^PACED ' "$OUT" | grep -v ' failed=0 ' | grep -q .; then
  echo "FAIL: a paced run had failed requests"; fail=1
fi
if grep '^INGEST ' "$OUT" | grep -v ' failed=0 ' | grep -q .; then
  echo "FAIL: an ingest run had failed writes"; fail=1
fi
[[ $fail == 0 ]] && echo "PASS: benchmark harness smoke run"
exit "$fail"
