#!/usr/bin/env bash
# Fails if any C++ file of the tree differs from what clang-format (the
# repository's .clang-format: Google style, 100 columns) makes of it, and
# names the files. Fix with:
#   git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
RUNFILES="${TEST_SRCDIR:-$PWD}/${TEST_WORKSPACE:-active_sessions}"
# Unsandboxed (tags = ["local"]): the data file is a symlink into the tree.
ROOT="$(dirname "$(readlink -f "$RUNFILES/.clang-format")")"
cd "$ROOT"
command -v clang-format >/dev/null || { echo "FAIL: clang-format not installed (tools/install_deps.sh)"; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cc' '*.h')
else
  mapfile -t files < <(find . -path ./node_modules -prune -o -path './bazel-*' -prune -o \
    \( -name '*.cc' -o -name '*.h' \) -print)
fi
[ "${#files[@]}" -gt 0 ] || { echo "FAIL: no C++ files found under $ROOT"; exit 1; }
# One clang-format process for the whole tree; its diagnostics start with
# "FILE:LINE:COL: error:".
if ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
  mapfile -t bad < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error' <<<"$out" | cut -d: -f1 | sort -u)
  echo "FAIL: ${#bad[@]} of ${#files[@]} files are not clang-formatted:"
  printf '  %s\n' "${bad[@]}"
  [ "${#bad[@]}" -gt 0 ] || echo "$out" | head -20
  exit 1
fi
echo "PASS: ${#files[@]} C++ files clang-formatted ($(clang-format --version))"
