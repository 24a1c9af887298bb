#!/usr/bin/env node
// Proves the checks can fail: starts from a rendered overlay that passes both
// validate_k8s.mjs and check_policy.mjs, breaks one thing at a time, and
// asserts the expected checker rejects it with the expected message.
//
//   node deploy/validate/negative_tests.mjs rendered-dev.yaml rendered-prod.yaml deploy/Dockerfile
//
// Prints one line per case and a closing "N passed, N failed"; exit 1 if any
// case was accepted (or the unbroken baseline was rejected).
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { validateManifests } from "./validate_k8s.mjs";
import { checkEnvironment, checkPolicy, parseManifests } from "./check_policy.mjs";

const [renderedPath, prodPath, dockerfilePath, replicasPath] = process.argv.slice(2);
if (!renderedPath || !prodPath || !dockerfilePath || !replicasPath) {
  console.error("usage: negative_tests.mjs <rendered-dev.yaml> <rendered-prod.yaml> <Dockerfile> <rendered-replicas.yaml>");
  process.exit(2);
}
const renderedText = readFileSync(renderedPath, "utf8");
const dockerfileText = readFileSync(dockerfilePath, "utf8");
const baseline = parseManifests(renderedText);
const prodBaseline = parseManifests(readFileSync(prodPath, "utf8"));
const replicasBaseline = parseManifests(readFileSync(replicasPath, "utf8"));
const deploy = (objs) => find(objs, "Deployment");
const dctr = (objs) => deploy(objs).spec.template.spec.containers[0];

const find = (objs, kind, pred = () => true) => objs.find((o) => o.kind === kind && pred(o));
const sts = (objs) => find(objs, "StatefulSet");
const pod = (objs) => sts(objs).spec.template.spec;
const ctr = (objs) => pod(objs).containers[0];
const cm = (objs) => find(objs, "ConfigMap");
const svc = (objs) => find(objs, "Service", (s) => s.spec.clusterIP !== "None");
const toYaml = (objs) => objs.map((o) => stringify(o)).join("---\n");
const renameKey = (obj, from, to) => { obj[to] = obj[from]; delete obj[from]; };

// Each case: [name, checker, expected message fragment, mutate(objs) | {text} | {dockerfile}]
//   checker "schema" = validate_k8s.mjs, "policy" = check_policy.mjs (manifests + Dockerfile),
//   "env-prod" = check_policy.mjs --env prod rules
const cases = [
  // --- schema (unknown fields, types, enums, formats, kinds, YAML)
  ["typo readinessProbes", "schema", 'unknown field "spec.template.spec.containers[0].readinessProbes" (did you mean "readinessProbe"?)', (o) => renameKey(ctr(o), "readinessProbe", "readinessProbes")],
  ["typo runAsNonRoott (pod)", "schema", '"spec.template.spec.securityContext.runAsNonRoott" (did you mean "runAsNonRoot"?)', (o) => renameKey(pod(o).securityContext, "runAsNonRoot", "runAsNonRoott")],
  ["typo appProtocl (Service)", "schema", 'unknown field "spec.ports[0].appProtocl"', (o) => renameKey(svc(o).spec.ports[0], "appProtocol", "appProtocl")],
  ["typo automountServiceAcountToken", "schema", 'unknown field "automountServiceAcountToken"', (o) => renameKey(find(o, "ServiceAccount"), "automountServiceAccountToken", "automountServiceAcountToken")],
  ["typo storageClass in volumeClaimTemplates", "schema", 'unknown field "spec.volumeClaimTemplates[0].spec.storageClass"', (o) => { sts(o).spec.volumeClaimTemplates[0].spec.storageClass = "fast"; }],
  ["grpc probe port by name", "schema", '"spec.template.spec.containers[0].readinessProbe.grpc.port" must be integer', (o) => { ctr(o).readinessProbe.grpc.port = "grpc"; }],
  ["containerPort as string", "schema", '"spec.template.spec.containers[0].ports[0].containerPort" must be integer', (o) => { ctr(o).ports[0].containerPort = "50051"; }],
  ["replicas: one", "schema", '"spec.replicas" must be integer', (o) => { sts(o).spec.replicas = "one"; }],
  ["container without name", "schema", '"spec.template.spec.containers[0]" must have required property name', (o) => { delete ctr(o).name; }],
  ["storage quantity 1GB", "schema", '"spec.volumeClaimTemplates[0].spec.resources.requests.storage" must match format "quantity"', (o) => { sts(o).spec.volumeClaimTemplates[0].spec.resources.requests.storage = "1GB"; }],
  ["seccomp RuntimeDefualt", "schema", '"spec.template.spec.securityContext.seccompProfile.type" must be equal to one of the allowed values', (o) => { pod(o).securityContext.seccompProfile.type = "RuntimeDefualt"; }],
  ["ConfigMap value not a string", "schema", '"data.SESSIONS_DEMO_DATA" must be string', (o) => { cm(o).data.SESSIONS_DEMO_DATA = true; }],
  ["Secret value not base64", "schema", '"data.bootstrap-token" must match format "byte"', (o) => { find(o, "Secret").data["bootstrap-token"] = "not base64!"; }],
  ["unknown kind ServiceAcount", "schema", "unknown apiVersion/kind v1 ServiceAcount", (o) => { find(o, "ServiceAccount").kind = "ServiceAcount"; }],
  ["duplicate YAML key", "schema", "Map keys must be unique", { text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  A: a\n  A: b\n" }],
  // --- policy: probes, resources, security
  ["no readinessProbe", "policy", "missing readinessProbe", (o) => { delete ctr(o).readinessProbe; }],
  ["no livenessProbe", "policy", "missing livenessProbe", (o) => { delete ctr(o).livenessProbe; }],
  ["no startupProbe", "policy", "missing startupProbe", (o) => { delete ctr(o).startupProbe; }],
  ["liveness shorter than drain", "policy", "livenessProbe failureThreshold*periodSeconds must exceed", (o) => { ctr(o).livenessProbe.failureThreshold = 1; ctr(o).livenessProbe.periodSeconds = 5; }],
  ["missing memory limit", "policy", "missing resources.limits.memory", (o) => { delete ctr(o).resources.limits.memory; }],
  ["missing cpu request", "policy", "missing resources.requests.cpu", (o) => { delete ctr(o).resources.requests.cpu; }],
  ["request above limit", "policy", "resources.requests.cpu 4 exceeds limits.cpu", (o) => { ctr(o).resources.requests.cpu = "4"; }],
  ["runAsNonRoot: false (container)", "policy", "container server: securityContext.runAsNonRoot must be set to true", (o) => { ctr(o).securityContext.runAsNonRoot = false; }],
  ["runAsNonRoot: false (pod)", "policy", "pod securityContext.runAsNonRoot must be true", (o) => { pod(o).securityContext.runAsNonRoot = false; }],
  ["runAsUser: 0", "policy", "runAsUser must be a numeric non-root uid, got 0", (o) => { ctr(o).securityContext.runAsUser = 0; }],
  ["readOnlyRootFilesystem: false", "policy", "readOnlyRootFilesystem must be true", (o) => { ctr(o).securityContext.readOnlyRootFilesystem = false; }],
  ["allowPrivilegeEscalation: true", "policy", "allowPrivilegeEscalation must be false", (o) => { ctr(o).securityContext.allowPrivilegeEscalation = true; }],
  ["capabilities not dropped", "policy", "capabilities.drop must include ALL", (o) => { ctr(o).securityContext.capabilities.drop = ["NET_RAW"]; }],
  ["capability added", "policy", "capabilities.add must be empty", (o) => { ctr(o).securityContext.capabilities.add = ["NET_ADMIN"]; }],
  ["seccomp Unconfined (valid enum)", "policy", "seccompProfile.type must be RuntimeDefault", (o) => { ctr(o).securityContext.seccompProfile.type = "Unconfined"; }],
  ["privileged container", "policy", "privileged must not be true", (o) => { ctr(o).securityContext.privileged = true; }],
  ["no fsGroup", "policy", "fsGroup must be set", (o) => { delete pod(o).securityContext.fsGroup; }],
  ["hostNetwork", "policy", "hostNetwork must not be set", (o) => { pod(o).hostNetwork = true; }],
  ["hostPath volume", "policy", "uses hostPath", (o) => { pod(o).volumes.push({ name: "host", hostPath: { path: "/var" } }); }],
  ["pod automounts SA token", "policy", "automountServiceAccountToken: false", (o) => { pod(o).automountServiceAccountToken = true; }],
  ["ServiceAccount automounts token", "policy", "automountServiceAccountToken must be false", (o) => { delete find(o, "ServiceAccount").automountServiceAccountToken; }],
  ["default ServiceAccount", "policy", "dedicated ServiceAccount", (o) => { delete pod(o).serviceAccountName; }],
  // --- policy: port agreement
  ["container port mismatched", "policy", 'port "grpc" is 50052, but SESSIONS_GRPC_ADDRESS listens on 50051', (o) => { ctr(o).ports.find((p) => p.name === "grpc").containerPort = 50052; }],
  ["ConfigMap address mismatched", "policy", "SESSIONS_GRPC_ADDRESS listens on 50052", (o) => { cm(o).data.SESSIONS_GRPC_ADDRESS = "0.0.0.0:50052"; }],
  ["probe port mismatched", "policy", "livenessProbe.grpc.port 50052 != gRPC port 50051", (o) => { ctr(o).livenessProbe.grpc.port = 50052; }],
  ["Service targetPort mismatched", "policy", "targets 9090, which is not the gRPC", (o) => { svc(o).spec.ports[0].targetPort = 9090; }],
  ["Service grpc without h2c", "policy", "appProtocol kubernetes.io/h2c", (o) => { svc(o).spec.ports.find((p) => p.name === "grpc").appProtocol = "http"; }],
  ["NetworkPolicy extra port", "policy", "ingress admits port 22", (o) => { find(o, "NetworkPolicy").spec.ingress[0].ports.push({ port: 22, protocol: "TCP" }); }],
  ["NetworkPolicy rule without ports", "policy", "without ports admits every port", (o) => { find(o, "NetworkPolicy").spec.ingress.push({}); }],
  ["no NetworkPolicy", "policy", "no NetworkPolicy restricts ingress", (o) => { o.splice(o.findIndex((x) => x.kind === "NetworkPolicy"), 1); }],
  // --- policy: shutdown, SQLite, secret, image, labels
  ["grace period too short", "policy", "terminationGracePeriodSeconds 12 must be >", (o) => { pod(o).terminationGracePeriodSeconds = 12; }],
  ["drain timeout too long", "policy", "drain 60s", (o) => { cm(o).data.SESSIONS_DRAIN_TIMEOUT = "1m"; }],
  ["preStop sleep too long", "policy", "preStop 120s", (o) => { ctr(o).lifecycle.preStop.exec.command = ["/bin/sleep", "120"]; }],
  ["no preStop", "policy", "missing lifecycle.preStop", (o) => { delete ctr(o).lifecycle; }],
  ["ConfigMap db path the ENTRYPOINT overrides", "policy", "SESSIONS_DB_PATH /var/lib/x.db is ignored", (o) => { cm(o).data.SESSIONS_DB_PATH = "/var/lib/x.db"; }],
  ["two replicas on SQLite", "policy", "replicas must be 1", (o) => { sts(o).spec.replicas = 2; }],
  ["HPA added", "policy", "no autoscaling", (o) => { o.push({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "x", labels: { "app.kubernetes.io/name": "a", "app.kubernetes.io/part-of": "a" } }, spec: {} }); }],
  ["/data not on the PVC", "policy", "/data (the --db_path directory) must be a volumeClaimTemplate mount", (o) => { ctr(o).volumeMounts.find((m) => m.mountPath === "/data").mountPath = "/var/lib/sessions"; }],
  ["/tmp not mounted", "policy", "/tmp must be an emptyDir", (o) => { ctr(o).volumeMounts = ctr(o).volumeMounts.filter((m) => m.mountPath !== "/tmp"); }],
  ["token file outside the secret mount", "policy", "is not inside a mounted Secret volume", (o) => { ctr(o).env.find((e) => e.name === "SESSIONS_BOOTSTRAP_TOKEN_FILE").value = "/etc/token"; }],
  ["secret world-readable", "policy", "is world-accessible", (o) => { pod(o).volumes.find((v) => v.secret).secret.defaultMode = 0o644; }],
  ["secret key missing", "policy", "has no key bootstrap-token", (o) => { find(o, "Secret").data = { other: "eA==" }; }],
  ["image :latest", "policy", "uses :latest", (o) => { ctr(o).image = "active-sessions:latest"; }],
  ["image untagged", "policy", "has no tag or digest", (o) => { ctr(o).image = "registry.example.com/voice/active-sessions"; }],
  ["selector/template mismatch", "policy", "selector.matchLabels does not match", (o) => { sts(o).spec.selector.matchLabels["app.kubernetes.io/name"] = "other"; }],
  ["missing name label", "policy", "missing label app.kubernetes.io/name", (o) => { delete svc(o).metadata.labels["app.kubernetes.io/name"]; }],
  // --- policy: Dockerfile
  ["Dockerfile USER root", "policy", 'USER must be numeric uid[:gid] (runAsNonRoot cannot verify names), got "root"', { dockerfile: (d) => d.replace(/^USER .*$/m, "USER root") }],
  ["Dockerfile USER 0", "policy", "USER must not be root", { dockerfile: (d) => d.replace(/^USER .*$/m, "USER 0:0") }],
  ["Dockerfile no USER", "policy", "has no USER", { dockerfile: (d) => d.replace(/^USER .*$/m, "") }],
  ["Dockerfile USER differs from runAsUser", "policy", "runAsUser 65532 != Dockerfile USER 1000", { dockerfile: (d) => d.replace(/^USER .*$/m, "USER 1000:1000") }],
  ["Dockerfile EXPOSE mismatched", "policy", "Dockerfile EXPOSE", { dockerfile: (d) => d.replace(/^EXPOSE .*$/m, "EXPOSE 50052/tcp 8080/tcp") }],
  ["Dockerfile runtime not slim", "policy", "runtime stage must be FROM debian:12-slim", { dockerfile: (d) => d.replace(/^FROM debian:12-slim/m, "FROM debian:12") }],
  ["Dockerfile without install_build_deps.sh", "policy", "must run tools/install_build_deps.sh", { dockerfile: (d) => d.replace(/^RUN tools\/install_build_deps\.sh/m, "RUN true") }],
  ["Dockerfile building with npm", "policy", "must not need npm (COPY of package.json)", { dockerfile: (d) => d.replace(/^(COPY tools\/install_build_deps\.sh .*)$/m, "$1\nCOPY package.json package-lock.json ./") }],
  ["Dockerfile running the developer install script", "policy", "must not need npm (RUN npm or tools/install_deps.sh)", { dockerfile: (d) => d.replace(/^RUN tools\/install_build_deps\.sh/m, "RUN tools/install_deps.sh") }],
  // --- environment expectations (these start from the prod render)
  ["prod with demo data", "env-prod", 'SESSIONS_DEMO_DATA must be "false"', (o) => { cm(o).data.SESSIONS_DEMO_DATA = "true"; }],
  ["prod with debug logs", "env-prod", "must not be debug", (o) => { cm(o).data.SESSIONS_LOG_LEVEL = "debug"; }],
  ["prod with localhost CORS", "env-prod", "CORS origins must not be", (o) => { cm(o).data.SESSIONS_CORS_ALLOWED_ORIGINS = "http://localhost:3000"; }],
  ["prod with a dev image", "env-prod", "must be a pinned release", (o) => { ctr(o).image = "active-sessions:dev"; }],
  ["Dockerfile shell-form ENTRYPOINT", "policy", "exec-form (JSON) ENTRYPOINT", { dockerfile: (d) => d.replace(/^ENTRYPOINT .*$/m, "ENTRYPOINT /usr/local/bin/sessions_server") }],
  // --- replicas on PostgreSQL (these start from the replicas render)
  ["replicas: 1 on PostgreSQL", "policy-replicas", "replicas must be at least 3", (o) => { deploy(o).spec.replicas = 1; }],
  ["no PodDisruptionBudget", "policy-replicas", "no PodDisruptionBudget selects its pods", (o) => { o.splice(o.findIndex((x) => x.kind === "PodDisruptionBudget"), 1); }],
  ["PodDisruptionBudget allowing none down", "policy-replicas", "must allow between 1 and 2 pods down", (o) => { find(o, "PodDisruptionBudget").spec.maxUnavailable = 0; }],
  ["rolling update dropping pods first", "policy-replicas", "maxUnavailable: 0", (o) => { deploy(o).spec.strategy.rollingUpdate.maxUnavailable = 1; }],
  ["no hostname spread", "policy-replicas", "topologySpreadConstraint on kubernetes.io/hostname", (o) => { deploy(o).spec.template.spec.topologySpreadConstraints = deploy(o).spec.template.spec.topologySpreadConstraints.filter((t) => t.topologyKey !== "kubernetes.io/hostname"); }],
  ["DSN file outside the secret mount", "policy-replicas", "SESSIONS_POSTGRES_DSN_FILE /etc/dsn is not inside a mounted Secret volume", (o) => { find(o, "ConfigMap", (m) => "SESSIONS_POSTGRES_DSN_FILE" in (m.data ?? {})).data.SESSIONS_POSTGRES_DSN_FILE = "/etc/dsn"; }],
  ["DSN in the ConfigMap", "policy-replicas", "SESSIONS_POSTGRES_DSN holds a password", (o) => { cm(o).data.SESSIONS_POSTGRES_DSN = "host=db password=x"; }],
  ["no egress to the database", "policy-replicas", "no egress rule admits PostgreSQL", (o) => { find(o, "NetworkPolicy", (n) => n.spec.policyTypes.includes("Egress")).spec.egress.shift(); }],
  ["StatefulSet kept beside the Deployment", "policy-replicas", "the StatefulSet is the SQLite mode", (o) => { o.push({ ...structuredClone(deploy(o)), kind: "StatefulSet" }); }],
  ["replicas on SQLite", "env-replicas", 'SESSIONS_STORE must be "postgres"', (o) => { cm(o).data.SESSIONS_STORE = "sqlite"; }],
];

function run(checker, objs, text, dockerfile) {
  if (checker === "schema") return validateManifests(text ?? toYaml(objs)).errors;
  if (checker === "env-prod") return checkEnvironment(objs, "prod");
  if (checker === "env-replicas") return checkEnvironment(objs, "replicas");
  return checkPolicy(objs, dockerfile);
}

let passed = 0, failed = 0;
const base = [...validateManifests(renderedText).errors, ...checkPolicy(baseline, dockerfileText), ...checkEnvironment(prodBaseline, "prod"),
  ...checkPolicy(replicasBaseline, dockerfileText), ...checkEnvironment(replicasBaseline, "replicas")];
if (base.length) {
  console.log(`not ok - baseline is rejected, so negatives prove nothing:\n  ${base.join("\n  ")}`);
  console.log("negative tests: 0 passed, 1 failed");
  process.exit(1);
} else {
  console.log("ok - baseline (unbroken dev render + Dockerfile; prod render as prod; replicas render as replicas) passes schema and policy");
  passed++;
}
for (const [name, checker, expect, how] of cases) {
  const start = checker === "env-prod" ? prodBaseline : checker.endsWith("-replicas") ? replicasBaseline : baseline;
  const objs = structuredClone(start);
  let text, dockerfile = dockerfileText;
  if (typeof how === "function") {
    try { how(objs); } catch (e) {
      failed++;
      console.log(`not ok - cannot apply the edit for: ${name} (${e.message})`);
      continue;
    }
  }
  else if (how.text) text = how.text;
  else if (how.dockerfile) {
    dockerfile = how.dockerfile(dockerfileText);
    if (dockerfile === dockerfileText) throw new Error(`case "${name}": Dockerfile edit matched nothing`);
  }
  let errors;
  try {
    errors = run(checker, objs, text, dockerfile);
  } catch (e) {
    errors = [`checker crashed: ${e.stack ?? e}`]; // a crash is not a rejection
  }
  const hit = errors.some((e) => e.includes(expect));
  if (hit) {
    passed++;
    console.log(`ok - ${checker} rejects: ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${checker} accepted or missed: ${name}\n  expected: ${expect}\n  got: ${errors.length ? errors.join("\n       ") : "(no errors)"}`);
  }
}
console.log(`negative tests: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
