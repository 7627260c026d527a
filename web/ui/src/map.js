// map: the operations center's live map. Hexagons (deck.gl H3HexagonLayer)
// show counts by H3 cell, points show single incidents; the panel has the
// counters, filters, the latest incidents and an incident's timeline.
import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { ScatterplotLayer } from '@deck.gl/layers';
import { cellToParent } from 'h3-js';
import { getJSON, city, el, fmtTime, hasDeadline, rows } from './api.js';
import { newBaseMap } from './basemap.js';
import { mountNav } from './nav.js';
import { Live } from './live.js';
import { t, named, statusName, translate } from './i18n.js';

const tokenKey = 'cityops.token';
const statuses = ['reported', 'registered', 'dispatched', 'accepted', 'in_progress', 'resolved', 'verified'];
const severityColor = { 1: [90, 170, 255], 2: [255, 200, 60], 3: [255, 120, 40], 4: [240, 40, 60] };

let c, map, overlay, live;
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
  setInterval(renderCounters, 5000);
  test.ready = true;
}

main();
