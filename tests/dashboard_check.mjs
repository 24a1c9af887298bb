// The /ui/ dashboard in a real browser: headless Chromium (Debian's
// `chromium`) driven by puppeteer-core against the real server. The page
// loads under its Content-Security-Policy without a violation, shows the
// demo sessions (the same ids and counts as the REST listing), shows a
// session ingested through the API and drops an ended one without a reload,
// opens a session's members and hold information on click, and survives a
// restart of the server: it says the connection is lost, reconnects with
// Last-Event-ID = the last revision it saw and resumes. Saves a screenshot.
// Usage: node dashboard_check.mjs NODE_MODULES SERVER_BIN CTL_BIN WORK_DIR SCREENSHOT
import assert from 'node:assert';
import {spawn, execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {restClient} from './e2e_helpers.mjs';

const [modules, serverBin, ctlBin, work, screenshot] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const puppeteer = require('puppeteer-core');
const db = path.join(work, 'dashboard.db');
const WAIT_MS = 60000;

let server = null;
let ports = null;
// Starts sessions_server (free ports the first time, the same ones after)
// and resolves once its READY line is out.
function startServer() {
  const grpc = ports ? ports.grpc : 0;
  const http = ports ? ports.http : 0;
  server = spawn(serverBin, [`--db_path=${db}`, '--demo_data', '--log_level=warn',
    `--grpc_address=127.0.0.1:${grpc}`, `--http_address=127.0.0.1:${http}`],
  {stdio: ['ignore', 'pipe', 'inherit']});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server not ready within 60 s')), WAIT_MS);
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/^READY grpc_port=(\d+) .*http_port=(\d+)/m);
      if (!m) return;
      clearTimeout(timer);
      ports = {grpc: Number(m[1]), http: Number(m[2])};
      resolve();
    });
    server.on('exit', (code) => reject(new Error('server exited early: ' + code)));
  });
}
function stopServer() {
  return new Promise((resolve) => {
    server.removeAllListeners('exit');
    server.on('exit', (code, signal) => resolve(code ?? signal));
    server.kill('SIGTERM');
  });
}
const token = (scopes) => execFileSync(ctlBin, [`--db_path=${db}`, 'token', 'create',
  '--account=acct-demo-1', `--scopes=${scopes}`, '--name=dashboard-test', '--quiet']).toString().trim();
const base = () => `http://127.0.0.1:${ports.http}`;
const rest = restClient(base, WAIT_MS);

await startServer();
const reader = token('sessions:read');
const writer = token('sessions:write');
const browser = await puppeteer.launch({
  executablePath: fs.existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  userDataDir: path.join(work, 'chromium-profile'),
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.setViewport({width: 1400, height: 900});
  const problems = [];
  // Refused connections while the server is down are logged too; only
  // policy violations count.
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const watchRequests = [];
  page.on('request', (r) => {
    if (r.url().includes('/portal/active-sessions/watch')) watchRequests.push(r.headers());
  });

  // The page and its policy.
  const response = await page.goto(base() + '/ui/');
  assert.strictEqual(response.status(), 200);
  const csp = response.headers()['content-security-policy'] || '';
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'",
    "connect-src 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  }
  await page.evaluate(() => { window.notReloaded = true; });

  // Paste a token, watch: the demo sessions, as the REST listing has them.
  await page.type('#token', reader);
  await page.click('button[type=submit]');
  const listing = await rest('GET', '/portal/active-sessions', reader);
  assert.ok(listing.sessions.length > 0);
  const rowIds = () => page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => r.dataset.id));
  const until = (fn, ...args) => page.waitForFunction(fn, {timeout: WAIT_MS}, ...args);
  await until((n) => document.querySelectorAll('#sessions tbody tr').length === n &&
      document.getElementById('status').dataset.state === 'live', listing.sessions.length);
  assert.deepStrictEqual((await rowIds()).sort(), listing.sessions.map((s) => s.id).sort());
  const countOf = (list, state) => page.$eval(`#${list} li[data-state="${state}"] b`,
      (b) => Number(b.textContent)).catch(() => 0);
  for (const [list, field] of [['call-counts', 'callState'], ['queue-counts', 'queueState']]) {
    const expected = new Map();
    for (const s of listing.sessions) expected.set(s[field], (expected.get(s[field]) || 0) + 1);
    for (const [state, n] of expected) {
      assert.strictEqual(await countOf(list, state), n, `${list} ${state}`);
    }
  }
  assert.strictEqual(await page.$eval('#total', (e) => Number(e.textContent)), listing.sessions.length);

  // A session ingested through the API appears; click shows members and hold.
  const created = new Date().toISOString();
  await rest('POST', '/v1/sessions:upsert', writer, {session: {
    id: 'ui-new-1', dateCreated: created, displayName: 'Caller on hold', callState: 'Hold',
    queueState: 'Hold', holdQueueName: 'Support', holdReason: 'Transferring',
    fromName: 'Ada', fromAddress: '+15550001',
    members: [{identity: 'agent-7', displayName: 'Agent Seven', callState: 'Connected', role: 'Agent'},
      {identity: 'caller', displayName: 'Ada', callState: 'Connected', muted: true}],
  }});
  await until(() => !!document.querySelector('#sessions tbody tr[data-id="ui-new-1"]'));
  const holdCell = await page.$eval('#sessions tbody tr[data-id="ui-new-1"] td:nth-child(5)',
      (td) => ({text: td.textContent, className: td.className}));
  assert.deepStrictEqual(holdCell, {text: 'Hold', className: 'state state-hold'});
  await page.click('#sessions tbody tr[data-id="ui-new-1"]');
  await until(() => !document.getElementById('details').hidden);
  assert.strictEqual(await page.$eval('dd[data-field="Hold queue"]', (e) => e.textContent), 'Support');
  assert.strictEqual(await page.$eval('dd[data-field="Hold reason"]', (e) => e.textContent), 'Transferring');
  assert.deepStrictEqual(await page.$$eval('#members tbody tr', (rows) =>
    rows.map((r) => [...r.cells].map((c) => c.textContent))),
  [['Agent Seven', 'Connected', 'Agent', 'no'], ['Ada', 'Connected', 'None', 'yes']]);

  // An ended one disappears.
  const ended = listing.sessions[0].id;
  await rest('POST', `/v1/sessions/${encodeURIComponent(ended)}:end`, writer, {});
  await until((id) => !document.querySelector(`#sessions tbody tr[data-id="${id}"]`), ended);

  // The server restarts: "connection lost", then a resume from the last
  // revision seen (Last-Event-ID), and later changes still arrive.
  const revisionBefore = await page.evaluate(() => window.activeSessionsView.revision);
  assert.ok(revisionBefore > 0);
  const requestsBefore = watchRequests.length;
  assert.strictEqual(await stopServer(), 0, 'server did not exit 0 on SIGTERM');
  await until(() => document.getElementById('status').dataset.state === 'lost');
  assert.match(await page.$eval('#status', (e) => e.textContent), /resuming from revision/);
  await startServer();
  await until(() => document.getElementById('status').dataset.state === 'live' &&
      window.activeSessionsView.connections >= 2);
  const resumed = watchRequests.slice(requestsBefore).map((h) => h['last-event-id']);
  assert.ok(resumed.length > 0 && resumed.every((id) => id === String(revisionBefore)),
      `reconnects did not carry Last-Event-ID ${revisionBefore}: ${JSON.stringify(resumed)}`);
  await rest('POST', '/v1/sessions:upsert', writer, {session: {
    id: 'ui-new-2', dateCreated: new Date().toISOString(), displayName: 'After the restart',
    callState: 'Ringing', queueState: 'Queued'}});
  await until(() => !!document.querySelector('#sessions tbody tr[data-id="ui-new-2"]'));
  const after = await rest('GET', '/portal/active-sessions', reader);
  assert.deepStrictEqual((await rowIds()).sort(), after.sessions.map((s) => s.id).sort());
  assert.ok(await page.evaluate(() => window.notReloaded === true), 'the page reloaded');
  assert.deepStrictEqual(problems, [], 'console errors (CSP violations included)');

  await page.screenshot({path: screenshot, fullPage: true});
  console.log(`dashboard_check: ok (${after.sessions.length} sessions, resumed from revision ` +
      `${revisionBefore}, screenshot ${screenshot})`);
} finally {
  await browser.close();
  if (server && server.exitCode === null) await stopServer();
}
