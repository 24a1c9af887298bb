#!/usr/bin/env bash
# ThreadSanitizer run (issue 17; not part of the README's test command).
#
# TSan can only judge code that tells it about its synchronization. Our code
# is built with -fsanitize=thread (`--config=tsan`, .bazelrc), but Debian's
# libabsl_* are not: absl::Mutex::Lock/Unlock are compiled there, so every
# access guarded by an absl::Mutex looked like a race. This script builds
# Debian's own Abseil (the same version and patches as libabsl-dev, from its
# source package) as shared libraries with -fsanitize=thread, once, into
# ABSL_TSAN_DIR, and runs the tests with those libraries in place of the
# system ones (LD_LIBRARY_PATH: same sonames, same ABI, so gRPC and
# protobuf use the instrumented absl::Mutex too). gRPC's and protobuf's own
# code stays uninstrumented: TSan does not see their memory accesses (no
# reports from inside them), only ours.
#
#   tools/tsan.sh                      # the concurrency tests below
#   tools/tsan.sh //service:watch_test # any targets
set -euo pipefail
cd "$(dirname "$0")/.."
ABSL_TSAN_DIR=${ABSL_TSAN_DIR:-$HOME/.cache/active_sessions/absl-tsan}
VERSION=$(dpkg-query -W -f='${Version}' libabsl-dev)
log() { echo "[tsan] $*" >&2; }

if [[ ! -f $ABSL_TSAN_DIR/$VERSION.done ]]; then
  log "building Abseil $VERSION with -fsanitize=thread into $ABSL_TSAN_DIR (once; ~10 min)"
  work=$(mktemp -d /tmp/absl-tsan.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  # Debian's source package through a private apt configuration: the
  # machine's sources.list is left as it is.
  mkdir -p "$work/lists/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
    >"$work/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists")
  apt-get "${apt_opts[@]}" update >/dev/null
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "abseil=$VERSION" >/dev/null 2>&1)
  dpkg-source -x "$work"/abseil_*.dsc "$work/src" >/dev/null
  # As debian/rules configures the shared build (C++17), plus TSan.
  cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_STANDARD=17 -DBUILD_SHARED_LIBS=ON -DBUILD_TESTING=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
    -DCMAKE_INSTALL_PREFIX="$work/install" >/dev/null
  ninja -C "$work/build" install >/dev/null
  mkdir -p "$ABSL_TSAN_DIR"
  cp -a "$work"/install/lib*/libabsl_*.so* "$ABSL_TSAN_DIR/"
  touch "$ABSL_TSAN_DIR/$VERSION.done"
fi

TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then
  # Clean on 2026-12-07. Tests that stream through gRPC's callback API or
  # parse messages on several threads are not listed: they need gRPC and
  # protobuf built with TSan as well (RELIABILITY.md, "ThreadSanitizer").
  TARGETS=(//common:worker_thread_test //common:background_queue_test //service:watch_test
    //service:live_view_test //service:live_view_model_test //service/auth:token_authenticator_test
    //storage/sqlite:group_commit_writer_test //storage/sqlite:sqlite_token_store_test
    //storage/sqlite:sqlite_session_store_test //gateway/http:body_budget_test
    //tests:tenant_isolation_test //tests:portal_integration_test)
fi
bazel test --config=tsan --keep_going --nocache_test_results --test_env=LD_LIBRARY_PATH="$ABSL_TSAN_DIR" \
  --test_env=TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tools/tsan_suppressions.txt" \
  --test_output=errors \
  "${TARGETS[@]}"
