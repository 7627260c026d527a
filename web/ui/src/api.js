// api: JSON over the server's REST API, and the city it serves.

// getJSON fetches a JSON document; a non-2xx answer throws an Error with the
// server's message and the status in err.status.
export async function getJSON(url, opts = {}) {
  const resp = await fetch(url, opts);
  let body = null;
  try {
    body = await resp.json();
  } catch {
    body = null;
  }
  if (!resp.ok) {
    const err = new Error((body && body.error) || resp.status + ' ' + resp.statusText);
    err.status = resp.status;
    throw err;
  }
  return body;
}

let cityPromise = null;

// city returns GET /api/v1/city with lookup maps added: byArea, byDept, byCat.
export function city() {
  cityPromise ??= getJSON('/api/v1/city').then((c) => {
    c.byArea = new Map(c.areas.map((a) => [a.id, a]));
    c.byDept = new Map(c.departments.map((d) => [d.id, d]));
    c.byCat = new Map(c.categories.map((k) => [k.code, k]));
    return c;
  });
  return cityPromise;
}

// rows turns a history answer {columns, rows} into objects.
export function rows(table) {
  return table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c, r[i]])));
}

// el makes an element with attributes and children (strings become text).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// fmtTime shows a time in the page's locale; zero times show as a dash.
export function fmtTime(s) {
  if (!s || s.startsWith('0001-')) return '–';
  const d = new Date(s);
  return isNaN(d) ? s : d.toLocaleString();
}

// hasDeadline reports whether an RFC 3339 deadline is set.
export function hasDeadline(s) {
  return !!s && !s.startsWith('0001-');
}

// countdown says how long until (or since) a deadline, e.g. "2h 05m".
export function countdown(ms) {
  const a = Math.abs(ms);
  const d = Math.floor(a / 86400000);
  const h = Math.floor((a % 86400000) / 3600000);
  const m = Math.floor((a % 3600000) / 60000);
  const s = Math.floor((a % 60000) / 1000);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

// seriesPoints turns a readings answer (time, type, min, max, avg, count)
// into chart points.
export function seriesPoints(table) {
  return rows(table).map((r) => ({ t: Date.parse(r.time), min: Number(r.min), max: Number(r.max), avg: Number(r.avg), count: Number(r.count) }));
}

// alarmLimits returns the chart lines of the alarms watching metric typ:
// the values they raise and clear at.
export function alarmLimits(c, typ) {
  const out = [];
  for (const a of c.alarms || []) {
    if (!a.types.includes(typ)) continue;
    if (a.raise_at !== null && a.raise_at !== undefined) out.push({ value: a.raise_at, label: a.id + ' ≥ ' + a.raise_at, kind: 'raise' });
    if (a.clear_at !== null && a.clear_at !== undefined) out.push({ value: a.clear_at, label: a.id + ' < ' + a.clear_at, kind: 'clear' });
  }
  return out;
}

// isoSecond is a time as the history routes take it.
export function isoSecond(d) {
  return d.toISOString().slice(0, 19) + 'Z';
}
