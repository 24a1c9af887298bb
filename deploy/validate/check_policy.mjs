#!/usr/bin/env node
// Project policy for the rendered manifests + Dockerfile, asserted in code.
// Schema validity is validate_k8s.mjs's job; this checks what a schema cannot:
//
//   kubectl kustomize deploy/k8s/overlays/prod \
//     | node deploy/validate/check_policy.mjs --dockerfile deploy/Dockerfile
//
// Exit 1 and one line per violation when anything fails. Rules:
//  probes     every container has startup, readiness and liveness probes with a handler;
//             liveness tolerates a whole drain (failureThreshold*periodSeconds > drain)
//  resources  requests and limits for cpu and memory on every container, requests <= limits
//  security   pod AND container level: runAsNonRoot, numeric non-root runAsUser/runAsGroup,
//             seccomp RuntimeDefault; container: readOnlyRootFilesystem,
//             allowPrivilegeEscalation false, capabilities drop ALL (no add), not privileged;
//             pod: fsGroup, no host namespaces, no hostPath; automountServiceAccountToken false on
//             the pod and on its (dedicated, rendered) ServiceAccount
//  ports      ConfigMap SESSIONS_GRPC_ADDRESS/SESSIONS_HTTP_ADDRESS ports == container ports
//             grpc/http == grpc probe ports == Service targetPorts (by name or number, with
//             appProtocol kubernetes.io/h2c / http) == NetworkPolicy ingress ports (only
//             those) == Dockerfile EXPOSE
//  shutdown   terminationGracePeriodSeconds > preStop sleep + SESSIONS_DRAIN_TIMEOUT
//  sqlite     (SESSIONS_STORE unset or sqlite) StatefulSet with exactly 1 replica, no HPA, a
//             headless governing Service, a volumeClaimTemplate mounted at the Dockerfile's
//             --db_path directory, /tmp emptyDir
//  postgres   (SESSIONS_STORE=postgres) one Deployment, no StatefulSet, >= 3 replicas, rolling
//             updates with maxUnavailable 0, a PodDisruptionBudget for its pods allowing at most
//             replicas-1 down, a hostname topology spread, SESSIONS_POSTGRES_DSN_FILE in a mounted
//             Secret (never a DSN in a ConfigMap), a NetworkPolicy admitting egress to 5432
//  secret     SESSIONS_BOOTSTRAP_TOKEN_FILE (and SESSIONS_POSTGRES_DSN_FILE) is a file of a
//             mounted, rendered Secret (key exists, no world-readable mode)
//  images     explicit tag or digest, never :latest
//  labels     every object but the Namespace has app.kubernetes.io/name and part-of
//  docker     final stage FROM debian:12-slim, numeric non-root USER equal to runAsUser,
//             build stage runs tools/install_build_deps.sh (Debian packages only: no
//             package.json / npm in any stage), exec-form ENTRYPOINT with --db_path
//  --env      prod: no demo data, no debug logs, no */localhost CORS, pinned registry image;
//             replicas: prod's rules and SESSIONS_STORE=postgres; dev: demo data on
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";

const WORKLOAD_KINDS = new Set(["StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job"]);
const DEFAULTS = { grpc: 50051, http: 8080, drainSeconds: 10, grace: 30 };

// Kubernetes quantity -> number (cpu in cores, memory in bytes).
export function parseQuantity(q) {
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(String(q));
  if (!m) return NaN;
  const mult = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}

// Abseil duration ("10s", "1m30s", "500ms", "1.5h") -> seconds; NaN if invalid.
export function parseAbslDuration(text) {
  const s = String(text).trim();
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/gy;
  let total = 0, m, pos = 0;
  const unit = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  while ((m = re.exec(s))) { total += Number(m[1]) * unit[m[2]]; pos = re.lastIndex; }
  return pos === s.length && pos > 0 ? total : NaN;
}

function portOfAddress(addr) {
  const m = /:(\d+)$/.exec(String(addr ?? ""));
  return m ? Number(m[1]) : NaN;
}

// Minimal Dockerfile reader: joins continuations, drops comments, splits stages.
export function parseDockerfile(text) {
  const lines = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    if (/^\s*#/.test(raw) && cur === "") continue;
    if (/^\s*#/.test(raw)) continue; // comment inside a continuation
    if (/\\\s*$/.test(raw)) { cur += raw.replace(/\\\s*$/, " "); continue; }
    cur += raw;
    if (cur.trim()) lines.push(cur.trim());
    cur = "";
  }
  if (cur.trim()) lines.push(cur.trim());
  const stages = [];
  for (const line of lines) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    const instr = m[1].toUpperCase(), args = m[2];
    if (instr === "FROM") stages.push({ from: args, instructions: [] });
    if (stages.length) stages[stages.length - 1].instructions.push({ instr, args });
  }
  return stages;
}

function execForm(args) {
  try { const v = JSON.parse(args); return Array.isArray(v) ? v : null; } catch { return null; }
}

export function checkDockerfile(text) {
  const errors = [];
  const stages = parseDockerfile(text);
  if (stages.length < 2) errors.push("Dockerfile: expected a multi-stage build (build + runtime)");
  const final = stages[stages.length - 1] ?? { from: "", instructions: [] };
  const all = (instr) => final.instructions.filter((i) => i.instr === instr);
  if (!/^debian:12-slim(\s|@|$)/.test(final.from)) errors.push(`Dockerfile: runtime stage must be FROM debian:12-slim, got "${final.from}"`);
  if (!stages.slice(0, -1).some((s) => /^debian:12(\s|@|$)/.test(s.from) && s.instructions.some((i) => i.instr === "RUN" && /tools\/install_build_deps\.sh/.test(i.args)))) {
    errors.push("Dockerfile: a build stage FROM debian:12 must run tools/install_build_deps.sh");
  }
  // npm inside a container build fails where the registry is unreachable or
  // its certificates are not trusted; the image needs none of the npm tools.
  for (const stage of stages) {
    for (const i of stage.instructions) {
      if ((i.instr === "COPY" || i.instr === "ADD") && /package(-lock)?\.json/.test(i.args)) {
        errors.push("Dockerfile: the image build must not need npm (COPY of package.json)");
      }
      if (i.instr === "RUN" && /\b(npm|npx)\b|tools\/install_deps\.sh/.test(i.args)) {
        errors.push("Dockerfile: the image build must not need npm (RUN npm or tools/install_deps.sh)");
      }
    }
  }
  const users = all("USER");
  let uid = NaN;
  if (!users.length) errors.push("Dockerfile: runtime stage has no USER (would run as root)");
  else {
    const u = users[users.length - 1].args.trim();
    const m = /^(\d+)(?::(\d+))?$/.exec(u);
    if (!m) errors.push(`Dockerfile: USER must be numeric uid[:gid] (runAsNonRoot cannot verify names), got "${u}"`);
    else if (Number(m[1]) === 0 || (m[2] !== undefined && Number(m[2]) === 0)) errors.push(`Dockerfile: USER must not be root (uid/gid 0), got "${u}"`);
    else uid = Number(m[1]);
  }
  const exposed = new Set();
  for (const e of all("EXPOSE")) {
    for (const p of e.args.split(/\s+/).filter(Boolean)) {
      const m = /^(\d+)(?:\/(tcp|udp))?$/i.exec(p);
      if (!m) errors.push(`Dockerfile: cannot read EXPOSE ${p}`);
      else exposed.add(Number(m[1]));
    }
  }
  const ep = all("ENTRYPOINT").pop();
  const entry = ep ? execForm(ep.args) : null;
  if (!entry) errors.push("Dockerfile: runtime stage needs an exec-form (JSON) ENTRYPOINT (signals reach the server)");
  const dbFlag = (entry ?? []).find((a) => a.startsWith("--db_path="));
  const dbPath = dbFlag ? dbFlag.slice("--db_path=".length) : null;
  if (!dbPath) errors.push("Dockerfile: ENTRYPOINT must pass --db_path=<volume>/sessions.db");
  return { errors, uid, exposed, dbPath };
}

const matches = (selector, labels) => selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function checkPolicy(objects, dockerfileText) {
  const errors = [];
  const err = (obj, msg) => errors.push(`${obj.kind}/${obj.metadata?.name}: ${msg}`);
  const byKind = (k) => objects.filter((o) => o?.kind === k);
  const docker = dockerfileText !== undefined ? checkDockerfile(dockerfileText) : null;
  if (docker) errors.push(...docker.errors);

  for (const o of objects) {
    if (o.kind === "Namespace") continue;
    const l = o.metadata?.labels ?? {};
    if (!l["app.kubernetes.io/name"] || !l["app.kubernetes.io/part-of"]) err(o, "missing label app.kubernetes.io/name or app.kubernetes.io/part-of");
  }

  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  if (!workloads.length) errors.push("no workload (StatefulSet/Deployment/...) in the rendered manifests");
  const serverConfig = byKind("ConfigMap").find((m) => m.data && "SESSIONS_GRPC_ADDRESS" in m.data)?.data ?? {};
  const postgres = serverConfig.SESSIONS_STORE === "postgres";
  if (serverConfig.SESSIONS_STORE !== undefined && !["sqlite", "postgres"].includes(serverConfig.SESSIONS_STORE)) {
    errors.push(`SESSIONS_STORE must be sqlite or postgres, got "${serverConfig.SESSIONS_STORE}"`);
  }
  for (const m of byKind("ConfigMap")) {
    if (m.data && "SESSIONS_POSTGRES_DSN" in m.data) err(m, "SESSIONS_POSTGRES_DSN holds a password: use SESSIONS_POSTGRES_DSN_FILE and a Secret");
  }
  if (postgres) {
    const deployments = byKind("Deployment");
    if (deployments.length !== 1) errors.push(`expected exactly one Deployment (replicas on PostgreSQL), found ${deployments.length}`);
    for (const st of byKind("StatefulSet")) err(st, "replicas on PostgreSQL are a Deployment; the StatefulSet is the SQLite mode");
    for (const d of deployments) {
      const podLabels = d.spec?.template?.metadata?.labels ?? {};
      const replicas = d.spec?.replicas ?? 1;
      if (!(replicas >= 3)) err(d, `replicas must be at least 3 (one pod lost, one drained, one serving), got ${replicas}`);
      if (!matches(d.spec.selector?.matchLabels, podLabels)) err(d, "selector.matchLabels does not match the pod template labels");
      const rolling = d.spec?.strategy?.rollingUpdate;
      if (d.spec?.strategy?.type === "Recreate" || rolling?.maxUnavailable !== 0) err(d, "rolling updates must keep every pod until its replacement is ready (maxUnavailable: 0)");
      const pdbs = byKind("PodDisruptionBudget").filter((b) => matches(b.spec?.selector?.matchLabels, podLabels));
      if (!pdbs.length) err(d, "no PodDisruptionBudget selects its pods");
      for (const b of pdbs) {
        const down = b.spec.maxUnavailable !== undefined ? Number(b.spec.maxUnavailable) : replicas - Number(b.spec.minAvailable ?? 0);
        if (!(down >= 1 && down <= replicas - 1)) err(b, `must allow between 1 and ${replicas - 1} pods down (drains must progress, some pods must serve), allows ${down}`);
      }
      const spread = d.spec.template.spec?.topologySpreadConstraints ?? [];
      if (!spread.some((t) => t.topologyKey === "kubernetes.io/hostname" && matches(t.labelSelector?.matchLabels, podLabels))) {
        err(d, "needs a topologySpreadConstraint on kubernetes.io/hostname for its pods (one node must not hold them all)");
      }
      const egress = byKind("NetworkPolicy").filter((n) => matches(n.spec?.podSelector?.matchLabels, podLabels) && (n.spec.policyTypes ?? []).includes("Egress"));
      if (!egress.length) err(d, "no NetworkPolicy states the pods' egress (the database)");
      else if (!egress.some((n) => (n.spec.egress ?? []).some((r) => (r.ports ?? []).some((p) => p.port === 5432)))) {
        err(d, "no egress rule admits PostgreSQL (TCP 5432)");
      }
    }
  } else {
    const sts = byKind("StatefulSet");
    if (sts.length !== 1) errors.push(`expected exactly one StatefulSet (SQLite store), found ${sts.length}`);
    for (const d of byKind("Deployment")) err(d, "the SQLite store needs the StatefulSet with one replica, not a Deployment");
    for (const h of byKind("HorizontalPodAutoscaler")) err(h, "no autoscaling while the store is SQLite (single writer)");
  }

  for (const w of workloads) {
    const tmpl = w.spec?.template ?? {};
    const pod = tmpl.spec ?? {};
    const podLabels = tmpl.metadata?.labels ?? {};
    const psc = pod.securityContext ?? {};

    if (w.kind === "StatefulSet") {
      if (w.spec.replicas !== 1) err(w, `replicas must be 1 (SQLite single writer), got ${w.spec.replicas}`);
      if (!matches(w.spec.selector?.matchLabels, podLabels)) err(w, "selector.matchLabels does not match the pod template labels");
      const gov = byKind("Service").find((s) => s.metadata.name === w.spec.serviceName);
      if (!gov) err(w, `serviceName "${w.spec.serviceName}" is not a rendered Service`);
      else if (gov.spec?.clusterIP !== "None") err(w, `governing Service ${gov.metadata.name} must be headless (clusterIP: None)`);
    }

    // --- pod level
    if (pod.automountServiceAccountToken !== false) err(w, "pod spec must set automountServiceAccountToken: false");
    const saName = pod.serviceAccountName;
    const sa = byKind("ServiceAccount").find((s) => s.metadata.name === saName);
    if (!saName || saName === "default") err(w, "pod must use a dedicated ServiceAccount (serviceAccountName)");
    else if (!sa) err(w, `ServiceAccount ${saName} is not rendered`);
    else if (sa.automountServiceAccountToken !== false) err(sa, "automountServiceAccountToken must be false");
    for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[f]) err(w, `${f} must not be set`);
    if (psc.runAsNonRoot !== true) err(w, "pod securityContext.runAsNonRoot must be true");
    if (!Number.isInteger(psc.runAsUser) || psc.runAsUser <= 0) err(w, "pod securityContext.runAsUser must be a numeric non-root uid");
    if (!Number.isInteger(psc.runAsGroup) || psc.runAsGroup <= 0) err(w, "pod securityContext.runAsGroup must be a numeric non-root gid");
    if (!Number.isInteger(psc.fsGroup) || psc.fsGroup <= 0) err(w, "pod securityContext.fsGroup must be set (volume ownership for the non-root user)");
    if (psc.seccompProfile?.type !== "RuntimeDefault") err(w, "pod securityContext.seccompProfile.type must be RuntimeDefault");
    const volumes = pod.volumes ?? [];
    for (const v of volumes) if (v.hostPath) err(w, `volume ${v.name} uses hostPath`);

    // --- config the containers read
    const containers = pod.containers ?? [];
    const initContainers = pod.initContainers ?? [];
    if (!containers.length) err(w, "pod has no containers");
    for (const c of containers) {
      const cname = `container ${c.name}`;
      const env = {};
      for (const ef of c.envFrom ?? []) {
        if (!ef.configMapRef) continue;
        const cm = byKind("ConfigMap").find((m) => m.metadata.name === ef.configMapRef.name);
        if (!cm) err(w, `${cname}: envFrom ConfigMap ${ef.configMapRef.name} is not rendered`);
        else Object.assign(env, cm.data ?? {});
      }
      for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;

      const grpcPort = env.SESSIONS_GRPC_ADDRESS !== undefined ? portOfAddress(env.SESSIONS_GRPC_ADDRESS) : DEFAULTS.grpc;
      const httpPort = env.SESSIONS_HTTP_ADDRESS !== undefined ? portOfAddress(env.SESSIONS_HTTP_ADDRESS) : DEFAULTS.http;
      if (Number.isNaN(grpcPort)) err(w, `${cname}: cannot read the port of SESSIONS_GRPC_ADDRESS "${env.SESSIONS_GRPC_ADDRESS}"`);
      if (Number.isNaN(httpPort)) err(w, `${cname}: cannot read the port of SESSIONS_HTTP_ADDRESS "${env.SESSIONS_HTTP_ADDRESS}"`);
      const drain = env.SESSIONS_DRAIN_TIMEOUT !== undefined ? parseAbslDuration(env.SESSIONS_DRAIN_TIMEOUT) : DEFAULTS.drainSeconds;
      if (Number.isNaN(drain)) err(w, `${cname}: SESSIONS_DRAIN_TIMEOUT "${env.SESSIONS_DRAIN_TIMEOUT}" is not an Abseil duration`);

      if (docker?.dbPath && env.SESSIONS_DB_PATH !== undefined && env.SESSIONS_DB_PATH !== docker.dbPath) {
        err(w, `${cname}: SESSIONS_DB_PATH ${env.SESSIONS_DB_PATH} is ignored: the image ENTRYPOINT passes --db_path=${docker.dbPath}, which wins`);
      }

      // container ports
      const cports = c.ports ?? [];
      const named = (n) => cports.find((p) => p.name === n);
      if (named("grpc")?.containerPort !== grpcPort) err(w, `${cname}: port "grpc" is ${named("grpc")?.containerPort}, but SESSIONS_GRPC_ADDRESS listens on ${grpcPort}`);
      if (named("http")?.containerPort !== httpPort) err(w, `${cname}: port "http" is ${named("http")?.containerPort}, but SESSIONS_HTTP_ADDRESS listens on ${httpPort}`);
      const resolve = (p) => (typeof p === "string" ? named(p)?.containerPort : p);

      // probes
      for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const p = c[kind];
        if (!p) { err(w, `${cname}: missing ${kind}`); continue; }
        if (!(p.grpc || p.httpGet || p.tcpSocket || p.exec)) { err(w, `${cname}: ${kind} has no handler`); continue; }
        if (p.grpc && p.grpc.port !== grpcPort) err(w, `${cname}: ${kind}.grpc.port ${p.grpc.port} != gRPC port ${grpcPort}`);
        if (p.httpGet && resolve(p.httpGet.port) !== httpPort) err(w, `${cname}: ${kind}.httpGet.port ${p.httpGet.port} != HTTP port ${httpPort}`);
        if (p.tcpSocket && ![grpcPort, httpPort].includes(resolve(p.tcpSocket.port))) err(w, `${cname}: ${kind}.tcpSocket.port ${p.tcpSocket.port} is not a server port`);
      }
      const lp = c.livenessProbe;
      if (lp && !Number.isNaN(drain) && (lp.failureThreshold ?? 3) * (lp.periodSeconds ?? 10) <= drain) {
        err(w, `${cname}: livenessProbe failureThreshold*periodSeconds must exceed the drain timeout (${drain}s), or a drain restarts the pod`);
      }

      // shutdown arithmetic
      const grace = pod.terminationGracePeriodSeconds ?? DEFAULTS.grace;
      const pre = c.lifecycle?.preStop;
      let preStop = 0;
      if (pre?.sleep) preStop = Number(pre.sleep.seconds);
      else if (pre?.exec?.command) {
        const cmd = pre.exec.command.join(" ");
        const m = /(?:^|[\s/])sleep\s+(\d+(?:\.\d+)?)/.exec(cmd);
        if (m) preStop = Number(m[1]);
        else err(w, `${cname}: cannot read the preStop sleep from "${cmd}"`);
      } else if (pre) err(w, `${cname}: preStop must be a sleep (exec sleep N or sleep.seconds)`);
      else err(w, `${cname}: missing lifecycle.preStop sleep (endpoints must update before the drain)`);
      if (!(grace > preStop + drain)) err(w, `${cname}: terminationGracePeriodSeconds ${grace} must be > preStop ${preStop}s + drain ${drain}s`);

      // Service / NetworkPolicy agreement (for the pods they select)
      for (const s of byKind("Service").filter((s) => matches(s.spec?.selector, podLabels))) {
        for (const sp of s.spec.ports ?? []) {
          const target = resolve(sp.targetPort ?? sp.port);
          if (target === undefined || ![grpcPort, httpPort].includes(target)) err(s, `port ${sp.name ?? sp.port} targets ${sp.targetPort ?? sp.port}, which is not the gRPC (${grpcPort}) or HTTP (${httpPort}) container port`);
        }
        const sg = (s.spec.ports ?? []).find((p) => p.name === "grpc");
        const sh = (s.spec.ports ?? []).find((p) => p.name === "http");
        if (!sg || resolve(sg.targetPort ?? sg.port) !== grpcPort) err(s, `needs a port named grpc targeting ${grpcPort}`);
        else if (sg.appProtocol !== "kubernetes.io/h2c") err(s, "port grpc needs appProtocol kubernetes.io/h2c");
        if (!sh || resolve(sh.targetPort ?? sh.port) !== httpPort) err(s, `needs a port named http targeting ${httpPort}`);
        else if (sh.appProtocol !== "http") err(s, "port http needs appProtocol http");
      }
      const nps = byKind("NetworkPolicy").filter((n) => matches(n.spec?.podSelector?.matchLabels, podLabels) && (n.spec.policyTypes ?? ["Ingress"]).includes("Ingress"));
      if (!nps.length) err(w, "no NetworkPolicy restricts ingress to the pod");
      for (const n of nps) {
        const seen = new Set();
        for (const rule of n.spec.ingress ?? []) {
          if (!rule.ports?.length) { err(n, "an ingress rule without ports admits every port"); continue; }
          for (const p of rule.ports) {
            const port = resolve(p.port);
            if (![grpcPort, httpPort].includes(port)) err(n, `ingress admits port ${p.port}, not a server port`);
            else seen.add(port);
          }
        }
        for (const want of [grpcPort, httpPort]) if (!seen.has(want)) err(n, `ingress does not admit port ${want}`);
      }
      if (docker) {
        const exp = [...docker.exposed].sort().join(","), want = [grpcPort, httpPort].sort().join(",");
        if (exp !== want) err(w, `Dockerfile EXPOSE ${exp || "(none)"} != server ports ${want}`);
      }

      // secret files from mounted Secrets
      const checkSecretFile = (variable) => {
      const tokenFile = env[variable];
      if (tokenFile) {
        const mount = (c.volumeMounts ?? []).find((m) => tokenFile.startsWith(m.mountPath.replace(/\/?$/, "/")));
        const vol = mount && volumes.find((v) => v.name === mount.name);
        if (!vol?.secret) err(w, `${cname}: ${variable} ${tokenFile} is not inside a mounted Secret volume`);
        else {
          if (!mount.readOnly) err(w, `${cname}: the secret mount ${mount.mountPath} must be readOnly`);
          const rel = tokenFile.slice(mount.mountPath.replace(/\/?$/, "/").length);
          const item = vol.secret.items ? vol.secret.items.find((i) => i.path === rel) : { key: rel };
          const secret = byKind("Secret").find((s) => s.metadata.name === vol.secret.secretName);
          if (!item) err(w, `${cname}: secret volume ${vol.name} has no item with path ${rel}`);
          else if (!secret) err(w, `${cname}: Secret ${vol.secret.secretName} is not rendered`);
          else if (!(item.key in (secret.data ?? {})) && !(item.key in (secret.stringData ?? {}))) err(secret, `has no key ${item.key}`);
          const mode = item?.mode ?? vol.secret.defaultMode ?? 0o644;
          if (mode & 0o007) err(w, `${cname}: secret file mode ${mode.toString(8)} is world-accessible`);
        }
      } else err(w, `${cname}: ${variable} is not set`);
      };
      checkSecretFile("SESSIONS_BOOTSTRAP_TOKEN_FILE");
      if (postgres) checkSecretFile("SESSIONS_POSTGRES_DSN_FILE");

      // storage
      const mounts = c.volumeMounts ?? [];
      if (w.kind === "StatefulSet") {
        const claims = (w.spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name);
        const dataDir = docker?.dbPath ? docker.dbPath.replace(/\/[^/]*$/, "") || "/" : "/data";
        const dm = mounts.find((m) => m.mountPath === dataDir);
        if (!dm || !claims.includes(dm.name)) err(w, `${cname}: ${dataDir} (the --db_path directory) must be a volumeClaimTemplate mount`);
      }
      const tmp = mounts.find((m) => m.mountPath === "/tmp");
      if (!tmp || !volumes.find((v) => v.name === tmp.name)?.emptyDir) err(w, `${cname}: /tmp must be an emptyDir (root filesystem is read-only)`);

      // Dockerfile user == pod user
      if (docker && !Number.isNaN(docker.uid)) {
        const uid = c.securityContext?.runAsUser ?? psc.runAsUser;
        if (uid !== docker.uid) err(w, `${cname}: runAsUser ${uid} != Dockerfile USER ${docker.uid}`);
      }
    }

    for (const c of [...containers, ...initContainers]) {
      const cname = `container ${c.name}`;
      const sc = c.securityContext ?? {};
      // resources
      for (const kind of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) if (c.resources?.[kind]?.[r] === undefined) err(w, `${cname}: missing resources.${kind}.${r}`);
      }
      for (const r of Object.keys(c.resources?.requests ?? {})) {
        const req = parseQuantity(c.resources.requests[r]), lim = c.resources?.limits?.[r] !== undefined ? parseQuantity(c.resources.limits[r]) : Infinity;
        if (!(req <= lim)) err(w, `${cname}: resources.requests.${r} ${c.resources.requests[r]} exceeds limits.${r} ${c.resources?.limits?.[r]}`);
      }
      // image
      const image = String(c.image ?? "");
      const tag = /@sha256:[0-9a-f]{64}$/.test(image) ? "digest" : (/:([^/:@]+)$/.exec(image) ?? [])[1];
      if (!tag) err(w, `${cname}: image "${image}" has no tag or digest`);
      else if (tag === "latest") err(w, `${cname}: image "${image}" uses :latest`);
      // container security context (explicit, pod values are not inherited for these)
      if (sc.runAsNonRoot !== true) err(w, `${cname}: securityContext.runAsNonRoot must be set to true at container level`);
      const uid = sc.runAsUser ?? psc.runAsUser, gid = sc.runAsGroup ?? psc.runAsGroup;
      if (!Number.isInteger(uid) || uid <= 0) err(w, `${cname}: runAsUser must be a numeric non-root uid, got ${uid}`);
      if (!Number.isInteger(gid) || gid <= 0) err(w, `${cname}: runAsGroup must be a numeric non-root gid, got ${gid}`);
      if (sc.readOnlyRootFilesystem !== true) err(w, `${cname}: securityContext.readOnlyRootFilesystem must be true`);
      if (sc.allowPrivilegeEscalation !== false) err(w, `${cname}: securityContext.allowPrivilegeEscalation must be false`);
      if (sc.privileged === true) err(w, `${cname}: securityContext.privileged must not be true`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) err(w, `${cname}: securityContext.capabilities.drop must include ALL`);
      if ((sc.capabilities?.add ?? []).length) err(w, `${cname}: securityContext.capabilities.add must be empty`);
      if (sc.seccompProfile?.type !== "RuntimeDefault") err(w, `${cname}: securityContext.seccompProfile.type must be RuntimeDefault`);
    }
  }
  return errors;
}

// Environment expectations for a rendered overlay (--env dev|prod).
export function checkEnvironment(objects, env) {
  const errors = [];
  const cms = objects.filter((o) => o.kind === "ConfigMap" && o.data && "SESSIONS_GRPC_ADDRESS" in o.data);
  if (cms.length !== 1) return [`env ${env}: expected one server ConfigMap, found ${cms.length}`];
  const data = cms[0].data;
  const images = objects.filter((o) => WORKLOAD_KINDS.has(o.kind)).flatMap((w) => w.spec.template.spec.containers.map((c) => c.image));
  if (env === "replicas" && data.SESSIONS_STORE !== "postgres") errors.push(`env replicas: SESSIONS_STORE must be "postgres", got "${data.SESSIONS_STORE}"`);
  if (env === "prod" || env === "replicas") {
    if (data.SESSIONS_DEMO_DATA !== "false") errors.push(`env ${env}: SESSIONS_DEMO_DATA must be "false", got "${data.SESSIONS_DEMO_DATA}"`);
    if (data.SESSIONS_LOG_LEVEL === "debug") errors.push(`env ${env}: SESSIONS_LOG_LEVEL must not be debug`);
    if (/(^|,)\s*(\*|http:\/\/localhost)/.test(data.SESSIONS_CORS_ALLOWED_ORIGINS ?? "")) errors.push(`env ${env}: CORS origins must not be * or localhost`);
    for (const i of images) if (/:(dev|latest)$/.test(i) || !i.includes("/")) errors.push(`env ${env}: image ${i} must be a pinned release from a registry`);
  } else if (env === "dev") {
    if (data.SESSIONS_DEMO_DATA !== "true") errors.push(`env dev: SESSIONS_DEMO_DATA should be "true", got "${data.SESSIONS_DEMO_DATA}"`);
  } else errors.push(`unknown --env ${env}`);
  return errors;
}

export function parseManifests(text) {
  return parseAllDocuments(text).map((d) => d.toJS()).filter((o) => o && typeof o === "object");
}

async function main() {
  const args = process.argv.slice(2);
  let dockerfile, env;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--dockerfile") dockerfile = args[++i];
    else if (args[i] === "--env") env = args[++i];
    else files.push(args[i]);
  }
  const text = files.length ? files.map((f) => readFileSync(f, "utf8")).join("\n---\n") : readFileSync(0, "utf8");
  const objects = parseManifests(text);
  const errors = checkPolicy(objects, dockerfile ? readFileSync(dockerfile, "utf8") : undefined);
  if (env) errors.push(...checkEnvironment(objects, env));
  if (errors.length) {
    for (const e of errors) console.error(`POLICY: ${e}`);
    process.exit(1);
  }
  console.log(`OK: policy holds (${dockerfile ? "manifests + Dockerfile" : "manifests only"}${env ? `, env ${env}` : ""})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
