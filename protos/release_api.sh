#!/usr/bin/env bash
# Records the API as released: writes protos/api_release.json, the buf image
# (descriptors without source info) that //protos:buf_breaking_test compares
# the protos against. Run it when a release ships, or deliberately with a
# versioned breaking change (a new package such as .../v2), and commit the
# file with the change so the review shows it.
set -euo pipefail
cd "$(dirname "$0")"
BUF=../node_modules/.bin/buf
[ -x "$BUF" ] || { echo "buf not installed (run tools/install_deps.sh)" >&2; exit 1; }
"$BUF" build --exclude-source-info -o -#format=json |
  python3 -c 'import json, sys; json.dump(json.load(sys.stdin), sys.stdout, indent=1, sort_keys=True); print()' \
  > api_release.json
echo "wrote protos/api_release.json"
