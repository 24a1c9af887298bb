#!/usr/bin/env bash
# Offline checks of everything under deploy/ (no Docker daemon, no cluster).
#
#   bash deploy/test_deploy.sh                      # from anywhere
#   bazel test //deploy:deploy_test                 # same script, tags=["local"]
#
# 1. yamllint -s on the kustomize sources (+ a seeded bad file must fail)
# 2. dockerfile-utils lint and dockerfilelint on deploy/Dockerfile, both clean
#    (+ a seeded bad Dockerfile must fail both)
# 3. kubectl kustomize every overlay (set -o pipefail), schema-validate
#    (validate_k8s.mjs), policy-check with the Dockerfile and the environment
#    rules (check_policy.mjs); schema-validate the base
# 4. negative tests: broken manifests / Dockerfiles must be rejected
# Step 3 and 4 need kubectl with kustomize >= v4; without it they are
# reported as SKIPPED (never as passed) and the rest still runs.
# Closing line: "deploy: N passed, N failed, N skipped".
set -euo pipefail

# --- find the source tree -------------------------------------------------
# Direct run: this file's real path. Bazel (tags=["local"], unsandboxed): the
# runfiles entries are symlinks into the source tree, so readlink -f of this
# script or of a data file lands in the workspace (which has node_modules/).
find_root() {
  local candidates=()
  [ -n "${DEPLOY_REPO_ROOT:-}" ] && candidates+=("$DEPLOY_REPO_ROOT")
  candidates+=("$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/..")
  if [ -n "${TEST_SRCDIR:-}" ]; then
    local f
    for f in "$TEST_SRCDIR/${TEST_WORKSPACE:-active_sessions}/deploy/Dockerfile" "$TEST_SRCDIR"/*/deploy/Dockerfile; do
      [ -e "$f" ] && candidates+=("$(dirname "$(readlink -f "$f")")/..")
    done
  fi
  local c
  for c in "${candidates[@]}"; do
    if [ -f "$c/deploy/Dockerfile" ] && [ -f "$c/package.json" ] && [ -d "$c/deploy/k8s" ]; then
      (cd "$c" && pwd -P)
      return 0
    fi
  done
  echo "test_deploy: cannot find the repository root (tried: ${candidates[*]})" >&2
  return 1
}
ROOT="$(find_root)"
cd "$ROOT"
WORK="$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/deploy_test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

PASS=0 FAIL=0 SKIP=0
pass() { PASS=$((PASS + 1)); echo "PASS: $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
skip() { SKIP=$((SKIP + 1)); echo "SKIPPED: $* ***********************************************"; }
# Runs "$@" with output captured; passes on rc 0.
check() {
  local name="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then pass "$name"; sed 's/^/    /' "$WORK/out" | tail -n 3
  else fail "$name"; sed 's/^/    /' "$WORK/out"; fi
}
# Passes when "$@" FAILS (a seeded error must be caught).
check_rejects() {
  local name="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then fail "$name (the broken input was accepted)"; sed 's/^/    /' "$WORK/out"
  else pass "$name"; fi
}

echo "deploy checks in $ROOT"

# --- prerequisites ----------------------------------------------------------
missing=0
command -v node >/dev/null || { fail "node is not installed (tools/install_deps.sh)"; missing=1; }
for m in kubernetes-models @kubernetes/client-node yaml dockerfile-utils dockerfilelint; do
  [ -d "node_modules/$m" ] || { fail "node_modules/$m missing: run tools/install_deps.sh (npm ci)"; missing=1; }
done
command -v yamllint >/dev/null || { fail "yamllint is not installed (tools/install_deps.sh)"; missing=1; }
if [ "$missing" = 1 ]; then echo "deploy: $PASS passed, $FAIL failed, $SKIP skipped"; exit 1; fi

# --- 1. yamllint ---------------------------------------------------------------
check "yamllint -s -c .yamllint.yaml deploy/" yamllint -s -c .yamllint.yaml deploy/
mkdir -p "$WORK/yamlbad"
# Each seeded file must fail: trailing space, truthy "no", duplicate key.
sed 's/^automountServiceAccountToken: false$/automountServiceAccountToken: no/' deploy/k8s/base/serviceaccount.yaml >"$WORK/yamlbad/truthy.yaml"
sed 's/^kind: ServiceAccount$/kind: ServiceAccount  /' deploy/k8s/base/serviceaccount.yaml >"$WORK/yamlbad/trailing.yaml"
sed 's/^  name: active-sessions$/  name: active-sessions\n  name: again/' deploy/k8s/base/serviceaccount.yaml >"$WORK/yamlbad/dupkey.yaml"
for f in truthy trailing dupkey; do
  if cmp -s "$WORK/yamlbad/$f.yaml" deploy/k8s/base/serviceaccount.yaml; then fail "yamllint seed $f did not apply"; continue; fi
  check_rejects "yamllint rejects seeded $f error" yamllint -s -c .yamllint.yaml "$WORK/yamlbad/$f.yaml"
done

# --- 2. Dockerfile lint -----------------------------------------------------
dockerfile_utils_clean() {
  # exit 0 on warnings only, so any output counts as unclean too
  local out
  out="$(node_modules/.bin/dockerfile-utils lint "$1" 2>&1)" || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "$out"; return 1; }
}
check "dockerfile-utils lint deploy/Dockerfile (no diagnostics)" dockerfile_utils_clean deploy/Dockerfile
check "dockerfilelint deploy/Dockerfile (no issues)" node_modules/.bin/dockerfilelint deploy/Dockerfile
sed -e 's/^FROM debian:12-slim AS runtime/FROMM debian:12-slim AS runtime/' -e 's/^EXPOSE 50051\/tcp/EXPOSE 50051\/tcpp/' deploy/Dockerfile >"$WORK/Dockerfile.utils-bad"
sed -e 's/apt-get install -y --no-install-recommends/apt-get install/' deploy/Dockerfile >"$WORK/Dockerfile.lint-bad"
check_rejects "dockerfile-utils rejects FROMM / tcpp" dockerfile_utils_clean "$WORK/Dockerfile.utils-bad"
check_rejects "dockerfilelint rejects apt-get install without -y/--no-install-recommends" node_modules/.bin/dockerfilelint "$WORK/Dockerfile.lint-bad"
[ -f deploy/Dockerfile.dockerignore ] && grep -qx '\*\*/secrets' deploy/Dockerfile.dockerignore \
  && pass "Dockerfile.dockerignore keeps secrets/ out of the build context" \
  || fail "deploy/Dockerfile.dockerignore must exclude **/secrets"

# --- 3. render + validate + policy -------------------------------------------
KUBECTL="${KUBECTL:-kubectl}"
kustomize_ok=0
if command -v "$KUBECTL" >/dev/null 2>&1; then
  kv="$("$KUBECTL" version --client -o json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).kustomizeVersion||"")}catch{console.log("")}})')" || kv=""
  case "$kv" in v[4-9]*|v[1-9][0-9]*) kustomize_ok=1 ;; esac
fi
if [ "$kustomize_ok" != 1 ]; then
  skip "render/validate/policy/negative tests: no kubectl with kustomize >= v4 (found: ${kv:-no kubectl}); Debian's kubernetes-client (kustomize v2) cannot render these overlays. NOT VERIFIED."
else
  # Overlays read secrets/bootstrap-token, which is never committed: render a
  # copy with a throwaway token so the real tree is never written to.
  cp -rL deploy/k8s "$WORK/k8s"
  for o in "$WORK"/k8s/overlays/*/; do
    mkdir -p "$o/secrets"
    # the server's format: "ast_" + 43 base64url characters (sessionsctl token secret)
    printf 'ast_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" >"$o/secrets/bootstrap-token"
    # The replicas overlay's database connection string (a made-up one).
    if grep -q 'secrets/postgres-dsn' "$o/kustomization.yaml"; then
      printf 'host=db.invalid dbname=sessions user=sessions password=%s\n' "$(head -c 12 /dev/urandom | base64 | tr -d '=+/\n')" >"$o/secrets/postgres-dsn"
    fi
  done
  overlays=()
  for o in "$WORK"/k8s/overlays/*/; do overlays+=("$(basename "$o")"); done
  [ "${#overlays[@]}" -ge 3 ] && pass "overlays found: ${overlays[*]}" || fail "expected dev, prod and replicas overlays, found: ${overlays[*]}"
  render() { set -o pipefail; "$KUBECTL" kustomize "$1" >"$2"; }
  check "kubectl kustomize base renders" render "$WORK/k8s/base" "$WORK/base.yaml"
  check "base: schema + unknown fields" node deploy/validate/validate_k8s.mjs "$WORK/base.yaml"
  for o in "${overlays[@]}"; do
    if render "$WORK/k8s/overlays/$o" "$WORK/$o.yaml" 2>"$WORK/render.err"; then
      pass "kubectl kustomize overlays/$o renders ($(grep -c '^kind:' "$WORK/$o.yaml") objects)"
      check "overlays/$o: schema + unknown fields (validate_k8s.mjs)" node deploy/validate/validate_k8s.mjs "$WORK/$o.yaml"
      check "overlays/$o: policy + Dockerfile + env rules (check_policy.mjs)" \
        node deploy/validate/check_policy.mjs --dockerfile deploy/Dockerfile --env "$o" "$WORK/$o.yaml"
    else
      fail "kubectl kustomize overlays/$o"; sed 's/^/    /' "$WORK/render.err"
    fi
  done
  # An overlay without its token file must not render (no silent empty Secret).
  rm -f "$WORK/k8s/overlays/dev/secrets/bootstrap-token"
  check_rejects "overlays/dev without secrets/bootstrap-token does not render" render "$WORK/k8s/overlays/dev" "$WORK/nosecret.yaml"

  # --- 4. negative tests ------------------------------------------------------
  # The replicas overlay without its DSN file must not render either.
  rm -f "$WORK/k8s/overlays/replicas/secrets/postgres-dsn"
  check_rejects "overlays/replicas without secrets/postgres-dsn does not render" render "$WORK/k8s/overlays/replicas" "$WORK/nodsn.yaml"
  if [ -s "$WORK/dev.yaml" ] && [ -s "$WORK/prod.yaml" ] && [ -s "$WORK/replicas.yaml" ]; then
    if node deploy/validate/negative_tests.mjs "$WORK/dev.yaml" "$WORK/prod.yaml" deploy/Dockerfile "$WORK/replicas.yaml" >"$WORK/neg" 2>&1; then
      pass "$(tail -n 1 "$WORK/neg")"
    else
      fail "negative tests"; sed 's/^/    /' "$WORK/neg"
    fi
  else
    fail "negative tests need the dev, prod and replicas renders"
  fi
fi

echo "deploy: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" = 0 ]
