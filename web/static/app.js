// The cityops live map: city areas and open incidents on a canvas, counters
// and the latest incidents beside it, fed by /ws/live (see web/PROTOCOL.md).
"use strict";

(() => {
  // ---- labels -----------------------------------------------------------

  const LABELS = {
    zh: {
      open: "在办事件", overdue: "超期", byStatus: "按状态", byCategory: "按类别",
      latest: "最新事件", legend: "图例", fit: "全城",
      legendHex: "H3 网格（约 0.1 km²）：填色为状态，描边为类别",
      legendDistrict: "区界", legendStreet: "街道/镇界",
      live: "实时", connecting: "连接中…", retry: (s) => `重连中 · ${s} 秒`, tries: (n) => `第 ${n} 次重连`,
      lost: "实时连接已断开，地图数据可能已过时", none: "暂无在办事件",
      loadFailed: "无法加载城市数据，正在重试…", other: "其他", unclassified: "未分类",
      status: {
        reported: "上报", registered: "立案", dispatched: "已派遣", accepted: "已受理",
        in_progress: "处置中", resolved: "已处置", verified: "已核查", overdue: "超期",
        closed: "结案", cancelled: "作废",
      },
      deadline: "时限", severity: "等级", dept: "部门",
    },
    en: {
      open: "Open incidents", overdue: "Overdue", byStatus: "By status", byCategory: "By category",
      latest: "Latest incidents", legend: "Legend", fit: "Whole city",
      legendHex: "H3 cell (~0.1 km²): fill is status, outline is category",
      legendDistrict: "District boundary", legendStreet: "Street / town boundary",
      live: "Live", connecting: "Connecting…", retry: (s) => `Reconnecting · ${s}s`, tries: (n) => `attempt ${n}`,
      lost: "Live connection lost: the map may be out of date", none: "No open incidents",
      loadFailed: "Cannot load the city, retrying…", other: "Other", unclassified: "Unclassified",
      status: {
        reported: "Reported", registered: "Registered", dispatched: "Dispatched", accepted: "Accepted",
        in_progress: "In progress", resolved: "Resolved", verified: "Verified", overdue: "Overdue",
        closed: "Closed", cancelled: "Cancelled",
      },
      deadline: "Deadline", severity: "Severity", dept: "Department",
    },
  };

  // Open statuses in loop order, then overdue, which overrides them.
  const STATUSES = ["reported", "registered", "dispatched", "accepted", "in_progress", "resolved", "verified", "overdue"];
  const STATUS_COLOR = {
    reported: "#9aa8b8", registered: "#f2d45c", dispatched: "#ff9a1f", accepted: "#3d8bfd",
    in_progress: "#a66cff", resolved: "#2ec27e", verified: "#1fc9b4", overdue: "#ff3b3b",
  };
  const CATEGORY_COLOR = [
    "#ffffff", "#4cc9f0", "#ffd6a5", "#f72585", "#b9fbc0", "#ffafcc",
    "#fdffb6", "#9bf6ff", "#cdb4db", "#ff9f9f", "#caffbf", "#a0c4ff",
  ];

  // ?lang=en|zh sets the language of a wall screen; the toggle remembers a choice.
  const params = new URLSearchParams(location.search);
  let lang = (params.get("lang") || localStorage.getItem("cityops.lang")) === "en" ? "en" : "zh";
  const L = () => LABELS[lang];
  const $ = (id) => document.getElementById(id);

  // ---- state ------------------------------------------------------------

  const city = { name: "cityops", bbox: undefined, areas: new Map(), departments: new Map(), categories: new Map(), order: new Map(), tz: undefined };
  const features = []; // {level, name, name_en, path: Path2D, label: [x, y], box: [minx, miny, maxx, maxy]}
  const incidents = new Map(); // id -> incident with .poly (world), .cx, .cy, .seen
  const flashes = new Map(); // id -> time a change arrived
  let world = null; // projection: {lon0, lat0, k}
  let extent = null; // world bbox [minx, miny, maxx, maxy]

  // ---- projection and view ------------------------------------------------

  // An equirectangular projection scaled by cos(latitude) at the city's
  // centre: exact enough at city scale, and cheap.
  function project(lat, lon) {
    return [(lon - world.lon0) * world.k, -(lat - world.lat0)];
  }

  const canvas = $("map");
  const ctx = canvas.getContext("2d");
  const view = { s: 1, tx: 0, ty: 0, fit: 1, fitted: false };
  let dpr = 1;

  function resize() {
    dpr = window.devicePixelRatio || 1;
    const r = canvas.getBoundingClientRect();
    const keep = canvas.width > 0 && extent ? screenToWorld(canvas.width / dpr / 2, canvas.height / dpr / 2) : null;
    canvas.width = Math.round(r.width * dpr);
    canvas.height = Math.round(r.height * dpr);
    if (!extent) return;
    const w = r.width, h = r.height;
    view.fit = 0.92 * Math.min(w / (extent[2] - extent[0]), h / (extent[3] - extent[1]));
    if (keep && view.fitted) {
      view.tx = w / 2 - keep[0] * view.s;
      view.ty = h / 2 - keep[1] * view.s;
    } else {
      if (!viewFromHash()) fitView();
      view.fitted = true;
    }
    draw();
  }

  function fitView() {
    const r = canvas.getBoundingClientRect();
    view.s = view.fit;
    view.tx = r.width / 2 - ((extent[0] + extent[2]) / 2) * view.s;
    view.ty = r.height / 2 - ((extent[1] + extent[3]) / 2) * view.s;
  }

  // The view is kept in the address as #lat,lon,zoom, so a screen can be
  // pointed at one part of the city and keeps it across reloads.
  function viewFromHash() {
    const [lat, lon, z] = location.hash.slice(1).split(",").map(Number);
    if (!isFinite(lat) || !isFinite(lon) || !(z > 0)) return false;
    const r = canvas.getBoundingClientRect();
    const [x, y] = project(lat, lon);
    view.s = view.fit * z;
    view.tx = r.width / 2 - x * view.s;
    view.ty = r.height / 2 - y * view.s;
    return true;
  }
  let hashTimer = 0;
  function viewToHash() {
    clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      const r = canvas.getBoundingClientRect();
      const [x, y] = screenToWorld(r.width / 2, r.height / 2);
      const lat = world.lat0 - y, lon = world.lon0 + x / world.k;
      history.replaceState(null, "", "#" + [lat.toFixed(5), lon.toFixed(5), (view.s / view.fit).toFixed(2)].join(","));
    }, 300);
  }

  const screenToWorld = (x, y) => [(x - view.tx) / view.s, (y - view.ty) / view.s];
  const worldToScreen = (x, y) => [x * view.s + view.tx, y * view.s + view.ty];

  function zoomAt(x, y, factor) {
    const s = Math.min(view.fit * 600, Math.max(view.fit * 0.5, view.s * factor));
    const [wx, wy] = screenToWorld(x, y);
    view.s = s;
    view.tx = x - wx * s;
    view.ty = y - wy * s;
    viewToHash();
    draw();
  }

  // ---- drawing ------------------------------------------------------------

  let drawQueued = false;
  function draw() {
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame(render);
  }

  function render(now) {
    drawQueued = false;
    const W = canvas.width / dpr, H = canvas.height / dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#0b1017";
    ctx.fillRect(0, 0, W, H);
    if (!world) return;

    drawAreas();
    drawIncidents(now);
    drawLabels(W, H);
    if (flashes.size > 0) draw(); // keep animating while changes flash
  }

  function drawAreas() {
    ctx.setTransform(dpr * view.s, 0, 0, dpr * view.s, dpr * view.tx, dpr * view.ty);
    ctx.lineJoin = "round";
    for (const f of features) {
      if (f.level === "district" || f.level === "city") {
        ctx.fillStyle = "rgba(120, 160, 200, 0.035)";
        ctx.fill(f.path, "evenodd");
      }
    }
    for (let i = features.length - 1; i >= 0; i--) { // smaller areas first: district lines stay on top
      const f = features[i];
      const st = LINE[f.level] || LINE.street;
      ctx.strokeStyle = st.color;
      ctx.lineWidth = st.width / view.s;
      ctx.stroke(f.path);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }
  const LINE = {
    city: { color: "#a9c1da", width: 3 },
    district: { color: "#8aa4c0", width: 2.2 },
    street: { color: "rgba(110, 132, 156, 0.5)", width: 0.8 },
    grid: { color: "rgba(110, 132, 156, 0.3)", width: 0.5 },
  };

  function drawIncidents(now) {
    const list = [...incidents.values()].sort((a, b) => a.severity - b.severity || (a.seen - b.seen));
    for (const inc of list) {
      const [sx, sy] = worldToScreen(inc.cx, inc.cy);
      if (sx < -40 || sy < -40 || sx > canvas.width / dpr + 40 || sy > canvas.height / dpr + 40) continue;
      ctx.beginPath();
      if (inc.poly && inc.r * view.s >= 7) {
        inc.poly.forEach(([x, y], i) => {
          const [px, py] = worldToScreen(x, y);
          i ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
        });
      } else {
        const r = 6 + Math.max(0, inc.severity - 2); // a symbol of fixed size when the cell is too small to see
        for (let i = 0; i < 6; i++) {
          const a = Math.PI / 6 + (i * Math.PI) / 3;
          const px = sx + r * Math.cos(a), py = sy + r * Math.sin(a);
          i ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
        }
      }
      ctx.closePath();
      ctx.fillStyle = STATUS_COLOR[displayStatus(inc)] || STATUS_COLOR.reported;
      ctx.globalAlpha = 0.9;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = categoryColor(inc.category);
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    // A ring spreads from each change for two seconds.
    for (const [id, t0] of flashes) {
      const inc = incidents.get(id);
      const age = (now - t0) / 2000;
      if (!inc || age >= 1 || age < 0) {
        if (age >= 1 || !inc) flashes.delete(id);
        continue;
      }
      const [sx, sy] = worldToScreen(inc.cx, inc.cy);
      ctx.beginPath();
      ctx.arc(sx, sy, 8 + 30 * age, 0, 2 * Math.PI);
      ctx.strokeStyle = STATUS_COLOR[displayStatus(inc)] || "#fff";
      ctx.globalAlpha = 1 - age;
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }

  // Names at the areas' label points: districts always, streets once their
  // area is large enough on screen; a name that would overlap another is left out.
  function drawLabels(W, H) {
    const placed = [];
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    const order = [...features].sort((a, b) => rank(a.level) - rank(b.level));
    for (const f of order) {
      if (!f.label) continue;
      const wpx = (f.box[2] - f.box[0]) * view.s;
      const major = f.level === "district" || f.level === "city";
      if (f.level === "city" || (!major && wpx < 110) || (major && wpx < 30)) continue;
      const [x, y] = worldToScreen(f.label[0], f.label[1]);
      if (x < 0 || y < 0 || x > W || y > H) continue;
      const text = lang === "en" && f.name_en ? f.name_en : f.name;
      if (!text) continue;
      ctx.font = major ? "600 14px " + FONT : "12px " + FONT;
      const tw = ctx.measureText(text).width, th = major ? 16 : 14;
      const box = [x - tw / 2 - 3, y - th / 2, x + tw / 2 + 3, y + th / 2];
      if (placed.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
      placed.push(box);
      ctx.strokeStyle = "rgba(11, 16, 23, 0.9)";
      ctx.lineWidth = 3;
      ctx.strokeText(text, x, y);
      ctx.fillStyle = major ? "#c5d3e2" : "#8596a8";
      ctx.fillText(text, x, y);
    }
  }
  const rank = (level) => ({ city: 0, district: 1, street: 2 })[level] ?? 3;
  const FONT = getComputedStyle(document.documentElement).getPropertyValue("--font") || "sans-serif";

  // ---- incidents ------------------------------------------------------------

  function displayStatus(inc) {
    if (inc.deadlineMs && Date.now() > inc.deadlineMs) return "overdue";
    return inc.status;
  }

  function categoryColor(code) {
    const i = city.order.get(code);
    if (i === undefined) return "#6b7b8c";
    return CATEGORY_COLOR[i % CATEGORY_COLOR.length];
  }

  // place adds the projected cell and label point to an incident from the wire.
  function place(inc) {
    inc.seen = Date.now();
    const d = Date.parse(inc.deadline);
    inc.deadlineMs = d > 0 ? d : 0; // Go's zero time parses to a negative number
    if (Array.isArray(inc.hex) && inc.hex.length > 2) {
      inc.poly = inc.hex.map(([lat, lon]) => project(lat, lon));
      inc.cx = inc.poly.reduce((s, p) => s + p[0], 0) / inc.poly.length;
      inc.cy = inc.poly.reduce((s, p) => s + p[1], 0) / inc.poly.length;
      inc.r = Math.hypot(inc.poly[0][0] - inc.cx, inc.poly[0][1] - inc.cy);
    } else {
      [inc.cx, inc.cy] = project(inc.lat, inc.lon);
      inc.poly = null;
      inc.r = 0;
    }
    return inc;
  }

  const isOpen = (s) => s !== "closed" && s !== "cancelled";

  function onSnapshot(list) {
    incidents.clear();
    flashes.clear();
    for (const inc of list || []) incidents.set(inc.id, place(inc));
    freshIDs.clear();
    renderPanel();
    draw();
  }

  function onChange(inc) {
    const old = incidents.get(inc.id);
    if (old && old.version > inc.version && inc.version !== 0) return;
    if (isOpen(inc.status)) {
      incidents.set(inc.id, place(inc));
    } else {
      incidents.delete(inc.id);
    }
    flashes.set(inc.id, performance.now());
    freshIDs.add(inc.id);
    changed();
  }

  // ---- panel ----------------------------------------------------------------

  const freshIDs = new Set();
  let panelQueued = false;
  function changed() {
    draw();
    if (panelQueued) return;
    panelQueued = true;
    setTimeout(renderPanel, 250); // many changes at once make one redraw
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function bars(ul, rows, max) {
    ul.replaceChildren(...rows.map((r) => {
      const li = el("li", r.n === 0 ? "zero" : "");
      const sw = el("span", "sw" + (r.ring ? " ring" : ""));
      if (r.ring) sw.style.borderColor = r.color; else sw.style.background = r.color;
      const label = el("span", "label");
      const bar = el("i", "bar");
      bar.style.background = r.color;
      bar.style.width = (max > 0 ? (100 * r.n) / max : 0) + "%";
      label.append(bar, el("span", "", r.label));
      li.append(sw, label, el("span", "n", String(r.n)));
      return li;
    }));
  }

  function renderPanel() {
    panelQueued = false;
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    const byCat = new Map();
    for (const inc of incidents.values()) {
      const s = displayStatus(inc);
      byStatus[s] = (byStatus[s] || 0) + 1;
      byCat.set(inc.category, (byCat.get(inc.category) || 0) + 1);
    }
    $("n-open").textContent = String(incidents.size);
    $("n-overdue").textContent = String(byStatus.overdue);

    const smax = Math.max(0, ...Object.values(byStatus));
    bars($("by-status"), STATUSES.map((s) => ({ label: L().status[s], n: byStatus[s], color: STATUS_COLOR[s] })), smax);

    const cats = [...byCat.entries()].sort((a, b) => b[1] - a[1]);
    const top = cats.slice(0, 7).map(([code, n]) => ({ label: categoryName(code), n, color: categoryColor(code), ring: true }));
    const rest = cats.slice(7).reduce((s, [, n]) => s + n, 0);
    if (rest > 0) top.push({ label: L().other, n: rest, color: "#6b7b8c", ring: true });
    bars($("by-category"), top, Math.max(0, ...top.map((r) => r.n)));
    if (top.length === 0) $("by-category").replaceChildren(el("li", "empty", "—"));

    const latest = [...incidents.values()].sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated)).slice(0, 40);
    const ol = $("latest");
    if (latest.length === 0) {
      ol.replaceChildren(el("li", "empty", L().none));
    } else {
      ol.replaceChildren(...latest.map((inc) => {
        const li = el("li", freshIDs.has(inc.id) ? "fresh" : "");
        const s = displayStatus(inc);
        const chip = el("span", "chip", L().status[s] || s);
        chip.style.background = STATUS_COLOR[s] || STATUS_COLOR.reported;
        li.append(
          el("time", "", clock(inc.updated)),
          el("span", "what", categoryName(inc.category, inc.category_name)),
          chip,
          el("span", "where", [areaName(inc), deptName(inc.department_id)].filter(Boolean).join(" · ")),
        );
        return li;
      }));
    }
    freshIDs.clear();
  }

  function localName(o) {
    if (!o) return "";
    return lang === "en" && o.name_en ? o.name_en : o.name;
  }
  const categoryName = (code, fallback) => localName(city.categories.get(code)) || fallback || code || L().unclassified;
  const deptName = (id) => localName(city.departments.get(id)) || id || "";
  function areaName(inc) {
    const a = city.areas.get(inc.area_id);
    const d = city.areas.get(inc.district_id);
    if (a && d && a !== d) return localName(d) + " " + localName(a);
    return localName(a || d) || inc.area_id || "";
  }

  let timeFmt = null;
  function makeFormats() {
    const loc = lang === "en" ? "en-GB" : "zh-CN";
    try {
      timeFmt = new Intl.DateTimeFormat(loc, { hour: "2-digit", minute: "2-digit", timeZone: city.tz });
      clockFmt = new Intl.DateTimeFormat(loc, { dateStyle: "medium", timeStyle: "medium", timeZone: city.tz });
    } catch {
      timeFmt = new Intl.DateTimeFormat(loc, { hour: "2-digit", minute: "2-digit" });
      clockFmt = new Intl.DateTimeFormat(loc, { dateStyle: "medium", timeStyle: "medium" });
    }
  }
  let clockFmt = null;
  const clock = (iso) => {
    const t = Date.parse(iso);
    return t > 0 ? timeFmt.format(t) : "";
  };

  // ---- tooltip --------------------------------------------------------------

  function nearest(x, y) {
    let best = null, bd = 14 * 14;
    for (const inc of incidents.values()) {
      const [sx, sy] = worldToScreen(inc.cx, inc.cy);
      const r = Math.max(8, inc.r * view.s);
      const d = (sx - x) ** 2 + (sy - y) ** 2;
      if (d < Math.max(bd, r * r) && (best === null || d < bd)) {
        best = inc;
        bd = d;
      }
    }
    return best;
  }

  function showTip(x, y) {
    const tip = $("tip");
    const inc = nearest(x, y);
    if (!inc) {
      tip.hidden = true;
      return;
    }
    const s = displayStatus(inc);
    const lines = [
      [areaName(inc), "muted"],
      [L().status[s] + " · " + L().dept + ": " + deptName(inc.department_id)],
      [L().severity + " " + inc.severity + (inc.deadlineMs ? " · " + L().deadline + " " + clock(inc.deadline) : "")],
    ];
    if (inc.text) lines.push([inc.text, "muted"]);
    tip.replaceChildren(el("b", "", categoryName(inc.category, inc.category_name)), ...lines.map(([t, c]) => el("div", c || "", t)));
    tip.hidden = false;
    const r = canvas.getBoundingClientRect();
    tip.style.left = Math.min(x + 14, r.width - tip.offsetWidth - 8) + "px";
    tip.style.top = Math.min(y + 14, r.height - tip.offsetHeight - 8) + "px";
  }

  // ---- input ----------------------------------------------------------------

  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, tx: view.tx, ty: view.ty };
    canvas.setPointerCapture(e.pointerId);
    canvas.classList.add("dragging");
    $("tip").hidden = true;
  });
  canvas.addEventListener("pointermove", (e) => {
    if (drag) {
      view.tx = drag.tx + e.clientX - drag.x;
      view.ty = drag.ty + e.clientY - drag.y;
      viewToHash();
      draw();
    } else {
      const r = canvas.getBoundingClientRect();
      showTip(e.clientX - r.left, e.clientY - r.top);
    }
  });
  const endDrag = () => {
    drag = null;
    canvas.classList.remove("dragging");
  };
  canvas.addEventListener("pointerup", endDrag);
  canvas.addEventListener("pointercancel", endDrag);
  canvas.addEventListener("pointerleave", () => ($("tip").hidden = true));
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)));
  }, { passive: false });
  canvas.addEventListener("dblclick", (e) => {
    const r = canvas.getBoundingClientRect();
    zoomAt(e.clientX - r.left, e.clientY - r.top, 2);
  });
  const zoomCenter = (f) => {
    const r = canvas.getBoundingClientRect();
    zoomAt(r.width / 2, r.height / 2, f);
  };
  $("zoom-in").onclick = () => zoomCenter(1.6);
  $("zoom-out").onclick = () => zoomCenter(1 / 1.6);
  $("zoom-home").onclick = () => {
    if (!extent) return;
    fitView();
    history.replaceState(null, "", location.pathname + location.search);
    draw();
  };
  window.addEventListener("keydown", (e) => {
    if (e.key === "+" || e.key === "=") zoomCenter(1.6);
    else if (e.key === "-") zoomCenter(1 / 1.6);
    else if (e.key === "0") $("zoom-home").click();
  });
  window.addEventListener("resize", resize);

  // ---- language -------------------------------------------------------------

  function applyLang() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = L()[e.dataset.i18n];
    for (const e of document.querySelectorAll("[data-i18n-title]")) e.title = L()[e.dataset.i18nTitle];
    $("lang").textContent = lang === "en" ? "中文" : "EN";
    const name = lang === "en" && city.name_en ? city.name_en : city.name;
    $("city-name").textContent = name;
    document.title = name + " · cityops";
    makeFormats();
    tick();
    showConn();
    renderPanel();
    draw();
  }
  $("lang").onclick = () => {
    lang = lang === "en" ? "zh" : "en";
    localStorage.setItem("cityops.lang", lang);
    applyLang();
  };

  function tick() {
    if (clockFmt) $("clock").textContent = clockFmt.format(Date.now());
  }
  setInterval(tick, 1000);
  setInterval(() => { renderPanel(); draw(); }, 30000); // deadlines pass without messages

  // ---- connection -----------------------------------------------------------

  const conn = { state: "connecting", tries: 0, retryAt: 0, since: Date.now() };

  function showConn() {
    const pill = $("conn"), text = $("conn-text"), banner = $("banner");
    pill.className = "conn " + (conn.state === "live" ? "live" : conn.state === "retry" ? "retry" : "down");
    pill.title = conn.tries > 0 ? L().tries(conn.tries) : "";
    if (conn.state === "live") {
      text.textContent = L().live;
    } else if (conn.state === "retry") {
      text.textContent = L().retry(Math.max(0, Math.ceil((conn.retryAt - Date.now()) / 1000)));
    } else {
      text.textContent = L().connecting;
    }
    // A wall screen must not show old data as if it were live.
    const lost = conn.state !== "live" && Date.now() - conn.since > 3000;
    banner.hidden = !lost && !loadError;
    banner.textContent = loadError ? L().loadFailed : L().lost;
  }
  setInterval(showConn, 1000);

  function connect() {
    conn.state = conn.tries > 0 ? "retry" : "connecting";
    // ?token= opens the center's or a department's view; without one the
    // server sends H3 cell counts only, which this page does not draw.
    const token = params.get("token");
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live" +
      (token ? "?token=" + encodeURIComponent(token) : ""));
    ws.onopen = () => {
      // The whole city at street zoom: single incidents (PROTOCOL.md).
      ws.send(JSON.stringify({ type: "subscribe", bbox: city.bbox, zoom: 12 }));
      conn.state = "live";
      conn.tries = 0;
      showConn();
    };
    ws.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (m.type === "snapshot") onSnapshot(m.incidents);
      else if (m.type === "upsert" && m.incident) onChange(m.incident);
      else if (m.type === "remove" && incidents.delete(m.id)) changed();
    };
    ws.onclose = () => {
      if (conn.state === "live") conn.since = Date.now();
      conn.tries++;
      // Exponential backoff with jitter, so that screens do not all come back at once.
      const delay = Math.min(30000, 1000 * 2 ** Math.min(conn.tries - 1, 5)) * (0.5 + Math.random() / 2);
      conn.state = "retry";
      conn.retryAt = Date.now() + delay;
      showConn();
      setTimeout(connect, delay);
    };
  }

  // ---- start ----------------------------------------------------------------

  let loadError = false;

  async function load() {
    for (let tries = 0; ; tries++) {
      try {
        const [c, g] = await Promise.all([fetchJSON("/api/v1/city"), fetchJSON("/api/v1/city/areas.geojson")]);
        loadError = false;
        return [c, g];
      } catch (err) {
        loadError = true;
        showConn();
        await new Promise((r) => setTimeout(r, Math.min(30000, 1000 * 2 ** tries)));
      }
    }
  }

  async function fetchJSON(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ": " + r.status);
    return r.json();
  }

  function setCity(c, geo) {
    city.name = c.name;
    city.name_en = c.name_en;
    city.tz = c.time_zone || undefined;
    for (const a of c.areas || []) city.areas.set(a.id, a);
    for (const d of c.departments || []) city.departments.set(d.id, d);
    (c.categories || []).forEach((k, i) => {
      city.categories.set(k.code, k);
      city.order.set(k.code, i);
    });

    let [minLon, minLat, maxLon, maxLat] = c.bbox || [0, 0, 0, 0];
    if (!(maxLon > minLon && maxLat > minLat)) [minLon, minLat, maxLon, maxLat] = geoBounds(geo);
    city.bbox = [minLon, minLat, maxLon, maxLat];
    const lat0 = (minLat + maxLat) / 2;
    world = { lon0: (minLon + maxLon) / 2, lat0, k: Math.cos((lat0 * Math.PI) / 180) };
    const a = project(maxLat, minLon), b = project(minLat, maxLon);
    extent = [a[0], a[1], b[0], b[1]];

    for (const f of geo.features || []) {
      const p = f.properties || {};
      const polys = polygons(f.geometry);
      if (polys.length === 0) continue;
      const path = new Path2D();
      const box = [Infinity, Infinity, -Infinity, -Infinity];
      let best = null, bestArea = 0;
      for (const rings of polys) {
        rings.forEach((ring, ri) => {
          const pts = ring.map(([lon, lat]) => project(lat, lon));
          pts.forEach(([x, y], i) => {
            i ? path.lineTo(x, y) : path.moveTo(x, y);
            box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y);
            box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y);
          });
          path.closePath();
          if (ri === 0) {
            const c = centroid(pts);
            if (c && c[2] > bestArea) [best, bestArea] = [c, c[2]];
          }
        });
      }
      features.push({ level: p.level || "street", name: p.name, name_en: p.name_en, path, box, label: best });
    }
    // Larger areas underneath, so streets draw over district fills.
    features.sort((x, y) => rank(x.level) - rank(y.level));
  }

  function polygons(g) {
    if (!g) return [];
    if (g.type === "Polygon") return [g.coordinates];
    if (g.type === "MultiPolygon") return g.coordinates;
    return [];
  }

  // centroid of a ring by area, with its area: [x, y, area].
  function centroid(pts) {
    let a = 0, cx = 0, cy = 0;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const f = pts[j][0] * pts[i][1] - pts[i][0] * pts[j][1];
      a += f;
      cx += (pts[j][0] + pts[i][0]) * f;
      cy += (pts[j][1] + pts[i][1]) * f;
    }
    if (a === 0) return null;
    return [cx / (3 * a), cy / (3 * a), Math.abs(a / 2)];
  }

  function geoBounds(geo) {
    const b = [180, 90, -180, -90];
    for (const f of geo.features || []) {
      for (const rings of polygons(f.geometry)) {
        for (const ring of rings) {
          for (const [lon, lat] of ring) {
            b[0] = Math.min(b[0], lon); b[1] = Math.min(b[1], lat);
            b[2] = Math.max(b[2], lon); b[3] = Math.max(b[3], lat);
          }
        }
      }
    }
    return b[2] > b[0] ? b : [-0.1, -0.1, 0.1, 0.1];
  }

  applyLang();
  resize();
  load().then(([c, geo]) => {
    setCity(c, geo);
    applyLang();
    resize();
    connect();
  });
})();
