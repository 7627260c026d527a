// live: the websocket of the live map (web/PROTOCOL.md, version 2). It keeps
// the state of the current subscription (incidents or H3 cells), reconnects
// with exponential backoff and jitter, and resubscribes after reconnecting.
// A server that speaks version 1 (a snapshot of every open incident, then
// "change" messages, and nothing read from the client) is understood too:
// its incidents are filtered and aggregated by the page.

const heartbeatTimeout = 45000;

export class Live {
  // token: '' for the public view. handlers: onState(live), onCounters(c),
  // onConn({up, retryIn, reason}).
  constructor(token, handlers) {
    this.token = token;
    this.h = handlers;
    this.incidents = new Map();
    this.cells = new Map();
    this.mode = 'incidents';
    this.changes = 0; // messages that changed the state, for pages that only need to know
    this.snapshotSub = '';
    this.res = 9;
    this.protocol = 0;
    this.view = '';
    this.sub = null;
    this.subSeq = 0;
    this.attempt = 0;
    this.everUp = false;
    this.stopped = false;
    this.ws = null;
    this.lastHeard = 0;
    this.watchdog = setInterval(() => this.checkAlive(), 5000);
    this.connect();
  }

  // connect opens the websocket. The token goes in the first message, never
  // in the URL, which proxies and access logs keep (the server refuses it
  // there); the server handles the auth before the subscribe after it.
  connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/ws/live`);
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      this.attempt = 0;
      if (this.token) ws.send(JSON.stringify({ type: 'auth', token: this.token }));
      this.h.onConn({ up: true, again: this.everUp });
      this.everUp = true;
      this.sendSub();
    };
    ws.onmessage = (ev) => {
      this.lastHeard = Date.now();
      // The subscription asks for batches: a frame may hold several
      // messages, one per line.
      for (const line of String(ev.data).split('\n')) {
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        this.handle(m);
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (this.byeReason === 'unauthorized') {
        this.h.onConn({ up: false, reason: 'unauthorized' });
        return;
      }
      // 1 s, 2 s, 4 s ... up to 30 s, each with up to 50% jitter.
      const base = Math.min(30000, 1000 * 2 ** this.attempt++);
      const wait = Math.round(base / 2 + (Math.random() * base) / 2);
      this.h.onConn({ up: false, retryIn: wait, reason: this.byeReason || ev.reason || String(ev.code) });
      this.byeReason = '';
      setTimeout(() => this.connect(), wait);
    };
  }

  // checkAlive closes a connection that has been silent too long.
  checkAlive() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.protocol >= 2 && Date.now() - this.lastHeard > heartbeatTimeout) {
      this.ws.close(4000, 'no heartbeat');
    }
  }

  // subscribe replaces the subscription: bbox [w,s,e,n], zoom, filters {key: [values]}.
  // The public view (no token) takes no filters: it is sent counts of whole
  // cells only.
  subscribe(bbox, zoom, filters) {
    const clean = {};
    if (this.token) for (const [k, v] of Object.entries(filters)) if (v && v.length) clean[k] = v;
    this.sub = { type: 'subscribe', id: 's' + ++this.subSeq, bbox: bbox.map((x) => Math.round(x * 1e5) / 1e5), zoom: Math.round(zoom * 100) / 100, filters: clean, batch: true };
    this.sendSub();
    this.h.onState(this);
  }

  sendSub() {
    if (this.sub && this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(this.sub));
  }

  handle(m) {
    switch (m.type) {
      case 'hello':
        this.protocol = m.protocol || 2;
        this.view = m.view || '';
        this.department = m.department || '';
        break;
      case 'snapshot':
        if (!this.protocol) this.protocol = 1;
        this.incidents.clear();
        this.cells.clear();
        this.mode = m.mode || 'incidents';
        this.res = m.res || 9;
        for (const inc of m.incidents || []) this.incidents.set(inc.id, inc);
        for (const cell of m.cells || []) if (cell.count > 0) this.cells.set(cell.h3, cell);
        this.snapshotSub = m.sub || '';
        break;
      case 'upsert':
      case 'change': {
        const inc = m.incident;
        const old = this.incidents.get(inc.id);
        if (old && old.version > inc.version) return;
        if (m.type === 'change' && (inc.status === 'closed' || inc.status === 'cancelled')) this.incidents.delete(inc.id);
        else this.incidents.set(inc.id, inc);
        break;
      }
      case 'remove':
        this.incidents.delete(m.id);
        break;
      case 'cells':
        if (m.res !== this.res) return;
        for (const cell of m.cells || []) {
          if (cell.count > 0) this.cells.set(cell.h3, cell);
          else this.cells.delete(cell.h3);
        }
        break;
      case 'counters':
        this.h.onCounters(m);
        return;
      case 'bye':
        this.byeReason = m.reason;
        return;
      case 'error':
        console.warn('live map: server refused', m.field, m.message);
        this.h.onError?.(m);
        return;
      default:
        return;
    }
    this.changes++;
    this.h.onState(this);
  }

  close() {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.ws?.close(1000, 'page closed');
  }
}
