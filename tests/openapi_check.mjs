// Checks the server's /openapi.json with real tools against the real server:
// @apidevtools/swagger-parser validates it as OpenAPI 3 (structure and every
// $ref); then what the server actually sends and accepts is validated
// against the document with Ajv, closed (additionalProperties: false on
// every object schema), so a field written under a name or type the
// document does not declare fails: listings on every route of the list
// method, auto-batched arrays, an ingest request and its answer, error
// bodies, the Server-Sent Events of the watch route. Every path without variables answers
// something other than 404.
// Usage: node openapi_check.mjs NODE_MODULES BASE_URL DOCUMENT_FILE READ_TOKEN WRITE_TOKEN
import assert from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';

const [modules, base, documentFile, token, writeToken] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const SwaggerParser = require('@apidevtools/swagger-parser');
const Ajv = require('ajv').default;

const doc = JSON.parse(fs.readFileSync(documentFile, 'utf8'));
await SwaggerParser.validate(structuredClone(doc));

// Every object schema closed: the server may write nothing undeclared.
function closed(node) {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = closed(v);
  if (out.type === 'object' && out.properties && !('additionalProperties' in out)) {
    out.additionalProperties = false;
  }
  return out;
}
const ajv = new Ajv({strict: false, validateFormats: false, allErrors: true});
ajv.addSchema(closed(doc), 'openapi');
const pointer = (...parts) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
function check(what, ref, value) {
  const validate = ajv.getSchema('openapi#/' + ref);
  assert.ok(validate, `${what}: no schema at ${ref}`);
  assert.ok(validate(value), `${what} does not match ${ref}: ${ajv.errorsText(validate.errors)}\n` +
      JSON.stringify(value).slice(0, 2000));
}
const okSchema = (route, verb) =>
  pointer('paths', route, verb, 'responses', '200', 'content', 'application/json', 'schema');

async function call(method, route, bearer, body) {
  const headers = {accept: 'application/json'};
  if (bearer) headers.authorization = 'Bearer ' + bearer;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + route, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60000),
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON: health, metrics */ }
  return {status: response.status, json, text};
}

// An ingest request the document accepts, and its answer.
const upsert = {session: {id: 'openapi-1', dateCreated: new Date().toISOString(),
  displayName: 'from the OpenAPI check', callState: 'Ringing'}};
check('upsert request', pointer('paths', '/v1/sessions:upsert', 'post', 'requestBody', 'content',
    'application/json', 'schema'), upsert);
let r = await call('POST', '/v1/sessions:upsert', writeToken, upsert);
assert.strictEqual(r.status, 200, r.text);
check('upsert answer', okSchema('/v1/sessions:upsert', 'post'), r.json);

// Listings, on every route of the list method (the annotated one and
// ServiceStack's predefined ones), with sessions in them.
const listRoutes = Object.entries(doc.paths).filter(([route, item]) => !route.endsWith('[]') &&
  Object.values(item).some((op) => op.summary === 'voice.api.app.portal.v1.PortalService.GetActiveSessions'));
assert.ok(listRoutes.length >= 3, 'the list method has fewer than 3 routes');
for (const [route, item] of listRoutes) {
  for (const verb of Object.keys(item)) {
    r = await call(verb.toUpperCase(), route, token, verb === 'post' ? {} : undefined);
    assert.strictEqual(r.status, 200, `${verb} ${route}: ${r.text}`);
    assert.ok(r.json.sessions.length > 0, `${verb} ${route} listed nothing`);
    check(`${verb} ${route}`, okSchema(route, verb), r.json);
  }
}

// ServiceStack auto-batching: an array of requests in, an array of answers out.
const batchRoutes = Object.keys(doc.paths).filter((route) => route.endsWith('[]'));
assert.ok(batchRoutes.length >= 2, 'no auto-batched routes');
for (const route of batchRoutes) {
  const batch = [{}, {startDate: '2000-01-01'}];
  check(`${route} request`, pointer('paths', route, 'post', 'requestBody', 'content',
      'application/json', 'schema'), batch);
  r = await call('POST', route, token, batch);
  assert.strictEqual(r.status, 200, `${route}: ${r.text}`);
  assert.strictEqual(r.json.length, 2);
  check(route, okSchema(route, 'post'), r.json);
  r = await call('POST', route, token, [{}, {startDate: 'nope'}]);
  assert.strictEqual(r.status, 400, r.text);
  assert.strictEqual(r.json.responseStatus.meta.AutoBatchIndex, '1');
  check(`${route} error`, pointer('components', 'schemas', 'ErrorResponse'), r.json);
}

// Errors: ResponseStatus bodies as the document declares them.
r = await call('GET', '/portal/active-sessions', '');
assert.strictEqual(r.status, 401, r.text);
check('401 body', pointer('components', 'schemas', 'ErrorResponse'), r.json);
r = await call('GET', '/portal/active-sessions?startDate=nope', token);
assert.strictEqual(r.status, 400, r.text);
assert.ok(r.json.responseStatus.errors.length > 0, 'no field error: ' + r.text);
check('400 body', pointer('components', 'schemas', 'ErrorResponse'), r.json);

// Every literal path is routed (the document lists nothing the server lacks).
for (const [route, item] of Object.entries(doc.paths)) {
  if (route.includes('{') || !item.get) continue;
  const isStream = item.get.responses['200'].content?.['text/event-stream'];
  if (isStream) continue;  // below
  r = await call('GET', route, token);
  assert.notStrictEqual(r.status, 404, `GET ${route} is not routed`);
}

// The watch stream: every event's data matches the declared message.
const watchRoute = Object.entries(doc.paths).find(([, item]) =>
  item.get?.responses['200'].description?.includes('data is one'))[0];
const description = doc.paths[watchRoute].get.responses['200'].description;
const dataRef = description.match(/data is one (\w+)/)[1];
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(), 60000);
const response = await fetch(base + watchRoute, {
  headers: {authorization: 'Bearer ' + token, accept: 'text/event-stream'},
  signal: controller.signal,
});
assert.strictEqual(response.status, 200);
assert.match(response.headers.get('content-type'), /^text\/event-stream/);
let buffered = '';
const events = [];
const decoder = new TextDecoder();
for await (const chunk of response.body) {
  buffered += decoder.decode(chunk, {stream: true});
  let end;
  while ((end = buffered.indexOf('\n\n')) >= 0) {
    const block = buffered.slice(0, end);
    buffered = buffered.slice(end + 2);
    const event = {};
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      event[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
    }
    if (event.data !== undefined) events.push(event);
  }
  if (events.some((e) => e.event === 'synced')) break;
}
clearTimeout(timer);
controller.abort();
assert.ok(events.length >= 2, 'no snapshot events before synced');
for (const e of events) {
  assert.ok(description.includes(e.event), `event ${e.event} is not in the document`);
  check(`${e.event} event`, pointer('components', 'schemas', dataRef), JSON.parse(e.data));
}
console.log(`openapi_check: ok (${Object.keys(doc.paths).length} paths, ${events.length} events)`);
