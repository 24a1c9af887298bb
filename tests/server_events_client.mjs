// ServiceStack's ServerEventsClient (npm @servicestack/client, with the npm
// `eventsource` package as its EventSource) against the real server's
// /event-stream: onConnect with the subscription's URLs and intervals, an
// onJoin per channel, the snapshot equal to the REST listing, an upsert
// made through the ingest API and then the session's end, heartbeats that
// keep the subscription alive past idleTimeoutMs, another tenant's changes
// never arriving, and stop() unregistering (the heartbeat URL is then 404).
// Usage: node server_events_client.mjs NODE_MODULES BASE_URL READ_1 WRITE_1 READ_2 WRITE_2
import assert from 'node:assert';
import path from 'node:path';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';
import {newWaiter, restClient} from './e2e_helpers.mjs';

const [modules, base, read1, write1, read2, write2] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const {ServerEventsClient} = require('@servicestack/client');
const {EventSource} = await import(pathToFileURL(path.join(modules, 'eventsource/dist/index.js')));
// The client's heartbeat timer reads the global EventSource.CLOSED.
globalThis.EventSource = EventSource;

// An EventSource that sends the token: a header, never the URL.
const withToken = (token) => class extends EventSource {
  constructor(url, init) {
    super(url, {...init, fetch: (input, options) => fetch(input, {
      ...options, headers: {...options.headers, authorization: 'Bearer ' + token}})});
  }
};

const rest = restClient(base);
const {changed, until} = newWaiter();

// A subscriber: what its handlers saw.
function subscribe(token, channels) {
  const seen = {connects: [], joins: [], heartbeats: 0, synced: false, sessions: new Map(),
                upserted: [], removed: [], errors: []};
  const client = new ServerEventsClient(base, channels, {
    handlers: {
      onConnect: (info) => { seen.connects.push(info); changed(); },
      onJoin: (msg) => { seen.joins.push(msg.channel); changed(); },
      onHeartbeat: () => { seen.heartbeats++; changed(); },
      Snapshot: (msg) => { for (const s of msg.sessions) seen.sessions.set(s.id, s); changed(); },
      Synced: () => { seen.synced = true; changed(); },
      Upsert: (msg) => {
        for (const s of msg.sessions) { seen.sessions.set(s.id, s); seen.upserted.push(s.id); }
        changed();
      },
      Remove: (msg) => { seen.sessions.delete(msg.sessionId); seen.removed.push(msg.sessionId); changed(); },
    },
    onException: (e) => { seen.errors.push(String(e && (e.message || e.type || e))); },
  });
  client.EventSource = withToken(token);
  client.start();
  return {client, seen};
}

const one = subscribe(read1, ['acct-demo-1']);
const two = subscribe(read2, ['acct-demo-2']);
await until(() => one.seen.synced && two.seen.synced, 'both snapshots');

// onConnect: ServiceStack's subscription description, values as strings.
const info = one.seen.connects[0];
assert.match(info.id, /^[0-9a-f]{32}$/);
assert.strictEqual(info.heartbeatUrl, `${base}/event-heartbeat?id=${info.id}`);
assert.strictEqual(info.unRegisterUrl, `${base}/event-unregister?id=${info.id}`);
assert.strictEqual(info.heartbeatIntervalMs, 500, 'parsed by the client from a string');
assert.strictEqual(info.idleTimeoutMs, 2000);
assert.strictEqual(info.channels, 'acct-demo-1');
assert.strictEqual(info.isAuthenticated, 'true');
assert.deepStrictEqual(one.seen.joins, ['acct-demo-1']);

// The snapshot is the REST listing.
const listing = await rest('GET', '/portal/active-sessions', read1);
assert.deepStrictEqual([...one.seen.sessions.keys()].sort(), listing.sessions.map((s) => s.id).sort());
const listing2 = await rest('GET', '/portal/active-sessions', read2);
assert.deepStrictEqual([...two.seen.sessions.keys()].sort(), listing2.sessions.map((s) => s.id).sort());

// An upsert through the ingest API, then the session's end.
const upsert = (token, id) => rest('POST', '/v1/sessions:upsert', token,
    {session: {id, dateCreated: new Date().toISOString(), displayName: id}});
await upsert(write1, 'se-1');
await until(() => one.seen.upserted.includes('se-1'), 'the upsert of se-1');
assert.strictEqual(one.seen.sessions.get('se-1').displayName, 'se-1');
await rest('POST', '/v1/sessions/se-1:end', write1, {});
await until(() => one.seen.removed.includes('se-1'), 'the end of se-1');

// Another tenant's write reaches its own subscriber only. Changes arrive in
// revision order, so once se-3 (written after se-2) is in, se-2 would be.
await upsert(write2, 'se-2');
await until(() => two.seen.upserted.includes('se-2'), 'the upsert of se-2 on tenant 2');
await upsert(write1, 'se-3');
await until(() => one.seen.upserted.includes('se-3'), 'the upsert of se-3');
assert.ok(!one.seen.sessions.has('se-2') && !one.seen.upserted.includes('se-2'), 'tenant 2 leaked');
assert.ok(!two.seen.upserted.includes('se-1') && !two.seen.upserted.includes('se-3'), 'tenant 1 leaked');

// Heartbeats keep the subscription alive past three idle timeouts: the
// same subscription (one onConnect) still delivers.
const beats = one.seen.heartbeats;
await new Promise((resolve) => setTimeout(resolve, 3 * info.idleTimeoutMs));
assert.ok(one.seen.heartbeats >= beats + 3, `heartbeats: ${beats} -> ${one.seen.heartbeats}`);
assert.strictEqual(one.seen.connects.length, 1, 'the subscription was closed and re-made');
await upsert(write1, 'se-4');
await until(() => one.seen.upserted.includes('se-4'), 'the upsert of se-4 after the idle timeouts');
assert.strictEqual(one.seen.connects.length, 1);

// stop() unregisters: its heartbeat URL no longer exists.
await one.client.stop();
const beat = await fetch(info.heartbeatUrl, {method: 'POST', signal: AbortSignal.timeout(60000)});
assert.strictEqual(beat.status, 404);
const body = await beat.json();
assert.strictEqual(body.responseStatus.errorCode, 'NotFound');
assert.ok(!JSON.stringify(body).includes(info.id), 'the 404 echoes the subscription id');
await two.client.stop();
console.log('server events client: ok');
