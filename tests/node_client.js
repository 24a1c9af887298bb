// A real non-C++ client: @grpc/grpc-js + @grpc/proto-loader load the
// project's .proto files and call GetActiveSessions with and without a
// token. Usage: node node_client.js PROTO_ROOT TARGET TOKEN OTHER_ACCOUNT_TOKEN
'use strict';
const path = require('path');
const assert = require('assert');
const [protoRoot, target, token, otherToken] = process.argv.slice(2);
const modules = path.join(protoRoot, '..', 'node_modules');
const grpc = require(path.join(modules, '@grpc/grpc-js'));
const loader = require(path.join(modules, '@grpc/proto-loader'));

const definition = loader.loadSync('voice/api/app/portal/v1/portal.proto', {
  includeDirs: [protoRoot], keepCase: false, enums: String, defaults: true,
});
const proto = grpc.loadPackageDefinition(definition);
const client = new proto.voice.api.app.portal.v1.PortalService(
    target, grpc.credentials.createInsecure());

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

  console.log(`node client: ok (${sessions.length} sessions)`);
  client.close();
})().catch((e) => { console.error('FAIL:', e.message); process.exit(1); });
