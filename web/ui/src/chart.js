// chart: a small SVG line chart, one line per series; enough for trends
// without a charting library.
const palette = ['#4fc3f7', '#ffb74d', '#81c784', '#e57373', '#ba68c8', '#fff176', '#4db6ac', '#f06292', '#90a4ae', '#aed581'];
const ns = 'http://www.w3.org/2000/svg';

function node(tag, attrs, text) {
  const n = document.createElementNS(ns, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
}

// lineChart draws series {name: [[xLabel, y], ...]} over the x labels xs.
export function lineChart(xs, series, { width = 720, height = 260 } = {}) {
  const pad = { l: 40, r: 10, t: 10, b: 40 };
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  const names = Object.keys(series);
  const max = Math.max(1, ...names.flatMap((n) => series[n].map((p) => p[1])));
  const x = (i) => pad.l + (xs.length < 2 ? (width - pad.l - pad.r) / 2 : (i * (width - pad.l - pad.r)) / (xs.length - 1));
  const y = (v) => height - pad.b - (v * (height - pad.t - pad.b)) / max;
  svg.append(node('line', { x1: pad.l, y1: y(0), x2: width - pad.r, y2: y(0), class: 'axis' }));
  for (const v of [0, max / 2, max]) svg.append(node('text', { x: pad.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(Math.round(v))));
  const step = Math.max(1, Math.ceil(xs.length / 8));
  xs.forEach((label, i) => {
    if (i % step === 0) svg.append(node('text', { x: x(i), y: height - pad.b + 14, 'text-anchor': 'middle', class: 'tick' }, label));
  });
  const index = new Map(xs.map((l, i) => [l, i]));
  const legendY = height - 8;
  let legendX = pad.l;
  names.forEach((name, k) => {
    const color = palette[k % palette.length];
    const pts = series[name].map(([l, v]) => [x(index.get(l)), y(v)]);
    svg.append(node('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: color, 'stroke-width': 2, class: 'series', 'data-name': name }));
    for (const [px, py] of pts) svg.append(node('circle', { cx: px, cy: py, r: 3, fill: color }));
    const label = name.length > 14 ? name.slice(0, 13) + '…' : name;
    svg.append(node('text', { x: legendX, y: legendY, fill: color, class: 'legend' }, label));
    legendX += 12 + label.length * 8;
  });
  return svg;
}

// seriesChart draws a sensor's series over time: points [{t: ms, min, max,
// avg}] as a band from min to max with the mean as a line, and limits
// [{value, label, kind}] (an alarm's raise and clear values) as dashed lines.
// from and to (ms) set the time axis; by default it spans the points.
export function seriesChart(points, limits = [], { width = 720, height = 220, unit = '', from, to } = {}) {
  const pad = { l: 46, r: 10, t: 10, b: 24 };
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart series-chart', role: 'img', 'data-points': points.length });
  const vals = points.flatMap((p) => [p.min, p.max]).concat(limits.map((l) => l.value)).filter(Number.isFinite);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!vals.length) (lo = 0), (hi = 1);
  if (hi === lo) (hi += 1), (lo -= 1);
  const t0 = from ?? (points.length ? points[0].t : 0), t1 = to ?? (points.length ? points[points.length - 1].t : 1);
  const x = (t) => pad.l + ((t - t0) * (width - pad.l - pad.r)) / Math.max(1, t1 - t0);
  const y = (v) => height - pad.b - ((v - lo) * (height - pad.t - pad.b)) / (hi - lo);
  svg.append(node('line', { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: 'axis' }));
  for (const v of [lo, (lo + hi) / 2, hi]) svg.append(node('text', { x: pad.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, +v.toPrecision(3) + (v === hi ? ' ' + unit : '')));
  for (let i = 0; i < 5 && t1 > t0; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    const d = new Date(t);
    const label = t1 - t0 > 2 * 86400000 ? d.toLocaleDateString() : d.toTimeString().slice(0, 5);
    svg.append(node('text', { x: x(t), y: height - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'tick' }, label));
  }
  if (points.length) {
    const band = points.map((p) => `${x(p.t)},${y(p.max)}`).concat(points.slice().reverse().map((p) => `${x(p.t)},${y(p.min)}`));
    svg.append(node('polygon', { points: band.join(' '), fill: palette[0], opacity: 0.2, class: 'band' }));
    svg.append(node('polyline', { points: points.map((p) => `${x(p.t)},${y(p.avg)}`).join(' '), fill: 'none', stroke: palette[0], 'stroke-width': 1.5, class: 'series' }));
  }
  for (const l of limits) {
    const color = l.kind === 'clear' ? palette[2] : palette[3];
    svg.append(node('line', { x1: pad.l, x2: width - pad.r, y1: y(l.value), y2: y(l.value), stroke: color, 'stroke-dasharray': '6 4', class: 'limit', 'data-value': l.value }));
    svg.append(node('text', { x: width - pad.r - 2, y: y(l.value) - 3, 'text-anchor': 'end', fill: color, class: 'legend' }, l.label));
  }
  return svg;
}
