#!/usr/bin/env bash
# Builds deploy/Dockerfile with podman and runs the image the way the
# Kubernetes manifests do: uid 65532, read-only root filesystem, every
# capability dropped, no new privileges, the database on a volume. Checks
# grpc.health.v1 and GetActiveSessions with `buf curl`, an ingest that
# survives a restart of the container on the same volume, the REST route and
# /metrics with curl, and that SIGTERM drains and exits 0; prints the image
# size. Run by tools/test.sh; a machine that cannot build or run containers
# fails here with the reason (never skipped).
#
# This kind of machine needs three podman settings (../shared/container-build.md):
# no default ulimits, runc with cgroupfs, and base images made locally with
# debootstrap from Debian's archive (no registry is reachable). They are set
# for this script only (CONTAINERS_CONF), not for the machine.
#   IMAGE (default active-sessions:test)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-active-sessions:test}"
BASE=docker.io/library/debian:12
BUF="$PWD/node_modules/.bin/buf"
WORK="$(mktemp -d /tmp/test_image.XXXXXX)"
CONTAINER="active-sessions-test-$$"

fail() {
  echo "FAIL: $*" >&2
  if podman_cmd container exists "$CONTAINER" 2>/dev/null; then
    echo "--- container log ---" >&2
    podman_cmd logs --tail 20 "$CONTAINER" >&2 2>&1 || true
  fi
  exit 1
}
step() { echo "test_image: $*"; }

for tool in podman runc debootstrap curl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (tools/install_deps.sh installs podman, runc, debootstrap)"
done
[ -x "$BUF" ] || fail "buf is not installed (tools/install_deps.sh runs npm ci)"
[ "$(id -u)" = 0 ] || fail "this test runs rootful podman and must run as root (uid $(id -u))"

cat >"$WORK/containers.conf" <<'EOF'
[containers]
# podman's default nofile/nproc ulimits fail here: setrlimit is not permitted.
default_ulimits = []

[engine]
# crun fails with "cgroups in hybrid mode not supported" on this kind of machine.
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
export CONTAINERS_CONF="$WORK/containers.conf"
podman_cmd() { podman --runtime runc --cgroup-manager=cgroupfs "$@"; }

cleanup() {
  podman_cmd rm -f -t 0 "$CONTAINER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

podman_cmd info >"$WORK/podman_info" 2>&1 || fail "podman cannot run on this machine: $(tail -5 "$WORK/podman_info")"

# --- base images: debian:12 and debian:12-slim from Debian's archive --------
# The mirror apt already uses on this machine, and its sources (updates and
# security included), so the image gets the same fixes as the host.
if ! podman_cmd image exists "$BASE"; then
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*\/debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
  [ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list(.d) for debootstrap"
  step "making $BASE with debootstrap from $mirror"
  start=$SECONDS
  timeout 20m debootstrap --variant=minbase bookworm "$WORK/rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    fail "debootstrap failed: $(tail -5 "$WORK/debootstrap.log")"
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    rm -f "$WORK/rootfs/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$WORK/rootfs/etc/apt/sources.list.d/"
  fi
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" -c . | podman_cmd import - "$BASE" >/dev/null 2>&1
  rm -rf "$WORK/rootfs"
  step "base image made in $((SECONDS - start)) s"
fi
podman_cmd image exists "$BASE-slim" || podman_cmd tag "$BASE" "$BASE-slim"

# --- build -------------------------------------------------------------------
step "building $IMAGE from deploy/Dockerfile"
start=$SECONDS
timeout 45m podman --runtime runc --cgroup-manager=cgroupfs build --network host --pull=never \
  --ignorefile deploy/Dockerfile.dockerignore -f deploy/Dockerfile -t "$IMAGE" . \
  >"$WORK/build.log" 2>&1 || fail "image build failed: $(tail -20 "$WORK/build.log")"
build_seconds=$((SECONDS - start))
# Earlier builds' layers, untagged now, would pile up run after run.
podman_cmd image prune -f >/dev/null 2>&1 || true
size_bytes=$(podman_cmd image inspect "$IMAGE" --format '{{.Size}}')
base_bytes=$(podman_cmd image inspect "$BASE-slim" --format '{{.Size}}')
step "built in ${build_seconds} s; image size $((size_bytes / 1000000)) MB (base $((base_bytes / 1000000)) MB)"

# --- run ---------------------------------------------------------------------
DATA="$WORK/data"
mkdir -p "$DATA"
chown 65532:65532 "$DATA"
GRPC_PORT=""
HTTP_PORT=""
# run_container: starts the image on free loopback ports (port 0, read back
# from the READY line) and waits at most 60 s for it.
run_container() {
  podman_cmd run -d --name "$CONTAINER" --network host \
    --read-only --cap-drop all --security-opt no-new-privileges -v "$DATA":/data \
    "$IMAGE" --demo_data --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0 >/dev/null ||
    fail "podman run failed"
  local i
  for i in $(seq 1 600); do
    if podman_cmd logs "$CONTAINER" 2>/dev/null | grep -q '^READY '; then break; fi
    [ "$(podman_cmd inspect "$CONTAINER" --format '{{.State.Running}}')" = true ] || fail "the server exited early"
    sleep 0.1
  done
  local ready
  ready=$(podman_cmd logs "$CONTAINER" 2>/dev/null | grep '^READY ' | tail -1)
  GRPC_PORT=$(sed -n 's/^READY grpc_port=\([0-9]*\) .*/\1/p' <<<"$ready")
  HTTP_PORT=$(sed -n 's/^READY .*http_port=\([0-9]*\).*/\1/p' <<<"$ready")
  [ -n "$GRPC_PORT" ] && [ -n "$HTTP_PORT" ] || fail "the server did not become ready within 60 s"
}
# stop_container: SIGTERM, at most 30 s to drain; the exit code must be 0
# (podman would SIGKILL after the timeout: 137).
stop_container() {
  podman_cmd stop -t 30 "$CONTAINER" >/dev/null || fail "podman stop failed"
  local rc
  rc=$(podman_cmd inspect "$CONTAINER" --format '{{.State.ExitCode}}')
  [ "$rc" = 0 ] || fail "after SIGTERM the server exited $rc, not 0"
  podman_cmd logs "$CONTAINER" 2>&1 | tail -3 >"$WORK/stop.log"
  podman_cmd rm "$CONTAINER" >/dev/null
}
grpc_call() {  # grpc_call TOKEN METHOD_PATH JSON
  local auth=()
  [ -z "$1" ] || auth=(-H "authorization: Bearer $1")
  "$BUF" curl --protocol grpc --http2-prior-knowledge "${auth[@]}" -d "$3" \
    "http://127.0.0.1:$GRPC_PORT/$2"
}

step "running it read-only as uid 65532 without capabilities"
run_container
pid=$(podman_cmd inspect "$CONTAINER" --format '{{.State.Pid}}')
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$uid" = 65532 ] || fail "the server runs as uid $uid, not 65532"
cap_eff=$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")
[ "$cap_eff" = 0000000000000000 ] || fail "the server has capabilities $cap_eff"
[ "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")" = 1 ] || fail "no_new_privs is not set"
if podman_cmd exec "$CONTAINER" sh -c 'echo x >/usr/local/bin/written' 2>/dev/null; then
  fail "the root filesystem is writable"
fi
[ -s "$DATA/sessions.db" ] || fail "no database on the volume"
[ "$(stat -c %u "$DATA/sessions.db")" = 65532 ] || fail "the database is not owned by uid 65532"

health=$(grpc_call "" grpc.health.v1.Health/Check '{}') || fail "health check failed"
grep -q '"SERVING"' <<<"$health" || fail "health: $health"
# sessionsctl inside the image finds the database through SESSIONS_DB_PATH.
TOKEN=$(podman_cmd exec "$CONTAINER" sessionsctl token create --account=acct-demo-1 \
  --scopes=sessions:read,sessions:write --name=image-test --quiet) || fail "sessionsctl token create failed"
listing=$(grpc_call "$TOKEN" voice.api.app.portal.v1.PortalService/GetActiveSessions '{}') ||
  fail "GetActiveSessions failed"
demo_count=$(grep -c '"id":' <<<"$listing" || true)
[ "$demo_count" -gt 0 ] || fail "GetActiveSessions listed no demo session: $listing"
grpc_call "$TOKEN" voice.api.sessions.v1.SessionIngestService/UpsertSession \
  '{"session":{"accountId":"acct-demo-1","id":"image-test-1","dateCreated":"2026-12-03T10:00:00Z","displayName":"from the image test"}}' \
  >/dev/null || fail "UpsertSession failed"

rest=$(curl -sS -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "http://127.0.0.1:$HTTP_PORT/portal/active-sessions") || fail "REST request failed"
[ "$(tail -1 <<<"$rest")" = 200 ] || fail "REST answered $(tail -1 <<<"$rest")"
grep -q '"image-test-1"' <<<"$rest" || fail "REST listing lacks the ingested session"
metrics=$(curl -sS "http://127.0.0.1:$HTTP_PORT/metrics") || fail "/metrics failed"
grep -q '^sessions_store_commits_total' <<<"$metrics" || fail "/metrics lacks sessions_store_commits_total"

step "SIGTERM: drain and exit 0"
stop_container

step "a new container on the same volume serves what the first one stored"
run_container
listing=$(grpc_call "$TOKEN" voice.api.app.portal.v1.PortalService/GetActiveSessions '{}') ||
  fail "GetActiveSessions after the restart failed"
grep -q '"image-test-1"' <<<"$listing" || fail "the ingested session was lost across the restart"
stop_container

echo "test_image: ok (image $IMAGE, $((size_bytes / 1000000)) MB, built in ${build_seconds} s)"
