#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what it needs, then
# runs every Bazel test twice — a normal build and an ASan+UBSan build — with
# cached results disabled, then the fuzzers (fuzz/run.sh), then the container
# image test (deploy/test_image.sh), and prints "N passed, N failed".
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

# The libFuzzer targets (clang-14, ASan + UBSan), a fixed number of
# executions each from their checked-in corpora; one count per target.
echo "=== fuzz ==="
fuzz_log=$(mktemp)
bash fuzz/run.sh 2>&1 | tee "$fuzz_log"
fuzz_rc=${PIPESTATUS[0]}
fp=$(grep -cE '^fuzz [a-z_]+: ok' "$fuzz_log")
ff=$(grep -cE '^fuzz [a-z_]+: FAILED' "$fuzz_log")
if [ "$fuzz_rc" -ne 0 ] && [ "$ff" -eq 0 ]; then ff=1; fi  # the build failed
echo "[fuzz] $fp passed, $ff failed"
passed=$((passed + fp)); failed=$((failed + ff))
[ "$fuzz_rc" -eq 0 ] || overall=1
rm -f "$fuzz_log"

# The container image, built from deploy/Dockerfile with podman and run
# as production runs it (deploy/test_image.sh); one count.
echo "=== image ==="
if bash deploy/test_image.sh; then
  echo "[image] 1 passed, 0 failed"
  passed=$((passed + 1))
else
  echo "[image] 0 passed, 1 failed"
  failed=$((failed + 1)); overall=1
fi

echo "${passed} passed, ${failed} failed"
exit $overall
