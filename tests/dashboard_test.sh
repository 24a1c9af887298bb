#!/usr/bin/env bash
# The /ui/ dashboard in headless Chromium (tests/dashboard_check.mjs). The
# screenshot is a test artifact (bazel-testlogs/tests/dashboard_test/
# test.outputs/); SCREENSHOT_TO=/path/file.png also copies it there
# (docs/dashboard.png is made that way).
source "$(dirname "$0")/e2e_lib.sh"

CHROMIUM=/usr/lib/chromium/chromium
[ -x "$CHROMIUM" ] || CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] || fail "chromium is not installed (tools/install_deps.sh)"
[ -d "$WORKSPACE_ROOT/node_modules/puppeteer-core" ] || fail "puppeteer-core is not installed (tools/install_deps.sh runs npm ci)"
SHOT="${TEST_UNDECLARED_OUTPUTS_DIR:-$TMP}/dashboard.png"
node "$RUNFILES/tests/dashboard_check.mjs" "$WORKSPACE_ROOT/node_modules" "$SERVER_BIN" "$CTL_BIN" \
  "$TMP" "$SHOT" || fail "dashboard_check failed"
[ -s "$SHOT" ] || fail "no screenshot"
[ -z "${SCREENSHOT_TO:-}" ] || cp "$SHOT" "$SCREENSHOT_TO"
echo PASS
