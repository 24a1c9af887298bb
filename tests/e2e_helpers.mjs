// What the Node end-to-end clients share: a REST call that must answer
// 200, and a bounded wait for a condition on state that event handlers
// change.
//
//   const rest = restClient(base);           // base: a URL, or a function giving one
//   const session = await rest('POST', '/v1/sessions:upsert', token, {session});
//   const {changed, until} = newWaiter();    // handlers call changed()
//   await until(() => state.has('a'), 'session a');
import assert from 'node:assert';

export function restClient(base, timeoutMs = 60000) {
  return async (method, route, bearer, body) => {
    const url = (typeof base === 'function' ? base() : base) + route;
    const response = await fetch(url, {
      method,
      headers: {authorization: 'Bearer ' + bearer, 'content-type': 'application/json',
                accept: 'application/json'},
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    assert.strictEqual(response.status, 200, `${method} ${route}: ${text}`);
    return JSON.parse(text);
  };
}

export function newWaiter(timeoutMs = 90000) {
  let waiters = [];
  const changed = () => { for (const w of [...waiters]) w(); };
  const until = (predicate, what) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), timeoutMs);
    const check = () => {
      if (!predicate()) return;
      clearTimeout(timer);
      waiters = waiters.filter((w) => w !== check);
      resolve();
    };
    waiters.push(check);
    check();
  });
  return {changed, until};
}
