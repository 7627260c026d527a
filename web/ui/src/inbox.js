// inbox: a department signs in with its token (kept in sessionStorage for
// this tab only) and works its tasks through /api/v1/tasks. The list is read
// again after each step and whenever the live map's websocket, opened with
// the same token (the department's view), reports a change of one of the
// department's incidents; a slow poll covers a dropped connection.
import { getJSON, city, el, fmtTime, hasDeadline, countdown } from './api.js';
import { mountNav } from './nav.js';
import { t, named, statusName, translate } from './i18n.js';
import { Live } from './live.js';

const tokenKey = 'cityops.token';
const pollSeconds = 30;
const root = document.getElementById('inbox');
let tasks = [];
let reasons = {};
let c = null;
let pollTimer = 0;
let live = null;
let liveTimer = 0;

const test = (window.cityopsTest = { polls: 0, pushes: 0, live: () => (live?.ws?.readyState === 1 ? live.view : ''), tasks: () => tasks.map((x) => ({ id: x.id, status: x.status, version: x.version })) });

function token() {
  return sessionStorage.getItem(tokenKey) || '';
}

function api(path, method = 'GET', body) {
  const opts = { method, headers: { Authorization: 'Bearer ' + token() } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  return getJSON('/api/v1/tasks' + path, opts);
}

function showSignIn(message) {
  clearInterval(pollTimer);
  live?.close();
  live = null;
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, 'data-i18n-placeholder': 'token' });
  const form = el('form', { id: 'signin', class: 'card' },
    el('label', { for: 'token', 'data-i18n': 'token' }), input,
    el('button', { type: 'submit', id: 'signin-go', 'data-i18n': 'signIn' }),
    message ? el('p', { class: 'error', id: 'signin-error' }, message) : null);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(tokenKey, input.value.trim());
    start();
  });
  root.replaceChildren(form);
  document.getElementById('nav-extra').replaceChildren();
  translate(root);
}

async function start() {
  try {
    reasons = (await api('/reasons')).return || {};
    await refresh();
  } catch (err) {
    sessionStorage.removeItem(tokenKey);
    showSignIn(err.status === 401 ? t('badToken') : err.message);
    return;
  }
  const out = el('button', { type: 'button', id: 'signout', 'data-i18n': 'signOut' });
  out.addEventListener('click', () => {
    sessionStorage.removeItem(tokenKey);
    showSignIn();
  });
  document.getElementById('nav-extra').replaceChildren(el('small', { class: 'muted', id: 'poll-note' }, t('polling', { s: pollSeconds })), out);
  translate(document.getElementById('nav-extra'));
  clearInterval(pollTimer);
  pollTimer = setInterval(() => refresh().catch(showError), pollSeconds * 1000);
  watch();
}

// watch follows the department's incidents on the websocket: single
// incidents over the city's bbox, and a fresh read of the list (at most
// every 300 ms) when one of them changes.
function watch() {
  live?.close();
  let seen = -1;
  live = new Live(token(), {
    onState: (l) => {
      if (l.mode !== 'incidents' || !l.snapshotSub) return;
      const n = l.changes;
      if (n === seen) return;
      seen = n;
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => {
        test.pushes++;
        refresh().catch(showError);
      }, 300);
    },
    onCounters: () => {},
    onConn: (s) => {
      const note = document.getElementById('poll-note');
      if (note) note.textContent = s.up ? t('live') : t('reconnecting', { s: Math.ceil((s.retryIn || 0) / 1000) });
      if (s.up && s.again) refresh().catch(showError);
    },
  });
  const [w, so, e, n] = c.bbox;
  live.subscribe([w, so, e, n], 12, {});
}

async function refresh() {
  const page = await api('?open=true&limit=200');
  tasks = page.tasks || [];
  test.polls++;
  render(false);
}

function showError(err) {
  if (err.status === 401) {
    sessionStorage.removeItem(tokenKey);
    showSignIn(t('badToken'));
    return;
  }
  const bar = document.getElementById('inbox-error');
  if (bar) bar.textContent = t('error') + ': ' + err.message;
}

async function step(id, action, body) {
  try {
    await api('/' + encodeURIComponent(id) + '/' + action, 'POST', body);
    await refresh();
  } catch (err) {
    showError(err);
  }
}

// render draws the task list when it changed (or the language did); an open
// form moves over to the new list with its text.
let drawn = '';
function render(force = true) {
  if (!token()) return;
  const sig = tasks.map((x) => `${x.id}:${x.status}:${x.version}`).join(',');
  if (!force && sig === drawn && root.querySelector('#tasks, .muted')) return;
  drawn = sig;
  const dept = tasks.length ? named(c.byDept.get(tasks[0].department_id)) : '';
  const list = el('ol', { id: 'tasks', class: 'tasks' });
  for (const task of tasks) list.append(renderTask(task));
  const prevOpen = root.querySelector('form.step');
  const keep = prevOpen ? { id: prevOpen.dataset.id, kind: prevOpen.dataset.kind, html: prevOpen } : null;
  root.replaceChildren(
    el('h1', {}, dept, ' ', el('span', { class: 'muted' }, `${tasks.length} ${t('tasks')}`)),
    el('p', { id: 'inbox-error', class: 'error' }),
    tasks.length ? list : el('p', { class: 'muted', 'data-i18n': 'noTasks' }),
  );
  if (keep) {
    const li = root.querySelector(`li[data-id="${CSS.escape(keep.id)}"]`);
    if (li) li.append(keep.html);
  }
  translate(root);
  tick();
}

function renderTask(task) {
  const cat = c.byCat.get(task.category);
  const buttons = [];
  const add = (action, label, onClick) => buttons.push(el('button', { type: 'button', class: 'act-' + action, 'data-i18n': label, onclick: onClick }));
  const s = task.status;
  if (s === 'dispatched') add('accept', 'accept', () => step(task.id, 'accept'));
  if (s === 'accepted') add('start', 'start', () => step(task.id, 'start'));
  if (s === 'dispatched' || s === 'accepted') add('return', 'returnTask', () => openForm(task.id, 'return'));
  if (['dispatched', 'accepted', 'in_progress', 'resolved'].includes(s)) add('note', 'note', () => openForm(task.id, 'note'));
  if (s === 'accepted' || s === 'in_progress') add('resolve', 'resolve', () => openForm(task.id, 'resolve'));
  return el('li', { class: 'task status-' + s, dataset: { id: task.id } },
    el('div', { class: 'task-head' },
      el('b', {}, task.id), ' ',
      el('span', { class: 'badge' }, statusName(s)), ' ',
      el('span', { class: 'countdown', dataset: { deadline: hasDeadline(task.deadline) ? task.deadline : '' } })),
    el('div', {}, named(cat) || task.category, ' · ', named(c.byArea.get(task.area_id)) || task.area_id),
    task.text ? el('div', { class: 'muted' }, task.text) : null,
    el('div', { class: 'muted' }, t('reported'), ': ', fmtTime(task.reported), ' · ', t('deadline'), ': ', fmtTime(task.deadline)),
    el('div', { class: 'actions' }, buttons));
}

// openForm asks for what a step needs: a reason code, a note, or evidence.
function openForm(id, kind) {
  root.querySelector('form.step')?.remove();
  const li = root.querySelector(`li[data-id="${CSS.escape(id)}"]`);
  if (!li) return;
  const fields = [];
  let select, text;
  if (kind === 'return') {
    select = el('select', { name: 'reason', class: 'reason' },
      Object.entries(reasons).map(([code, why]) => el('option', { value: code }, `${code} – ${why}`)));
    fields.push(el('label', { 'data-i18n': 'reason' }), select);
  }
  text = el('textarea', { name: 'text', rows: 2, required: kind !== 'return', class: 'text' });
  fields.push(el('label', { 'data-i18n': kind === 'resolve' ? 'evidence' : 'progress' }), text);
  const form = el('form', { class: 'step', dataset: { id, kind } }, fields,
    el('button', { type: 'submit', class: 'send', 'data-i18n': 'send' }),
    el('button', { type: 'button', 'data-i18n': 'cancel', onclick: () => form.remove() }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = text.value.trim();
    const body = kind === 'return' ? { reason: select.value, note: v } : kind === 'resolve' ? { evidence: [v], note: v } : { note: v };
    form.remove();
    step(id, kind, body);
  });
  li.append(form);
  translate(form);
  text.focus();
}

// tick updates the countdowns every second.
function tick() {
  const now = Date.now();
  for (const span of root.querySelectorAll('.countdown')) {
    const d = span.dataset.deadline;
    if (!d) {
      span.textContent = '';
      continue;
    }
    const ms = Date.parse(d) - now;
    span.textContent = ms >= 0 ? `${countdown(ms)} ${t('left')}` : `${countdown(ms)} ${t('late')}`;
    span.classList.toggle('late', ms < 0);
    span.classList.toggle('soon', ms >= 0 && ms < 3600000);
  }
}

async function main() {
  mountNav('inbox', () => render(true));
  c = await city();
  setInterval(tick, 1000);
  if (token()) start();
  else showSignIn();
}

main();
