#!/usr/bin/env node
// Offline schema validation of rendered Kubernetes manifests (no cluster).
//
//   kubectl kustomize deploy/k8s/overlays/dev | node deploy/validate/validate_k8s.mjs
//
// For every YAML document:
//  1. parse strictly with `yaml` (YAML errors and duplicate keys are errors);
//  2. find the built-in model for apiVersion+kind in kubernetes-models and run
//     its ajv validator (types, required fields, enums, formats such as
//     quantities); unknown kinds are errors (no CRD support on purpose);
//  3. walk the object against @kubernetes/client-node's model attribute maps
//     and report every field the API does not have ("readinessProbes"), with a
//     "did you mean" hint. ajv alone accepts unknown fields.
// Both packages come from the Kubernetes 1.34 OpenAPI spec (pinned versions in
// the repo's package.json; modules resolve from the repo root node_modules).
// Exit 1 on any error. Limits: no cross-object or admission checks (see
// check_policy.mjs for those); IntOrString/any fields are not walked.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";
import * as models from "kubernetes-models";
import * as clientNode from "@kubernetes/client-node";

// "apps/v1/StatefulSet" -> kubernetes-models class (has .validate()).
// Namespaces nest group -> version -> class, except core: v1 -> class.
const modelIndex = new Map();
(function index(ns, depth) {
  for (const v of Object.values(ns)) {
    if (typeof v === "function" && v.apiVersion && v.kind) modelIndex.set(`${v.apiVersion}/${v.kind}`, v);
    else if (v && typeof v === "object" && depth < 2) index(v, depth + 1);
  }
})(models, 0);

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

// client-node names top-level classes V1StatefulSet, or CoreV1Event when names clash.
function attributeClassFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const groupPrefix = cap(group.split(".")[0]);
  for (const name of [`${cap(version)}${kind}`, `${groupPrefix}${cap(version)}${kind}`]) {
    if (clientNode[name]?.getAttributeTypeMap) return name;
  }
  return null;
}

function editDistance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function walk(value, type, path, errors) {
  if (value === null || value === undefined) return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, m[1], `${path}[${i}]`, errors));
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, m[1], `${path}.${k}`, errors);
    return;
  }
  const cls = clientNode[type];
  if (!cls?.getAttributeTypeMap || typeof value !== "object" || Array.isArray(value)) return; // primitives: ajv checks
  const attrs = cls.getAttributeTypeMap();
  for (const [key, v] of Object.entries(value)) {
    const attr = attrs.find((a) => a.baseName === key);
    const here = path ? `${path}.${key}` : key;
    if (!attr) {
      const best = attrs.map((a) => [editDistance(key.toLowerCase(), a.baseName.toLowerCase()), a.baseName]).sort((x, y) => x[0] - y[0])[0];
      const hint = best && best[0] <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean "${best[1]}"?)` : "";
      errors.push(`unknown field "${here}"${hint}`);
    } else {
      walk(v, attr.type, here, errors);
    }
  }
}

// Returns { objects: [{doc, obj}], errors: [string] }; every error names the object.
export function validateManifests(text) {
  const errors = [];
  const objects = [];
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) return { objects, errors: ["YAML: empty stream"] };
  docs.forEach((doc, index) => {
    const where = `document ${index + 1}`;
    if (doc.errors.length) {
      for (const e of doc.errors) errors.push(`${where}: YAML: ${e.message.split("\n")[0]}`);
      return;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) return; // empty document between ---
    const id = `${where} (${obj.kind ?? "?"} ${obj.metadata?.name ?? "?"})`;
    if (typeof obj !== "object" || Array.isArray(obj)) {
      errors.push(`${where}: not a mapping`);
      return;
    }
    const Model = modelIndex.get(`${obj.apiVersion}/${obj.kind}`);
    const attrClass = obj.apiVersion && obj.kind ? attributeClassFor(obj.apiVersion, obj.kind) : null;
    if (!Model || !attrClass) {
      errors.push(`${id}: unknown apiVersion/kind ${obj.apiVersion} ${obj.kind} (built-in types only)`);
      return;
    }
    // Go's base64 decoder (the API server's) skips \r and \n, and kustomize
    // wraps long Secret values at 70 columns; ajv's "byte" format does not.
    const forAjv = obj.kind === "Secret" && obj.data && typeof obj.data === "object"
      ? { ...obj, data: Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, typeof v === "string" ? v.replace(/[\r\n]/g, "") : v])) }
      : obj;
    try {
      new Model(forAjv).validate();
    } catch (e) {
      const list = Array.isArray(e.errors) && e.errors.length ? e.errors : [{ instancePath: "", message: String(e.message) }];
      for (const err of list) {
        const path = err.instancePath.split("/").slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("").replace(/^\./, "");
        errors.push(`${id}: "${path || "(root)"}" ${err.message}`);
      }
    }
    const unknown = [];
    walk(obj, attrClass, "", unknown);
    for (const u of unknown) errors.push(`${id}: ${u}`);
    objects.push(obj);
  });
  return { objects, errors };
}

async function main() {
  const files = process.argv.slice(2);
  const text = files.length ? files.map((f) => readFileSync(f, "utf8")).join("\n---\n") : readFileSync(0, "utf8");
  const { objects, errors } = validateManifests(text);
  if (errors.length) {
    for (const e of errors) console.error(`ERROR: ${e}`);
    process.exit(1);
  }
  if (objects.length === 0) {
    console.error("ERROR: no objects in input");
    process.exit(1);
  }
  console.log(`OK: ${objects.length} object(s) valid`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
