// A real non-C++ client: @grpc/grpc-js + @grpc/proto-loader load the
// project's .proto files and call GetActiveSessions with and without a
// token, then follow WatchActiveSessions (snapshot, synced, a write showing
// up as an upsert, the end as a remove).
// Usage: node node_client.js PROTO_ROOT TARGET TOKEN OTHER_ACCOUNT_TOKEN WRITE_TOKEN
'use strict';
const path = require('path');
const assert = require('assert');
const [protoRoot, target, token, otherToken, writeToken] = process.argv.slice(2);
const modules = path.join(protoRoot, '..', 'node_modules');
const grpc = require(path.join(modules, '@grpc/grpc-js'));
const loader = require(path.join(modules, '@grpc/proto-loader'));

const definition = loader.loadSync('voice/api/app/portal/v1/portal.proto', {
  includeDirs: [protoRoot], keepCase: false, enums: String, defaults: true,
});
const ingestDefinition = loader.loadSync('voice/api/sessions/v1/ingest.proto', {
  includeDirs: [protoRoot], keepCase: false, enums: String, defaults: true,
});
const proto = grpc.loadPackageDefinition(definition);
const client = new proto.voice.api.app.portal.v1.PortalService(
    target, grpc.credentials.createInsecure());
const ingest = new (grpc.loadPackageDefinition(ingestDefinition).voice.api.sessions.v1
    .SessionIngestService)(target, grpc.credentials.createInsecure());

function auth(bearer) {
  const metadata = new grpc.Metadata();
  metadata.add('authorization', 'Bearer ' + bearer);
  return metadata;
}

function unary(service, method, request, bearer) {
  return new Promise((resolve, reject) => {
    service[method](request, auth(bearer), {deadline: new Date(Date.now() + 60000)},
        (err, res) => (err ? reject(err) : resolve(res)));
  });
}

// Follows a watch until `until(state, message)` holds; resolves with the state.
function watch(request, bearer, until) {
  return new Promise((resolve, reject) => {
    const state = {sessions: new Map(), types: [], revision: 0};
    const stream = client.WatchActiveSessions(request, auth(bearer),
        {deadline: new Date(Date.now() + 120000)});
    stream.on('data', (m) => {
      state.types.push(m.type);
      state.revision = Math.max(state.revision, Number(m.revision));
      if (m.type === 'WATCH_EVENT_TYPE_SNAPSHOT' || m.type === 'WATCH_EVENT_TYPE_UPSERT') {
        for (const s of m.sessions) state.sessions.set(s.id, s);
      } else if (m.type === 'WATCH_EVENT_TYPE_REMOVE') {
        state.sessions.delete(m.sessionId);
      }
      if (until(state, m)) {
        stream.cancel();
        resolve(state);
      }
    });
    stream.on('error', (e) => { if (e.code !== grpc.status.CANCELLED) reject(e); });
  });
}

function call(request, bearer) {
  const metadata = new grpc.Metadata();
  if (bearer) metadata.add('authorization', 'Bearer ' + bearer);
  const deadline = new Date(Date.now() + 60000);
  return new Promise((resolve) => {
    client.GetActiveSessions(request, metadata, {deadline}, (err, res) => resolve({err, res}));
  });
}

(async () => {
  let r = await call({}, null);
  assert.strictEqual(r.err && r.err.code, grpc.status.UNAUTHENTICATED, 'no token must be refused');

  r = await call({}, 'ast_' + 'B'.repeat(43));
  assert.strictEqual(r.err && r.err.code, grpc.status.UNAUTHENTICATED, 'unknown token must be refused');

  r = await call({}, token);
  assert.ifError(r.err);
  const sessions = r.res.sessions;
  assert.ok(sessions.length > 0, 'demo sessions expected');
  for (const s of sessions) {
    assert.strictEqual(s.accountId, 'acct-demo-1');
    assert.strictEqual(s.ended, false);
    assert.ok(s.callState.startsWith('SESSION_CALL_STATE_'), s.callState);
  }

  r = await call({accountId: 'acct-demo-2'}, token);
  assert.strictEqual(r.err && r.err.code, grpc.status.PERMISSION_DENIED, 'cross-tenant must be denied');

  r = await call({startDate: 'not-a-date'}, token);
  assert.strictEqual(r.err && r.err.code, grpc.status.INVALID_ARGUMENT);
  assert.ok(r.err.details.includes('start_date'), r.err.details);

  // The other tenant's token sees only its own sessions, never acct-demo-1's.
  r = await call({}, otherToken);
  assert.ifError(r.err);
  assert.ok(r.res.sessions.length > 0);
  assert.ok(r.res.sessions.every((s) => s.accountId === 'acct-demo-2'));

  // The watch: snapshot = the listing, then a write arrives as an upsert
  // and its end as a remove, each with a higher revision.
  const listed = (await call({}, token)).res;
  let afterSnapshot = [];
  const synced = await watch({}, token, (state, m) => m.type === 'WATCH_EVENT_TYPE_SYNCED');
  assert.deepStrictEqual([...synced.sessions.keys()].sort(), listed.sessions.map((s) => s.id).sort());
  const created = new Date().toISOString();
  const followed = watch({startRevision: synced.revision}, token, (state, m) => {
    if (m.type === 'WATCH_EVENT_TYPE_UPSERT' && m.sessions[0].id === 'node-watch') {
      afterSnapshot = state.types.slice();
      unary(ingest, 'EndSession', {sessionId: 'node-watch'}, writeToken).catch(() => {});
    }
    return m.type === 'WATCH_EVENT_TYPE_REMOVE' && m.sessionId === 'node-watch';
  });
  const written = await unary(ingest, 'UpsertSession',
      {session: {id: 'node-watch', dateCreated: created, displayName: 'from node'}}, writeToken);
  assert.ok(Number(written.revision) > synced.revision, 'a write gets a newer revision');
  const ended = await followed;
  assert.ok(!afterSnapshot.includes('WATCH_EVENT_TYPE_SNAPSHOT'), 'a resume sends no snapshot');
  assert.ok(!ended.sessions.has('node-watch'));
  const otherWatch = await watch({accountId: 'acct-demo-1'}, otherToken,
      (state, m) => true).catch((e) => e);
  assert.strictEqual(otherWatch.code, grpc.status.PERMISSION_DENIED, 'cross-tenant watch denied');

  console.log(`node client: ok (${sessions.length} sessions, watch followed to revision ${ended.revision})`);
  client.close();
  ingest.close();
})().catch((e) => { console.error('FAIL:', e.message); process.exit(1); });
