// A real Server-Sent Events client (npm `eventsource`, the WHATWG
// EventSource for Node) on GET /portal/active-sessions/watch: the snapshot
// equals the REST listing, a write made over REST arrives as an `upsert`,
// and when the server ends the stream (its lifetime) the EventSource
// reconnects by itself with Last-Event-ID, resumes without a snapshot and
// gets the write made while it was away. At the end its state equals the
// listing.
// Usage: node sse_client.mjs NODE_MODULES BASE_URL READ_TOKEN WRITE_TOKEN
import assert from 'node:assert';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {newWaiter, restClient} from './e2e_helpers.mjs';

const [modules, base, token, writeToken] = process.argv.slice(2);
const {EventSource} = await import(pathToFileURL(path.join(modules, 'eventsource/dist/index.js')));

const rest = restClient(base);

const upsert = (id) => rest('POST', '/v1/sessions:upsert', writeToken,
    {session: {id, dateCreated: new Date().toISOString(), displayName: id}});

const state = new Map();
const log = [];  // event types in order; 'open' marks each connection
const {changed, until} = newWaiter();

const source = new EventSource(base + '/portal/active-sessions/watch', {
  fetch: (input, init) => fetch(input, {
    ...init, headers: {...init.headers, authorization: 'Bearer ' + token}}),
});
source.onopen = () => { log.push('open'); changed(); };
source.onerror = () => { log.push('error'); changed(); };
const lastIds = [];
for (const type of ['snapshot', 'upsert', 'remove', 'synced', 'bookmark', 'end']) {
  source.addEventListener(type, (event) => {
    log.push(type);
    const message = JSON.parse(event.data);
    if (type === 'snapshot' || type === 'upsert') {
      for (const s of message.sessions) state.set(s.id, s);
    } else if (type === 'remove') {
      state.delete(message.sessionId);
    }
    if (event.lastEventId) lastIds.push(event.lastEventId);
    changed();
  });
}

await until(() => log.includes('synced'), 'synced');
const listing = await rest('GET', '/portal/active-sessions', token);
assert.deepStrictEqual([...state.keys()].sort(), listing.sessions.map((s) => s.id).sort());
assert.ok(!log.slice(0, log.indexOf('synced')).some((t) => t !== 'open' && t !== 'snapshot'));

const first = await upsert('sse-1');
await until(() => state.has('sse-1'), 'the upsert of sse-1');
assert.strictEqual(String(first.revision), lastIds[lastIds.length - 1], 'id: is the revision');

// The server ends the stream at its lifetime: write while the client waits
// to reconnect, then expect the resumed stream to bring it.
await until(() => log.includes('end'), 'the end of the first stream');
await upsert('sse-2');
await until(() => state.has('sse-2'), 'sse-2 after the reconnect');
const reconnected = log.slice(log.indexOf('end'));
assert.ok(reconnected.filter((t) => t === 'open').length >= 1, 'reconnected: ' + reconnected);
assert.ok(!reconnected.includes('snapshot'), 'a resume sends no snapshot: ' + reconnected);

const final = await rest('GET', '/portal/active-sessions', token);
assert.deepStrictEqual([...state.keys()].sort(), final.sessions.map((s) => s.id).sort());
source.close();
console.log(`sse client: ok (${state.size} sessions, ${log.filter((t) => t === 'open').length} connections)`);
