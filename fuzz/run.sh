#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 (--config=fuzz, in
# their own output base) and runs each for a fixed number of executions,
# starting from its checked-in corpus (fuzz/corpus/<target>/, read only:
# new inputs go to a temporary directory). Any crash, sanitizer finding or
# failed check fails the run; the crashing input is kept and printed.
#
#   fuzz/run.sh              # RUNS executions per target (default 100000)
#   RUNS=1000000 fuzz/run.sh # a longer session
#
# Prints one line per target: executions, time, corpus size, coverage.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100000}
TARGETS=(path_template_fuzzer page_token_fuzzer bearer_token_fuzzer session_validator_fuzzer
  json_writer_fuzzer json_body_parser_fuzzer http_request_fuzzer)
BAZEL=(bazel --output_base="${FUZZ_OUTPUT_BASE:-$HOME/.cache/bazel_fuzz}")
"${BAZEL[@]}" build --config=fuzz "${TARGETS[@]/#/\/\/fuzz:}" || { echo "fuzz build failed"; exit 1; }
BIN=$("${BAZEL[@]}" info --config=fuzz bazel-bin 2>/dev/null)/fuzz
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fuzz.XXXXXX")
failed=0
for target in "${TARGETS[@]}"; do
  mkdir -p "$WORK/$target/new" "$WORK/$target/artifacts"
  log="$WORK/$target/log"
  start=$SECONDS
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$BIN/$target" -runs="$RUNS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$WORK/$target/artifacts/" "$WORK/$target/new" "fuzz/corpus/$target" \
    >"$log" 2>&1; then
    stats=$(grep -E '^#[0-9]+.*DONE' "$log" | tail -1)
    echo "fuzz $target: ok runs=$RUNS seconds=$((SECONDS - start)) ${stats#*DONE}"
  else
    failed=$((failed + 1))
    echo "fuzz $target: FAILED (input kept in $WORK/$target/artifacts/)"
    tail -40 "$log"
    for crash in "$WORK/$target"/artifacts/*; do
      [ -f "$crash" ] && { echo "--- $crash (base64):"; base64 -w0 "$crash"; echo; }
    done
  fi
done
echo "fuzz: $(( ${#TARGETS[@]} - failed )) passed, $failed failed"
# Its own Bazel server is not needed after the run (and holds memory).
"${BAZEL[@]}" shutdown 2>/dev/null
[ "$failed" -eq 0 ]
