#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what it needs, then
# runs every Bazel test twice — a normal build and an ASan+UBSan build — with
# cached results disabled, and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/install_deps.sh || { echo "install_deps failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
overall=0
run_suite() {
  local label="$1"; shift
  local log
  log=$(mktemp)
  echo "=== bazel test ($label) ==="
  bazel test --nocache_test_results --test_output=errors "$@" //... 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -cE '^//[^ ]+ +PASSED' "$log")
  f=$(grep -cE '^//[^ ]+ +(FAILED|TIMEOUT|FLAKY|NO STATUS|FAILED TO BUILD|INCOMPLETE)' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # build/analysis failure
  echo "[$label] $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
  [ "$rc" -eq 0 ] || overall=1
  rm -f "$log"
}

run_suite "default"
run_suite "asan+ubsan" --config=asan

echo "${passed} passed, ${failed} failed"
exit $overall
