// The live dashboard: an account's active sessions from the watch route's
// Server-Sent Events (GET /portal/active-sessions/watch), kept as a map by
// session id and redrawn on every change. EventSource cannot send an
// Authorization header (and a token in a URL ends up in logs), so the
// stream is read with fetch() and parsed here; after a dropped connection
// it reconnects with Last-Event-ID = the last revision seen and resumes
// without a snapshot. Everything from the server is written with
// textContent, never as HTML.
'use strict';

const CALL_STATES = ['Ringing', 'Connected', 'Hold', 'Passive', 'Disconnected'];
const QUEUE_STATES = ['Queued', 'Ringing', 'Connected', 'Hold', 'Disconnected', 'None'];
const MAX_BACKOFF_MS = 5000;

const $ = (id) => document.getElementById(id);

const view = {
  sessions: new Map(),  // id -> SessionInfo (ServiceStack JSON)
  revision: 0,          // of the last event applied; 0: none yet
  selected: '',
  generation: 0,        // bumped by every new Watch: stale loops stop
  controller: null,
  connections: 0,       // streams opened since the last Watch (tests read it)
};
window.activeSessionsView = view;

function setStatus(state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

function showError(text) {
  const error = $('error');
  error.textContent = text;
  error.hidden = !text;
}

function stateClass(value) {
  return 'state state-' + String(value || 'none').toLowerCase();
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? (iso || '') : date.toLocaleTimeString();
}

function byCreation(a, b) {
  const ka = a.dateCreated || '';
  const kb = b.dateCreated || '';
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function renderCounts(listId, states, field, sessions) {
  const counts = new Map(states.map((s) => [s, 0]));
  for (const s of sessions) {
    const value = s[field] || 'None';
    counts.set(value, (counts.get(value) || 0) + 1);
  }
  const list = $(listId);
  list.replaceChildren();
  for (const [state, count] of counts) {
    if (count === 0 && state === 'None') continue;
    const item = document.createElement('li');
    item.dataset.state = state;
    item.className = stateClass(state);
    item.textContent = state;
    const number = document.createElement('b');
    number.textContent = String(count);
    item.appendChild(number);
    list.appendChild(item);
  }
}

function renderDetails() {
  const session = view.sessions.get(view.selected);
  const panel = $('details');
  if (!session) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  $('details-title').textContent = session.displayName || session.id;
  const fields = [
    ['Id', session.id],
    ['Call state', session.callState],
    ['Queue state', session.queueState],
    ['Direction', session.direction],
    ['Channel', session.channel],
    ['From', [session.fromName, session.fromAddress].filter(Boolean).join(' ')],
    ['To', session.toAddress || session.destination],
    ['Answered by', session.answeredByName],
    ['Hold queue', session.holdQueueName],
    ['Hold reason', session.holdReason],
    ['Held by', session.heldByUserId],
    ['Customer', (session.customerBreadcrumb || []).map((c) => c.name || c.id).join(' › ') ||
        session.customerName],
    ['Created', session.dateCreated],
    ['Modified', session.dateLastModified],
  ];
  const list = $('details-fields');
  list.replaceChildren();
  for (const [name, value] of fields) {
    if (value === undefined || value === '') continue;
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = String(value);
    dd.dataset.field = name;
    list.append(dt, dd);
  }
  const members = $('members').tBodies[0];
  members.replaceChildren();
  for (const m of session.members || []) {
    const row = document.createElement('tr');
    cell(row, m.displayName || m.identity);
    cell(row, m.callState, stateClass(m.callState));
    cell(row, m.role);
    cell(row, m.muted ? 'yes' : 'no');
    members.appendChild(row);
  }
}

function render() {
  const sessions = [...view.sessions.values()].sort(byCreation);
  const body = $('sessions').tBodies[0];
  const rows = [];
  for (const s of sessions) {
    const row = document.createElement('tr');
    row.dataset.id = s.id;
    row.setAttribute('aria-selected', String(s.id === view.selected));
    cell(row, formatTime(s.dateCreated));
    cell(row, s.displayName || s.id);
    cell(row, s.fromName || s.fromAddress);
    cell(row, s.toAddress || s.destination);
    cell(row, s.callState, stateClass(s.callState));
    cell(row, s.queueState, stateClass(s.queueState));
    cell(row, s.customerName || s.customerId);
    cell(row, (s.members || []).length);
    rows.push(row);
  }
  body.replaceChildren(...rows);
  renderCounts('call-counts', CALL_STATES, 'callState', sessions);
  renderCounts('queue-counts', QUEUE_STATES, 'queueState', sessions);
  $('total').textContent = String(sessions.length);
  $('revision').textContent = view.revision ? 'revision ' + view.revision : '';
  renderDetails();
}

// Splits `buffer` into complete events; returns what is left over.
function parseEvents(buffer, onEvent) {
  let end;
  while ((end = buffer.indexOf('\n\n')) >= 0) {
    const block = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    const event = {event: 'message', data: ''};
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') event.data += (event.data ? '\n' : '') + value;
      else if (field === 'event' || field === 'id' || field === 'retry') event[field] = value;
    }
    onEvent(event);
  }
  return buffer;
}

class StreamEnded extends Error {
  constructor(status) {
    super((status && status.message) || 'the stream ended');
    this.code = status && status.errorCode;
  }
}

// Applies one event; `snapshot` collects a fresh listing until `synced`.
function apply(event, snapshot) {
  if (event.event === 'end') {
    let status = null;
    try { status = JSON.parse(event.data).responseStatus; } catch (e) { /* no body */ }
    throw new StreamEnded(status);
  }
  if (!event.data) return;
  const message = JSON.parse(event.data);
  switch (event.event) {
    case 'snapshot':
      for (const s of message.sessions || []) snapshot.set(s.id, s);
      return;
    case 'synced':
      if (snapshot.fresh) {
        view.sessions = snapshot;
        snapshot.fresh = false;
      }
      break;
    case 'upsert':
      for (const s of message.sessions || []) view.sessions.set(s.id, s);
      break;
    case 'remove':
      view.sessions.delete(message.sessionId);
      break;
    case 'bookmark':
      break;
    default:
      return;
  }
  if (message.revision) view.revision = message.revision;
  setStatus('live', 'Live');
  render();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function readStream(response, generation) {
  const snapshot = new Map();
  snapshot.fresh = view.revision === 0;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done || generation !== view.generation) return;
    buffer = parseEvents(buffer + value, (event) => apply(event, snapshot));
  }
}

async function watch(token, query, generation) {
  let backoff = 250;
  while (generation === view.generation) {
    const headers = {authorization: 'Bearer ' + token, accept: 'text/event-stream'};
    if (view.revision) headers['Last-Event-ID'] = String(view.revision);
    view.controller = new AbortController();
    let retry = true;
    try {
      setStatus(view.revision ? 'lost' : 'syncing',
          view.revision ? 'Connection lost, resuming from revision ' + view.revision : 'Loading');
      const response = await fetch('/portal/active-sessions/watch' + query,
          {headers, cache: 'no-store', signal: view.controller.signal});
      if (!response.ok) {
        let status = null;
        try { status = (await response.json()).responseStatus; } catch (e) { /* not JSON */ }
        throw new StreamEnded(status || {errorCode: String(response.status), message: response.statusText});
      }
      view.connections++;
      showError('');
      backoff = 250;
      await readStream(response, generation);
    } catch (error) {
      if (generation !== view.generation) return;
      const code = error instanceof StreamEnded ? error.code : '';
      if (code === 'Unauthorized' || code === 'Forbidden' || code === 'InvalidArgument') {
        retry = false;
        setStatus('failed', 'Stopped');
        showError(error.message);
      } else if (code === 'OutOfRange') {
        // The server compacted past our revision: list again.
        view.revision = 0;
        view.sessions = new Map();
      }
    }
    if (!retry) return;
    if (generation !== view.generation) return;
    setStatus('lost', view.revision ? 'Connection lost, resuming from revision ' + view.revision
        : 'Connection lost, reconnecting');
    await sleep(backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

function start(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) return;
  sessionStorage.setItem('activeSessionsToken', token);
  const params = new URLSearchParams();
  if ($('account').value.trim()) params.set('accountId', $('account').value.trim());
  if ($('customer').value.trim()) params.set('customerId', $('customer').value.trim());
  const query = params.toString() ? '?' + params : '';
  if (view.controller) view.controller.abort();
  view.generation++;
  view.sessions = new Map();
  view.revision = 0;
  view.selected = '';
  view.connections = 0;
  showError('');
  render();
  watch(token, query, view.generation);
}

document.addEventListener('DOMContentLoaded', () => {
  $('token').value = sessionStorage.getItem('activeSessionsToken') || '';
  $('connect').addEventListener('submit', start);
  $('sessions').tBodies[0].addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (!row) return;
    view.selected = view.selected === row.dataset.id ? '' : row.dataset.id;
    render();
  });
  render();
});
