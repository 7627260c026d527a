// planner: charts and tables over /api/v1/history/ for a chosen time range
// and filters: trends, a heatmap of H3 cells, department performance and
// hotspots, a sensor panel (a device's or an area's series of a metric),
// each with a link to the same query as CSV. The history needs a
// token (the center's, an inspector's or a department's): the page asks for
// it and keeps it in sessionStorage, for this tab only, as the other pages
// do, and sends it as a bearer token, also for the CSV downloads.
import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { getJSON, city, el, rows, seriesPoints, alarmLimits } from './api.js';
import { newBaseMap } from './basemap.js';
import { mountNav } from './nav.js';
import { lineChart, seriesChart } from './chart.js';
import { t, named, translate } from './i18n.js';

let c, overlay;
const test = (window.cityopsTest = { loaded: 0, heatCells: 0, trendSeries: 0, departments: 0, errors: [], signIn: 0, sensorPoints: -1 });
const tokenKey = 'cityops.token';

function token() {
  return sessionStorage.getItem(tokenKey) || '';
}

function authed() {
  return { headers: { Authorization: 'Bearer ' + token() } };
}

// showSignIn hides the figures and asks for a token.
function showSignIn(message) {
  test.signIn++;
  for (const s of document.querySelectorAll('main > section, #range')) s.hidden = true;
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, placeholder: t('anyToken') });
  const form = el('form', { id: 'signin', class: 'card' },
    el('label', { for: 'token' }, t('anyToken')), input,
    el('button', { type: 'submit', id: 'signin-go' }, t('signIn')),
    message ? el('p', { class: 'error', id: 'signin-error' }, message) : null);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(tokenKey, input.value.trim());
    signedIn();
  });
  document.getElementById('signin')?.remove();
  document.querySelector('main').prepend(form);
  document.getElementById('nav-extra').replaceChildren();
}

// signedIn shows the figures and a way to sign out, and loads them.
async function signedIn() {
  document.getElementById('signin')?.remove();
  for (const s of document.querySelectorAll('main > section, #range')) s.hidden = false;
  const out = el('button', { type: 'button', id: 'signout' }, t('signOut'));
  out.addEventListener('click', () => {
    sessionStorage.removeItem(tokenKey);
    showSignIn();
  });
  document.getElementById('nav-extra').replaceChildren(out);
  overlay ??= (await newBaseMap(document.getElementById('heatmap-map'), c)).overlay;
  await load();
}

// refused signs out when the server did not know the token.
function refused(err) {
  if (err.status !== 401) return false;
  sessionStorage.removeItem(tokenKey);
  showSignIn(t('badToken'));
  return true;
}

function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

// params reads the form into a query string for every history route.
function params(extra = {}) {
  const f = new FormData(document.getElementById('range'));
  const q = new URLSearchParams();
  for (const k of ['from', 'to', 'category', 'department', 'source']) {
    const v = String(f.get(k) || '').trim();
    if (v) q.set(k, k === 'to' ? isoDay(new Date(Date.parse(v) + 86400000)) : v);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

// csvLink links the same query as CSV. A link cannot send a header, so a
// click fetches the file with the token and saves it.
function csvLink(route, q) {
  const p = new URLSearchParams(q);
  p.set('format', 'csv');
  const href = `/api/v1/history/${route}?${p}`;
  return el('a', {
    href, class: 'csv', download: route + '.csv', 'data-route': route,
    onclick: async (ev) => {
      ev.preventDefault();
      try {
        const resp = await fetch(href, authed());
        if (!resp.ok) {
          const err = new Error(resp.status + ' ' + resp.statusText);
          err.status = resp.status;
          throw err;
        }
        const url = URL.createObjectURL(await resp.blob());
        const a = el('a', { href: url, download: route + '.csv' });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (err) {
        if (!refused(err)) test.errors.push(route + ' csv: ' + err.message);
      }
    },
  }, t('csv'));
}

async function section(id, route, q, draw) {
  const box = document.getElementById(id);
  const body = box.querySelector('.body');
  box.querySelector('.links').replaceChildren(csvLink(route, q));
  body.replaceChildren(el('p', { class: 'muted' }, t('loading')));
  try {
    const table = await getJSON(`/api/v1/history/${route}?${q}`, authed());
    draw(body, table);
  } catch (err) {
    if (refused(err)) return;
    test.errors.push(route + ': ' + err.message);
    body.replaceChildren(el('p', { class: 'error' }, t('error') + ': ' + err.message));
  }
}

function catName(code) {
  return named(c.byCat.get(code)) || code;
}

function drawTrends(body, table) {
  const data = rows(table);
  const xs = [...new Set(data.map((r) => String(r.bucket).slice(0, 13).replace('T', ' ')))].sort();
  const series = {};
  const totals = {};
  for (const r of data) totals[r.key] = (totals[r.key] || 0) + Number(r.incidents);
  const top = Object.keys(totals).sort((a, b) => totals[b] - totals[a]).slice(0, 8);
  for (const r of data) {
    if (!top.includes(r.key)) continue;
    const name = (c.byCat.has(r.key) ? catName(r.key) : named(c.byArea.get(r.key))) || r.key || '–';
    (series[name] ||= []).push([String(r.bucket).slice(0, 13).replace('T', ' '), Number(r.incidents)]);
  }
  test.trendSeries = Object.keys(series).length;
  body.replaceChildren(xs.length ? lineChart(xs, series) : el('p', { class: 'muted' }, t('none')));
}

function drawHeatmap(body, table) {
  const data = rows(table).map((r) => ({ h3: r.h3, count: Number(r.incidents) }));
  test.heatCells = data.length;
  const max = Math.max(1, ...data.map((d) => d.count));
  overlay.setProps({
    layers: [
      new H3HexagonLayer({
        id: 'heatmap',
        data,
        getHexagon: (d) => d.h3,
        getFillColor: (d) => {
          const f = Math.sqrt(d.count / max);
          return [255 * f, 80 + 100 * (1 - f), 255 * (1 - f), 190];
        },
        extruded: false,
        pickable: true,
      }),
    ],
    getTooltip: ({ object }) => object && `${object.h3}: ${object.count}`,
  });
  body.replaceChildren(el('p', { class: 'muted', id: 'heat-count' }, `${data.length} ${t('cells')}`));
}

function table(columns, data) {
  return el('table', {},
    el('thead', {}, el('tr', {}, columns.map(([, label]) => el('th', {}, label)))),
    el('tbody', {}, data.map((r) => el('tr', {}, columns.map(([f]) => el('td', {}, f(r)))))));
}

const pct = (v) => (v === null || v === undefined || isNaN(v) ? '–' : Math.round(v * 100) + '%');
const hours = (s) => (s === null || s === undefined || isNaN(s) ? '–' : (s / 3600).toFixed(1) + ' h');

function drawDepartments(body, tbl) {
  const data = rows(tbl);
  test.departments = data.length;
  body.replaceChildren(table([
    [(r) => named(c.byDept.get(r.department_id)) || r.department_id || '–', t('department')],
    [(r) => String(r.incidents), t('incidents')],
    [(r) => pct(r.closure_rate), t('closureRate')],
    [(r) => pct(r.on_time_rate), t('onTimeRate')],
    [(r) => pct(r.response_rate), t('responseRate')],
    [(r) => pct(r.resolution_rate), t('resolutionRate')],
    [(r) => pct(r.satisfaction_rate), t('satisfactionRate')],
    [(r) => String(r.repeats ?? 0), t('repeats')],
    [(r) => String(r.reopens ?? 0), t('reopens')],
    [(r) => String(r.returns), t('returns')],
    [(r) => String(r.reworked), t('reworked')],
    [(r) => hours(r.close_p50_s), t('closeP50')],
  ], data));
}

function drawHotspots(body, tbl) {
  const data = rows(tbl);
  body.replaceChildren(data.length ? table([
    [(r) => r.h3, t('cell')],
    [(r) => catName(r.category), t('category')],
    [(r) => String(r.weeks), t('weeks')],
    [(r) => String(r.complaints), t('complaints')],
    [(r) => String(r.last).slice(0, 10), t('last')],
  ], data) : el('p', { class: 'muted' }, t('none')));
}

// sensorParams reads the sensor panel: a device (its own metric unless one is
// picked) or an area and a metric, over the page's range.
function sensorParams() {
  const f = new FormData(document.getElementById('sensor-form'));
  const q = new URLSearchParams();
  const [kind, id] = String(f.get('what') || '').split(':');
  const metric = String(f.get('metric') || '');
  const range = params();
  for (const k of ['from', 'to']) if (range.get(k)) q.set(k, range.get(k));
  if (kind === 'area') {
    q.set('area', id);
    q.set('type', metric || types()[0] || '');
  } else {
    q.set('device', id);
    q.set('type', metric || (c.devices.find((d) => d.id === id) || {}).type || '');
  }
  if (f.get('step')) q.set('step', String(f.get('step')));
  return q;
}

function types() {
  return [...new Set((c.devices || []).map((d) => d.type))].sort();
}

function drawSensors(body, tbl) {
  const points = seriesPoints(tbl);
  const typ = sensorParams().get('type');
  const unit = ((c.devices || []).find((d) => d.type === typ) || {}).unit || '';
  test.sensorPoints = points.length;
  const q = sensorParams();
  const span = { from: q.get('from') ? Date.parse(q.get('from')) : undefined, to: q.get('to') ? Date.parse(q.get('to')) : undefined };
  body.replaceChildren(points.length ? seriesChart(points, alarmLimits(c, typ), { unit, ...span }) : el('p', { class: 'muted' }, t('noReadings')),
    el('p', { class: 'muted', id: 'sensor-count' }, `${points.length} ${t('points')}`));
}

function buildSensorForm() {
  const form = document.getElementById('sensor-form');
  const keep = (name) => form.elements[name]?.value || '';
  const old = { what: keep('what'), metric: keep('metric'), step: keep('step') };
  const opt = (v, label) => el('option', { value: v }, label);
  const devices = c.devices || [];
  form.replaceChildren(
    el('label', {}, el('span', {}, t('device') + ' / ' + t('area')), el('select', { name: 'what', id: 'sensor-what' },
      el('optgroup', { label: t('device') }, devices.map((d) => opt('device:' + d.id, d.id + ' · ' + d.type))),
      el('optgroup', { label: t('area') }, c.areas.map((a) => opt('area:' + a.id, named(a) || a.id))))),
    el('label', {}, el('span', {}, t('metric')), el('select', { name: 'metric', id: 'sensor-metric' }, opt('', t('auto')), types().map((k) => opt(k, k)))),
    el('label', {}, el('span', {}, t('step')), el('select', { name: 'step', id: 'sensor-step' },
      opt('', t('auto')), opt('raw', t('raw')), opt('1m', '1 ' + t('minute')), opt('1h', '1 ' + t('hour')), opt('1d', '1 ' + t('day')))),
    el('button', { type: 'submit', id: 'sensor-go' }, t('apply')),
  );
  for (const [k, v] of Object.entries(old)) if (v) form.elements[k].value = v;
}

function loadSensors() {
  if (!(c.devices || []).length && !types().length) return Promise.resolve();
  return section('sensors', 'readings', sensorParams(), drawSensors);
}

async function load() {
  if (!token()) {
    showSignIn();
    return;
  }
  const q = params();
  await Promise.all([
    section('trends', 'trends', params({ bucket: document.getElementById('bucket').value, by: document.getElementById('by').value }), drawTrends),
    section('heatmap', 'heatmap', params({ res: document.getElementById('res').value }), drawHeatmap),
    section('departments', 'departments', q, drawDepartments),
    section('hotspots', 'hotspots', params({ min_weeks: 2 }), drawHotspots),
    loadSensors(),
  ]);
  test.loaded++;
}

function buildForm() {
  const form = document.getElementById('range');
  const to = new Date();
  const from = new Date(Date.now() - 29 * 86400000);
  const opt = (v, label) => el('option', { value: v }, label);
  const keep = (name) => form.elements[name]?.value;
  const old = { from: keep('from') || isoDay(from), to: keep('to') || isoDay(to), category: keep('category') || '', department: keep('department') || '', source: keep('source') || '' };
  form.replaceChildren(
    el('label', {}, el('span', {}, t('from')), el('input', { type: 'date', name: 'from', id: 'from', value: old.from })),
    el('label', {}, el('span', {}, t('to')), el('input', { type: 'date', name: 'to', id: 'to', value: old.to })),
    el('label', {}, el('span', {}, t('category')), el('select', { name: 'category' }, opt('', t('all')), c.categories.map((k) => opt(k.code, named(k) || k.code)))),
    el('label', {}, el('span', {}, t('department')), el('select', { name: 'department' }, opt('', t('all')), c.departments.map((d) => opt(d.id, named(d))))),
    el('label', {}, el('span', {}, t('source')), el('select', { name: 'source' }, opt('', t('all')), opt('hotline', t('hotline')), opt('iot', t('iot')))),
    el('label', {}, el('span', {}, t('bucket')), el('select', { id: 'bucket' }, opt('day', t('day')), opt('hour', t('hour')), opt('week', t('week')))),
    el('label', {}, el('span', {}, t('by')), el('select', { id: 'by' }, opt('category', t('category')), opt('area', t('area')), opt('district', t('district')))),
    el('label', {}, el('span', {}, 'H3'), el('select', { id: 'res' }, opt('7', 'res 7'), opt('9', 'res 9'), opt('5', 'res 5'))),
    el('button', { type: 'submit', id: 'apply' }, t('apply')),
  );
  for (const k of ['category', 'department', 'source']) form.elements[k].value = old[k];
}

async function main() {
  mountNav('planner', () => {
    buildForm();
    buildSensorForm();
    translate(document.body);
    if (token()) signedIn();
    else showSignIn();
  });
  c = await city();
  buildForm();
  buildSensorForm();
  document.getElementById('sensor-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadSensors();
  });
  translate(document.body);
  document.getElementById('range').addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  if (token()) await signedIn();
  else showSignIn();
}

main();
