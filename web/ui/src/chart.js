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
