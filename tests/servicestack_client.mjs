// ServiceStack's own TypeScript/JavaScript client (@servicestack/client's
// JsonServiceClient) against the real server, with request DTOs written the
// way `typescript-ref` writes them (getTypeName / getMethod /
// createResponse): a listing through the predefined route, a typed
// ResponseStatus for a bad startDate, sendAll (auto-batching, on both
// /api and /json/reply) answering one result per request in order and
// stopping at the first failure, and an API key sent as Basic credentials.
// Usage: node servicestack_client.mjs NODE_MODULES BASE_URL READ_TOKEN
import assert from 'node:assert';
import path from 'node:path';
import {createRequire} from 'node:module';

const [modules, base, token] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const {JsonServiceClient} = require('@servicestack/client');

class AppGetActiveSessionsResult {
  constructor(init) { this.sessions = []; Object.assign(this, init); }
}
class AppGetActiveSessions {
  constructor(init) { Object.assign(this, init); }
  getTypeName() { return 'AppGetActiveSessions'; }
  getMethod() { return 'GET'; }
  createResponse() { return new AppGetActiveSessionsResult(); }
}

const client = new JsonServiceClient(base);
client.bearerToken = token;
const ids = (result) => result.sessions.map((s) => s.id);

const all = await client.get(new AppGetActiveSessions({}));
assert.ok(all.sessions.length > 0, 'no demo sessions');
const customer = all.sessions.find((s) => s.customerId).customerId;
const mine = await client.get(new AppGetActiveSessions({customerId: customer}));
assert.ok(mine.sessions.length > 0 && mine.sessions.length < all.sessions.length);

// A typed error.
await assert.rejects(client.get(new AppGetActiveSessions({startDate: 'nope'})), (e) => {
  assert.strictEqual(e.responseStatus.errorCode, 'InvalidArgument');
  assert.strictEqual(e.responseStatus.errors[0].fieldName, 'StartDate');
  return true;
});

// sendAll: one result per request, in order, on both predefined routes.
for (const basePath of ['api', null]) {
  const batching = new JsonServiceClient(base);
  batching.bearerToken = token;
  batching.basePath = basePath;
  const results = await batching.sendAll([new AppGetActiveSessions({customerId: customer}),
    new AppGetActiveSessions({}), new AppGetActiveSessions({customerId: customer})]);
  assert.strictEqual(results.length, 3);
  assert.deepStrictEqual(results.map(ids), [ids(mine), ids(all), ids(mine)]);
  await assert.rejects(batching.sendAll([new AppGetActiveSessions({}),
    new AppGetActiveSessions({startDate: 'nope'})]), (e) => {
    assert.strictEqual(e.responseStatus.errorCode, 'InvalidArgument');
    assert.strictEqual(e.responseStatus.meta.AutoBatchIndex, '1');
    return true;
  });
}

// An API key as Basic credentials (user name = the key), and a wrong one.
const basic = new JsonServiceClient(base);
basic.setCredentials(token, '');
assert.deepStrictEqual(ids(await basic.get(new AppGetActiveSessions({}))), ids(all));
const wrong = new JsonServiceClient(base);
wrong.setCredentials('ast_not_a_token', '');
await assert.rejects(wrong.get(new AppGetActiveSessions({})), (e) => {
  assert.strictEqual(e.responseStatus.errorCode, 'Unauthorized');
  return true;
});
console.log(`servicestack_client: ok (${all.sessions.length} sessions, sendAll on /api and /json/reply)`);
