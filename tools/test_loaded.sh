#!/usr/bin/env bash
# Runs the README's test command (tools/test.sh) several times in a row on a
# deliberately slow machine, to prove that no test depends on its speed:
# a CPU hog keeps every core busy, and the whole test command (the Bazel
# server and so every test process it starts) is pinned to one core.
#
#   tools/test_loaded.sh            # 3 runs, pinned to core 0, hog on all cores
#   RUNS=1 TEST_CPU=1 HOGS_PER_CPU=4 tools/test_loaded.sh   # a much slower machine
#
# Prints each run's "N passed, N failed" line and duration; exits non-zero
# if any run failed. Not part of the test command itself (it takes a while).
set -uo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
TEST_CPU="${TEST_CPU:-0}"
HOGS_PER_CPU="${HOGS_PER_CPU:-1}"  # busy processes per core: the tests get 1/(N+1) of theirs
command -v stress-ng >/dev/null || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng >&2
}
LOG_DIR="$(mktemp -d /tmp/test_loaded.XXXXXX)"

# With autogroup scheduling (the Debian default) the Bazel server, a daemon
# in its own session, would get half of its core however many hogs run:
# turn it off for the run (root only), so every hog counts.
AUTOGROUP=/proc/sys/kernel/sched_autogroup_enabled
AUTOGROUP_WAS=""
if [ -w "$AUTOGROUP" ]; then AUTOGROUP_WAS=$(cat "$AUTOGROUP"); echo 0 >"$AUTOGROUP"; fi

# The Bazel server outlives a command: restart it under the pinning, and
# again afterwards so that later builds are not pinned.
bazel shutdown 2>/dev/null
# One hog per core, pinned there: the scheduler cannot move the load off
# the tests' core.
HOGS=()
for cpu in $(seq 0 $(($(nproc) - 1))); do
  taskset -c "$cpu" stress-ng --cpu "$HOGS_PER_CPU" --quiet &
  HOGS+=($!)
done
restore() {
  kill "${HOGS[@]}" 2>/dev/null
  bazel shutdown 2>/dev/null
  [ -z "$AUTOGROUP_WAS" ] || echo "$AUTOGROUP_WAS" >"$AUTOGROUP"
}
trap restore EXIT

status=0
for run in $(seq "$RUNS"); do
  start=$SECONDS
  taskset -c "$TEST_CPU" bash tools/test.sh >"$LOG_DIR/run$run.log" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || status=1
  echo "run $run: $(grep -aoE '\[(default|asan\+ubsan)\] [0-9]+ passed, [0-9]+ failed' \
    "$LOG_DIR/run$run.log" | tr '\n' ' ')" \
    "exit $rc, $((SECONDS - start)) s (log: $LOG_DIR/run$run.log)"
done
echo "load: $HOGS_PER_CPU stress-ng CPU hog(s) pinned to each core, tests pinned to core $TEST_CPU," \
  "autogroup scheduling $([ -n "$AUTOGROUP_WAS" ] && echo "off (was $AUTOGROUP_WAS)" || echo unchanged);" \
  "$(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
exit "$status"
