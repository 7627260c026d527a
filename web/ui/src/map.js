// map: the operations center's live map. Hexagons (deck.gl H3HexagonLayer)
// show counts by H3 cell, points show single incidents; the panel has the
// counters, filters, the latest incidents and an incident's timeline.
import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { ScatterplotLayer } from '@deck.gl/layers';
import { cellToParent } from 'h3-js';
import { getJSON, city, el, fmtTime, hasDeadline, rows, seriesPoints, alarmLimits, isoSecond } from './api.js';
import { seriesChart } from './chart.js';
import { newBaseMap } from './basemap.js';
import { mountNav } from './nav.js';
import { Live } from './live.js';
import { t, named, statusName, translate } from './i18n.js';

const tokenKey = 'cityops.token';
const statuses = ['reported', 'registered', 'dispatched', 'accepted', 'in_progress', 'resolved', 'verified'];
const severityColor = { 1: [90, 170, 255], 2: [255, 200, 60], 3: [255, 120, 40], 4: [240, 40, 60] };

let c, map, overlay, live;
// latest maps "device|type" to the device's latest reading
// (/api/v1/history/devices), which colours it; empty without a token.
let latest = new Map();
// charted holds the last point of each device charted, for a colour when
// latest knows nothing of it.
const charted = new Map();
let counters = null;
let selected = '';
let connNote = '';
const filters = { category: [], status: [], department: [], source: [] };

// Test hooks: the browser tests read what the page shows through these.
const test = (window.cityopsTest = {
  renders: 0,
  state: () => ({
    connected: !!live?.ws && live.ws.readyState === 1,
    protocol: live?.protocol || 0,
    view: live?.view || '',
    mode: live?.mode || '',
    zoom: map?.getZoom() || 0,
    incidents: visibleIncidents().length,
    hexagons: hexData().length,
    res: live?.res || 0,
    minCount: Math.min(...[...(live?.cells.values() || [])].map((x) => x.count)),
    counters,
    conn: connNote,
  }),
  // pickHexagons reads back what deck.gl drew: the distinct cells of the
  // hexagon layer found by picking over the whole canvas.
  pickHexagons: () => {
    const canvas = map.getCanvas();
    const picked = overlay.pickObjects({ x: 0, y: 0, width: canvas.clientWidth, height: canvas.clientHeight, layerIds: ['hexagons'] });
    return new Set(picked.map((p) => p.object.h3)).size;
  },
  pickIncidents: () => {
    const canvas = map.getCanvas();
    const picked = overlay.pickObjects({ x: 0, y: 0, width: canvas.clientWidth, height: canvas.clientHeight, layerIds: ['incidents'] });
    return new Set(picked.map((p) => p.object.id)).size;
  },
  visible: () => visibleIncidents().map((i) => ({ id: i.id, source: i.source, status: i.status })),
  incidentStatus: (id) => live?.incidents.get(id)?.status || '',
  jumpTo: (zoom, lat, lon) => map.jumpTo({ zoom, center: lat === undefined ? map.getCenter() : [lon, lat] }),
  dropConnection: () => live?.ws?.close(4001, 'test'),
  devices: () => (c?.devices || []).map((d) => ({ id: d.id, state: deviceState(d) })),
  openDevice: (id) => openDevice(id),
  deviceChart: null, // {device, points, limits} once a device's chart is drawn
});

// resForZoom follows the protocol's zoom bands.
function resForZoom(z) {
  return z < 8 ? 5 : z < 11 ? 7 : 9;
}

function matches(inc) {
  for (const [k, field] of [['category', 'category'], ['status', 'status'], ['department', 'department_id'], ['source', 'source']]) {
    if (filters[k].length && !filters[k].includes(inc[field])) return false;
  }
  return true;
}

function visibleIncidents() {
  if (!live || live.mode !== 'incidents') return [];
  return [...live.incidents.values()].filter(matches);
}

// hexData is what the hexagon layer draws: the server's cells, or (from a
// version 1 server, which sends every incident at every zoom) the incidents
// counted by cell at the zoom's resolution.
function hexData() {
  if (!live) return [];
  if (live.mode === 'cells') return [...live.cells.values()];
  const z = map.getZoom();
  if (z >= 11) return [];
  const res = resForZoom(z);
  const byCell = new Map();
  for (const inc of visibleIncidents()) {
    if (!inc.h3) continue;
    const h3 = cellToParent(inc.h3, res);
    byCell.set(h3, (byCell.get(h3) || 0) + 1);
  }
  return [...byCell].map(([h3, count]) => ({ h3, count }));
}

function render() {
  const cells = hexData();
  const max = Math.max(1, ...cells.map((d) => d.count));
  const points = map.getZoom() >= 11 ? visibleIncidents() : [];
  overlay.setProps({
    layers: [
      new H3HexagonLayer({
        id: 'hexagons',
        data: cells,
        getHexagon: (d) => d.h3,
        getFillColor: (d) => {
          const f = Math.sqrt(d.count / max);
          return [40 + 215 * f, 180 - 120 * f, 255 - 200 * f, 170];
        },
        getLineColor: [255, 255, 255, 90],
        lineWidthMinPixels: 1,
        extruded: false,
        pickable: true,
        updateTriggers: { getFillColor: max },
        onClick: (info) => info.object && map.easeTo({ center: map.unproject([info.x, info.y]), zoom: Math.min(map.getZoom() + 2, 13) }),
      }),
      new ScatterplotLayer({
        id: 'devices',
        data: c.devices || [],
        getPosition: (d) => [d.lon, d.lat],
        getFillColor: (d) => stateColor[deviceState(d)],
        getLineColor: (d) => (d.id === selected ? [255, 255, 255] : [20, 20, 20]),
        getRadius: (d) => (d.id === selected ? 8 : 5),
        radiusUnits: 'pixels',
        stroked: true,
        lineWidthMinPixels: 1,
        pickable: true,
        updateTriggers: { getFillColor: [latest, live?.incidents.size], getLineColor: selected, getRadius: selected },
        onClick: (info) => info.object && openDevice(info.object.id),
      }),
      new ScatterplotLayer({
        id: 'incidents',
        data: points,
        getPosition: (d) => [d.lon, d.lat],
        getFillColor: (d) => (overdue(d) ? [255, 60, 90] : severityColor[d.severity] || [200, 200, 200]),
        getLineColor: (d) => (d.id === selected ? [255, 255, 255] : [0, 0, 0]),
        getRadius: (d) => (d.id === selected ? 9 : 6),
        radiusUnits: 'pixels',
        stroked: true,
        lineWidthMinPixels: 1,
        pickable: true,
        updateTriggers: { getLineColor: selected, getRadius: selected },
        onClick: (info) => info.object && openIncident(info.object.id),
      }),
    ],
  });
  renderCounters();
  renderList();
  test.renders++;
}

// A device's last state: alarm (an open alarm incident of it, or its latest
// reading at or over its alarm's raise value), elevated (at or over the
// clear value), ok, offline (nothing within its offline alarm's silence) or
// unknown (no token, no history).
const stateColor = { alarm: [240, 40, 60], elevated: [255, 170, 40], ok: [60, 200, 120], offline: [130, 130, 140], unknown: [150, 190, 230] };

function alarmIncident(d) {
  for (const id of live?.incidents.keys() || []) if (id.startsWith('ALM-' + d.id + '-')) return live.incidents.get(id);
  return null;
}

function deviceState(d) {
  if (alarmIncident(d)) return 'alarm';
  const last = latest.get(d.id + '|' + d.type) || charted.get(d.id + '|' + d.type);
  if (!last && !latest.size) return 'unknown';
  const off = (c.alarms || []).find((a) => a.kind === 'offline' && a.types.includes(d.type));
  if (!last || Date.now() - Date.parse(last.time) > 60000 + 1000 * (off?.after_s || 1800)) return 'offline';
  const limits = alarmLimits(c, d.type);
  if (limits.some((l) => l.kind === 'raise' && last.value >= l.value)) return 'alarm';
  if (limits.some((l) => l.kind === 'clear' && last.value >= l.value)) return 'elevated';
  return 'ok';
}

async function loadLatest() {
  if (!sessionStorage.getItem(tokenKey) || !(c.devices || []).length) return;
  try {
    const r = rows(await getJSON('/api/v1/history/devices', authed()));
    latest = new Map(r.map((x) => [x.device_id + '|' + x.type, { time: x.time, value: Number(x.value) }]));
    render();
  } catch {
    // the colours stay as they were; the chart says what went wrong
  }
}

// deviceChart loads a device's last 24 hours into box, with its alarms'
// limits; the server picks the step (a minute for a day).
async function deviceChart(box, d) {
  box.replaceChildren(el('p', { class: 'muted' }, t('loading')));
  const to = new Date();
  const q = new URLSearchParams({ device: d.id, type: d.type, from: isoSecond(new Date(to - 86400000)), to: isoSecond(to) });
  try {
    const points = seriesPoints(await getJSON('/api/v1/history/readings?' + q, authed()));
    const limits = alarmLimits(c, d.type);
    box.replaceChildren(seriesChart(points, limits, { width: 340, height: 180, unit: d.unit, from: to - 86400000, to: +to }));
    if (!points.length) box.append(el('p', { class: 'muted' }, t('noReadings')));
    // Without a colour from the last minutes, the chart's last point says.
    const last = points[points.length - 1];
    if (last) {
      charted.set(d.id + '|' + d.type, { time: new Date(last.t).toISOString(), value: last.avg });
      const st = document.getElementById('device-state');
      if (st && selected === d.id) st.textContent = t('state_' + deviceState(d));
      render();
    }
    test.deviceChart = { device: d.id, points: points.length, limits: limits.map((l) => l.value) };
  } catch (err) {
    box.replaceChildren(el('p', { class: 'error' }, t('error') + ': ' + (err.status === 401 ? t('badToken') : err.message)));
  }
}

// openDevice shows a device, its state and its last 24 hours.
function openDevice(id) {
  const d = (c.devices || []).find((x) => x.id === id);
  if (!d) return;
  selected = id;
  map.easeTo({ center: [d.lon, d.lat] });
  render();
  const box = document.getElementById('detail');
  box.hidden = false;
  const chart = el('div', { id: 'device-chart' });
  const inc = alarmIncident(d);
  box.replaceChildren(
    el('header', {}, el('h2', {}, t('device'), ' ', id), el('button', { type: 'button', id: 'detail-close', onclick: closeDetail }, '×')),
    el('dl', {},
      el('dt', {}, t('metric')), el('dd', {}, d.type + (d.unit ? ' (' + d.unit + ')' : '')),
      el('dt', {}, t('department')), el('dd', {}, named(c.byDept.get(d.department)) || d.department || '–'),
      el('dt', {}, t('state')), el('dd', { id: 'device-state' }, t('state_' + deviceState(d))),
      inc ? [el('dt', {}, t('detail')), el('dd', {}, el('a', { href: '#', onclick: (ev) => (ev.preventDefault(), openIncident(inc.id)) }, inc.id))] : null),
    el('h3', {}, t('last24h')),
    chart,
  );
  if (!sessionStorage.getItem(tokenKey)) chart.replaceChildren(el('p', { class: 'muted' }, t('signInForHistory')));
  else deviceChart(chart, d);
}

// deviceOf finds the device of a sensor alarm's incident: the alarm stage
// names its incidents ALM-device-alarm-time; otherwise the device of the
// incident's metric at its place (within about 50 m).
function deviceOf(inc) {
  const ds = c.devices || [];
  return ds.find((d) => inc.id.startsWith('ALM-' + d.id + '-')) ||
    (inc.source === 'iot' && ds.find((d) => d.type === inc.type && Math.abs(d.lat - inc.lat) < 0.0005 && Math.abs(d.lon - inc.lon) < 0.0005)) || null;
}

function overdue(inc) {
  return hasDeadline(inc.deadline) && Date.parse(inc.deadline) < Date.now();
}

function renderCounters() {
  let open, late, rate;
  if (counters) {
    ({ open, overdue: late, on_time_rate: rate } = counters);
  } else {
    const all = live ? [...live.incidents.values()] : [];
    open = all.length;
    late = all.filter(overdue).length;
    rate = historyRate;
  }
  document.getElementById('n-open').textContent = open ?? '–';
  document.getElementById('n-overdue').textContent = late ?? '–';
  document.getElementById('n-ontime').textContent = rate === null || rate === undefined ? '–' : Math.round(rate * 100) + '%';
}

// historyRate is the on-time rate of today from the history API, for a
// server that sends no counters.
let historyRate = null;
async function loadHistoryRate() {
  if (counters) return;
  const from = new Date();
  from.setHours(0, 0, 0, 0);
  try {
    if (!sessionStorage.getItem(tokenKey)) return; // the history needs a token
    const d = rows(await getJSON('/api/v1/history/departments?from=' + encodeURIComponent(from.toISOString().slice(0, 19) + 'Z'), authed()));
    const closed = d.reduce((s, r) => s + Number(r.closed || 0), 0);
    historyRate = closed ? d.reduce((s, r) => s + Number(r.closed_on_time || 0), 0) / closed : null;
    renderCounters();
  } catch {
    historyRate = null;
  }
}

function renderList() {
  const list = document.getElementById('list');
  const items = visibleIncidents()
    .sort((a, b) => (a.reported < b.reported ? 1 : -1))
    .slice(0, 50);
  document.getElementById('list-count').textContent = live?.mode === 'incidents' ? String(visibleIncidents().length) : '';
  list.replaceChildren(
    ...items.map((inc) =>
      el('li', { class: (overdue(inc) ? 'late ' : '') + (inc.id === selected ? 'sel' : ''), dataset: { id: inc.id }, onclick: () => openIncident(inc.id) },
        el('b', {}, named(c.byCat.get(inc.category)) || inc.category_name || inc.category),
        el('span', { class: 'badge' }, statusName(inc.status)),
        el('small', {}, fmtTime(inc.reported), ' · ', named(c.byArea.get(inc.area_id)) || inc.area_id)),
    ),
  );
  if (!items.length) list.append(el('li', { class: 'muted', id: 'list-hint' }, live?.mode === 'cells' ? (live.view === 'public' ? '' : t('zoomIn')) : t('none')));
}

// openIncident shows an incident and its timeline of transitions.
async function openIncident(id) {
  selected = id;
  render();
  const inc = live.incidents.get(id);
  const box = document.getElementById('detail');
  box.hidden = false;
  const timeline = el('ol', { id: 'timeline', class: 'timeline' }, el('li', { class: 'muted' }, t('loading')));
  box.replaceChildren(
    el('header', {}, el('h2', {}, t('detail'), ' ', id), el('button', { type: 'button', id: 'detail-close', onclick: closeDetail }, '×')),
    inc
      ? el('dl', {},
          el('dt', {}, t('category')), el('dd', {}, named(c.byCat.get(inc.category)) || inc.category),
          el('dt', {}, t('status')), el('dd', { id: 'detail-status' }, statusName(inc.status)),
          el('dt', {}, t('department')), el('dd', {}, named(c.byDept.get(inc.department_id)) || inc.department_id || '–'),
          el('dt', {}, t('area')), el('dd', {}, named(c.byArea.get(inc.area_id)) || inc.area_id),
          el('dt', {}, t('severity')), el('dd', {}, String(inc.severity)),
          el('dt', {}, t('reported')), el('dd', {}, fmtTime(inc.reported)),
          el('dt', {}, t('deadline')), el('dd', { class: overdue(inc) ? 'late' : '' }, fmtTime(inc.deadline)),
          inc.text ? [el('dt', {}, t('text')), el('dd', {}, inc.text)] : null)
      : null,
    el('h3', {}, t('timeline')),
    timeline,
  );
  const dev = inc && deviceOf(inc);
  if (dev) {
    const chart = el('div', { id: 'device-chart' });
    box.append(el('h3', {}, t('device'), ' ', el('a', { href: '#', onclick: (ev) => (ev.preventDefault(), openDevice(dev.id)) }, dev.id), ' · ', t('last24h')), chart);
    if (sessionStorage.getItem(tokenKey)) deviceChart(chart, dev);
  }
  try {
    let trail = [];
    try {
      trail = rows(await getJSON('/api/v1/history/incidents/' + encodeURIComponent(id) + '/transitions', authed()));
    } catch (err) {
      if (err.status !== 404) throw err; // 404: no transitions yet (or none this token may read)
    }
    if (selected !== id) return;
    timeline.replaceChildren(
      ...trail.map((r) =>
        el('li', {}, el('time', {}, fmtTime(r.time)), ' ', el('b', {}, statusName(r.from_status), ' → ', statusName(r.to_status)), ' ',
          el('small', {}, r.actor, r.department_id ? ' · ' + (named(c.byDept.get(r.department_id)) || r.department_id) : '', r.reason ? ' · ' + r.reason : '')),
      ),
    );
    if (!trail.length) timeline.replaceChildren(el('li', { class: 'muted' }, t('noTimeline')));
  } catch (err) {
    timeline.replaceChildren(el('li', { class: 'error' }, t('error') + ': ' + err.message));
  }
}

function closeDetail() {
  selected = '';
  document.getElementById('detail').hidden = true;
  render();
}

function showConn(s) {
  const banner = document.getElementById('banner');
  const dot = document.getElementById('conn');
  dot.className = 'conn ' + (s.up ? 'up' : 'down');
  dot.title = s.up ? t('live') : t('down');
  if (s.up) {
    connNote = s.again ? 'reconnected' : 'live';
    if (s.again) {
      banner.textContent = t('reconnected');
      banner.className = 'banner ok';
      banner.hidden = false;
      setTimeout(() => (banner.hidden = true), 4000);
    } else banner.hidden = true;
  } else {
    connNote = 'down';
    banner.textContent = s.reason === 'unauthorized' ? t('badToken') : t('reconnecting', { s: Math.ceil((s.retryIn || 0) / 1000) });
    banner.className = 'banner bad';
    banner.hidden = false;
  }
}

function subscribe() {
  const b = map.getBounds();
  live.subscribe([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, x))), map.getZoom(), filters);
}

function buildFilters() {
  const box = document.getElementById('filters');
  const sel = (key, options) => {
    // The public view takes no filters: it is sent counts of whole cells.
    const signedOut = !sessionStorage.getItem(tokenKey);
    const s = el('select', { id: 'f-' + key, name: key, disabled: signedOut, title: signedOut ? t('publicNoFilters') : null },
      el('option', { value: '' }, t('all')),
      options.map(([v, label]) => el('option', { value: v, selected: filters[key][0] === v }, label)));
    s.addEventListener('change', () => {
      filters[key] = s.value ? [s.value] : [];
      subscribe();
      render();
    });
    return el('label', {}, el('span', {}, t(key)), s);
  };
  box.replaceChildren(
    sel('category', c.categories.map((k) => [k.code, named(k) || k.code])),
    sel('status', statuses.map((s) => [s, statusName(s)])),
    sel('department', c.departments.map((d) => [d.id, named(d)])),
    sel('source', [['hotline', t('hotline')], ['iot', t('iot')]]),
  );
}

// authed returns fetch options that send the signed-in token.
function authed() {
  return { headers: { Authorization: 'Bearer ' + (sessionStorage.getItem(tokenKey) || '') } };
}

function mountToken() {
  const extra = document.getElementById('nav-extra');
  const token = sessionStorage.getItem(tokenKey) || '';
  const input = el('input', { id: 'map-token', type: 'password', placeholder: t('token'), value: token, size: 14, autocomplete: 'off' });
  const go = el('button', { type: 'button', id: 'map-signin' }, token ? t('signOut') : t('signIn'));
  go.addEventListener('click', () => {
    if (token) sessionStorage.removeItem(tokenKey);
    else sessionStorage.setItem(tokenKey, input.value.trim());
    location.reload();
  });
  extra.replaceChildren(...(token ? [] : [input]), go);
}

function rerender() {
  buildFilters();
  mountToken();
  translate(document.getElementById('panel'));
  render();
  if (selected) openIncident(selected);
}

async function main() {
  mountNav('map', rerender);
  c = await city();
  mountToken();
  buildFilters();
  translate(document.getElementById('panel'));
  ({ map, overlay } = await newBaseMap(document.getElementById('map'), c));
  live = new Live(sessionStorage.getItem(tokenKey) || '', {
    onState: render,
    onCounters: (m) => {
      counters = m;
      renderCounters();
    },
    onConn: showConn,
  });
  let moveTimer = 0;
  map.on('moveend', () => {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => {
      subscribe();
      render();
    }, 150);
  });
  subscribe();
  render();
  loadHistoryRate();
  setInterval(loadHistoryRate, 60000);
  loadLatest();
  setInterval(loadLatest, 60000);
  setInterval(renderCounters, 5000);
  test.ready = true;
}

main();
