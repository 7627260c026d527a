package web

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/gorilla/websocket"
)

// Timing of a live connection.
const (
	writeWait       = 10 * time.Second // longest one write may take before the client counts as too slow
	pongWait        = 60 * time.Second // longest silence from the client, pongs included
	pingPeriod      = pongWait * 9 / 10
	heartbeatPeriod = 15 * time.Second // application-level heartbeat, which browsers' scripts can see
	closeGrace      = time.Second      // how long a client asked to go away may take to answer the close
	readLimit       = 4 << 10          // largest message a client may send
	maxErrors       = 20               // unusable messages before the client is sent away
	byeTimeout      = 3 * closeGrace   // longest a client sent away keeps its connection
)

// client is one live map connection. The hub appends to its queue without
// blocking; its write loop drains the queue into the connection.
type client struct {
	conn     *websocket.Conn
	m        *metrics
	hx       *hexes
	queueLen int
	deflate  bool // the connection compresses messages

	mu      sync.Mutex
	view    View
	sub     *subscription              // nil until the first subscribe; written under the hub's lock too, so either lock reads it
	snap    *pendingSnapshot           // a snapshot to write before any queued change
	queue   []queued                   // incidents mode: messages waiting
	pending map[string]int             // incident id -> index of its latest message in queue
	counts  map[cityops.Cell]int       // cells mode: matching incidents by cell, at the subscription's countRes
	rolled  map[cityops.Cell]int       // cells mode with rollup: the counts shown, by cell at the subscription's res
	dirty   map[cityops.Cell]time.Time // cells mode: cells changed since last written -> first change received
	shown   map[cityops.Cell]int       // cells mode with a minimum count: the counts last written, absent when 0
	out     [][]byte                   // hello and error messages, written first
	counter *shared                    // the latest counters, when not yet written
	bye     *bye                       // set when the client is to be sent away
	errors  int

	wake chan struct{} // there is something to write; capacity 1
	done chan struct{} // the connection has ended; closed by the read side
}

// queued is an incident message waiting to be written.
type queued struct {
	id  string
	msg *shared
	st  stamp
}

// stamp is when a change began: at, when the server received it, and origin,
// when intake received the event of a new incident (zero for later steps).
type stamp struct {
	at, origin time.Time
}

// pendingSnapshot is a snapshot waiting to be written. In cells mode its
// counts are taken from the client's counts when it is written.
type pendingSnapshot struct {
	sub       *subscription
	incidents [][]byte
}

func newClient(conn *websocket.Conn, m *metrics, hx *hexes, queueLen int, v View) *client {
	return &client{
		conn:     conn,
		m:        m,
		hx:       hx,
		queueLen: queueLen,
		view:     v,
		pending:  make(map[string]int),
		dirty:    make(map[cityops.Cell]time.Time),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

func (c *client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// applyLocked queues what a change of one incident means to the client:
// old is its previous state (nil when it was not open), nu its new state
// (nil when it is no longer open). upsert and remove return its messages.
// The caller holds the hub's lock; applyLocked takes the client's.
func (c *client) applyLocked(id string, old, nu *entry, st stamp, upsert, remove func() *shared) {
	// Most clients look elsewhere: they are passed over without their lock.
	s := c.sub
	if s == nil || !(old != nil && s.inBBox(old)) && !(nu != nil && s.inBBox(nu)) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bye != nil {
		return
	}
	wasIn := old != nil && s.match(old)
	isIn := nu != nil && s.match(nu)
	if !wasIn && !isIn {
		return
	}
	if s.mode == modeIncidents {
		if isIn {
			c.enqueueLocked(id, upsert(), st)
		} else {
			c.enqueueLocked(id, remove(), st)
		}
		return
	}
	var oc, nc cityops.Cell
	if wasIn {
		oc = old.cellAt(s.countRes())
	}
	if isIn {
		nc = nu.cellAt(s.countRes())
	}
	if oc == nc {
		return
	}
	if oc != 0 {
		c.countLocked(s, oc, -1, st.at)
	}
	if nc != 0 {
		c.countLocked(s, nc, +1, st.at)
	}
	c.signal()
}

// countLocked adds delta to the count of cell and marks the cell shown
// changed: the cell itself, or, when s rolls counts up, its parent, whose
// count takes the cell's only while it is at least s.minCount.
func (c *client) countLocked(s *subscription, cell cityops.Cell, delta int, at time.Time) {
	if c.counts == nil {
		c.counts = make(map[cityops.Cell]int)
	}
	was := c.counts[cell]
	now := was + delta
	if now <= 0 {
		delete(c.counts, cell)
	} else {
		c.counts[cell] = now
	}
	if !s.rollup {
		c.markLocked(cell, at)
		return
	}
	shown := func(n int) int {
		if n >= s.minCount {
			return n
		}
		return 0
	}
	d := shown(now) - shown(was)
	if d == 0 {
		return
	}
	p := geo.Parent(cell, s.res)
	if c.rolled == nil {
		c.rolled = make(map[cityops.Cell]int)
	}
	if c.rolled[p] += d; c.rolled[p] <= 0 {
		delete(c.rolled, p)
	}
	c.markLocked(p, at)
}

// shownCounts are the counts the client is shown, by cell at the
// subscription's resolution (before the minimum count is applied).
func (c *client) shownCounts() map[cityops.Cell]int {
	if c.sub != nil && c.sub.rollup {
		return c.rolled
	}
	return c.counts
}

func (c *client) markLocked(cell cityops.Cell, at time.Time) {
	if _, ok := c.dirty[cell]; !ok {
		c.dirty[cell] = at
	}
}

// enqueueLocked adds a message about incident id to the queue. When the
// queue is full, the message replaces the waiting message of the same
// incident; when there is none, the client is too far behind and is sent
// away.
func (c *client) enqueueLocked(id string, msg *shared, st stamp) {
	switch i, ok := c.pending[id]; {
	case ok && len(c.queue) >= c.queueLen:
		c.queue[i].msg, c.queue[i].st = msg, st
		c.m.coalesced.Inc()
	case len(c.queue) < c.queueLen:
		c.pending[id] = len(c.queue)
		c.queue = append(c.queue, queued{id: id, msg: msg, st: st})
	default:
		c.m.droppedSlow.Inc()
		c.kickLocked(byeTooFarBehind)
		return
	}
	c.signal()
}

// resetLocked forgets everything queued for the subscription in force.
func (c *client) resetLocked() {
	clear(c.queue)
	c.queue = c.queue[:0]
	clear(c.pending)
	clear(c.dirty)
	c.counts = nil
	c.rolled = nil
	c.shown = nil
	c.snap = nil
}

// say queues a hello or error message.
func (c *client) say(msg []byte) {
	c.mu.Lock()
	c.out = append(c.out, msg)
	c.mu.Unlock()
	c.signal()
}

// fail tells the client that a message was unusable, and sends it away
// after maxErrors of them.
func (c *client) fail(field, msg, ref string) {
	c.mu.Lock()
	c.out = append(c.out, errorMessage(field, msg, ref))
	c.errors++
	if c.errors >= maxErrors {
		c.kickLocked(byeProtocol)
	}
	c.mu.Unlock()
	c.signal()
}

// setCounters makes msg the counters the client is sent next.
func (c *client) setCounters(msg *shared) {
	c.mu.Lock()
	c.counter = msg
	c.mu.Unlock()
	c.signal()
}

// kick sends the client away with a bye, once; it does not block.
func (c *client) kick(b bye) {
	c.mu.Lock()
	c.kickLocked(b)
	c.mu.Unlock()
}

func (c *client) kickLocked(b bye) {
	if c.bye != nil {
		return
	}
	c.bye = &b
	c.resetLocked()
	c.signal()
	if c.conn != nil {
		// The write loop says bye within byeTimeout unless it is stuck
		// writing to a client that does not read: then closing ends it.
		time.AfterFunc(byeTimeout, func() { c.conn.Close() })
	}
}

// work is what the write loop takes from the client in one go.
type work struct {
	out     [][]byte
	bye     *bye
	snap    *pendingSnapshot
	cells   []cellCount // cells mode: the snapshot's counts, or the changed counts
	cellsAt []time.Time // when the changed counts were first changed
	res     int
	queue   []queued
	batch   bool   // write the queue as one frame, a message per line
	buf     []byte // the batched frame
	counter *shared
}

// cellsEvery is the least time between two cells messages to one client:
// counts of a map at low zoom need not move more often, and a busy city
// would otherwise send one message per change.
const cellsEvery = 100 * time.Millisecond

// take moves what waits to be written into w; changed cell counts only when
// withCells. It reports whether changed cell counts were left waiting.
func (c *client) take(w *work, withCells bool) (cellsLeft bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w.out, c.out = c.out, w.out[:0]
	w.bye = c.bye
	if c.bye != nil {
		return
	}
	w.snap, c.snap = c.snap, nil
	w.cells, w.cellsAt = w.cells[:0], w.cellsAt[:0]
	if c.sub != nil && c.sub.mode == modeCells {
		w.res = c.sub.res
		k := c.sub.minCount
		counts := c.shownCounts()
		if w.snap != nil {
			if k > 1 {
				c.shown = make(map[cityops.Cell]int, len(counts))
			}
			for cell, n := range counts {
				if n >= k {
					w.cells = append(w.cells, cellCount{cell, n})
					if k > 1 {
						c.shown[cell] = n
					}
				}
			}
		} else if !withCells {
			cellsLeft = len(c.dirty) > 0
		} else {
			for cell, at := range c.dirty {
				n := counts[cell]
				if k > 1 {
					// A cell below k is not there: its changes below k
					// are not written, so they tell nothing either.
					if n < k {
						n = 0
					}
					if c.shown[cell] == n {
						continue
					}
					if c.shown == nil {
						c.shown = make(map[cityops.Cell]int)
					}
					if n == 0 {
						delete(c.shown, cell)
					} else {
						c.shown[cell] = n
					}
				}
				w.cells = append(w.cells, cellCount{cell, n})
				w.cellsAt = append(w.cellsAt, at)
			}
		}
		if !cellsLeft {
			clear(c.dirty)
		}
	}
	w.queue = append(w.queue[:0], c.queue...)
	w.batch = c.sub != nil && c.sub.batch
	clear(c.queue)
	c.queue = c.queue[:0]
	clear(c.pending)
	w.counter, c.counter = c.counter, nil
	return cellsLeft
}

// readDeadline keeps the connection's read side alive for pongWait.
func (c *client) readDeadline() { _ = c.conn.SetReadDeadline(time.Now().Add(pongWait)) }

// writeLoop writes what the hub queues, pings and heartbeats until the
// connection ends or the client is sent away, then closes the connection.
func (c *client) writeLoop() error {
	err := c.writeLoopErr()
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		c.kick(byeTooFarBehind) // stops the hub queueing more
		c.m.droppedSlow.Inc()
	}
	c.conn.Close()
	return err
}

func (c *client) writeLoopErr() error {
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	heartbeat := time.NewTicker(heartbeatPeriod)
	defer heartbeat.Stop()
	var w work
	var lastCells time.Time
	cellsTimer := time.NewTimer(0)
	defer cellsTimer.Stop()
	<-cellsTimer.C
	timerSet := false
	for {
		select {
		case <-c.done:
			return nil
		case <-cellsTimer.C:
			timerSet = false
			c.signal()
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return err
			}
		case <-heartbeat.C:
			if err := c.writeText(heartbeatMessage(time.Now())); err != nil {
				return err
			}
		case <-c.wake:
			now := time.Now()
			left := c.take(&w, now.Sub(lastCells) >= cellsEvery)
			if len(w.cells) > 0 {
				lastCells = now
			}
			if left && !timerSet {
				cellsTimer.Reset(cellsEvery - now.Sub(lastCells))
				timerSet = true
			}
			if err := c.write(&w); err != nil {
				return err
			}
			if w.bye != nil {
				return c.sayBye(*w.bye)
			}
		}
	}
}

// write writes one batch of work, in protocol order.
func (c *client) write(w *work) error {
	for _, b := range w.out {
		if err := c.writeText(b); err != nil {
			return err
		}
	}
	clear(w.out)
	if w.bye != nil {
		return nil
	}
	if w.snap != nil {
		if err := c.writeSnapshot(w.snap, w.cells); err != nil {
			return err
		}
	}
	if err := c.writeQueue(w); err != nil {
		return err
	}
	clear(w.queue)
	if w.snap == nil && len(w.cells) > 0 {
		if err := c.writeText(cellsMessage(w.res, w.cells, c.hx)); err != nil {
			return err
		}
		now := time.Now()
		for _, at := range w.cellsAt {
			c.m.delay.Observe(now.Sub(at).Seconds())
		}
	}
	if w.counter != nil {
		if err := c.writeShared(w.counter); err != nil {
			return err
		}
	}
	return nil
}

// writeQueue writes the queued incident messages: one frame each, or, for
// a client that asked for batches, all of them in one frame, a message per
// line, which saves a frame and a system call per message when the client
// is busy.
func (c *client) writeQueue(w *work) error {
	if w.batch && len(w.queue) > 1 {
		w.buf = w.buf[:0]
		for i, q := range w.queue {
			if i > 0 {
				w.buf = append(w.buf, '\n')
			}
			w.buf = append(w.buf, q.msg.data...)
		}
		if err := c.writeText(w.buf); err != nil {
			return err
		}
		c.m.sent.Add(float64(len(w.queue) - 1)) // writeText counted one
		c.observeQueue(w.queue)
		return nil
	}
	for _, q := range w.queue {
		if err := c.writeShared(q.msg); err != nil {
			return err
		}
		c.observeQueue([]queued{q})
	}
	return nil
}

// observeQueue records the delays of messages just written.
func (c *client) observeQueue(qs []queued) {
	now := time.Now()
	for _, q := range qs {
		c.m.delay.Observe(now.Sub(q.st.at).Seconds())
		if !q.st.origin.IsZero() {
			c.m.ingestToClient.Observe(now.Sub(q.st.origin).Seconds())
		}
	}
}

// writeShared writes a message shared by many clients: prepared (compressed
// once for all) when the client compresses, else as it is. Clients without
// compression do not touch the prepared message, whose lock would otherwise
// line every writer of a change up behind the others.
func (c *client) writeShared(msg *shared) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	var err error
	if c.deflate {
		err = c.conn.WritePreparedMessage(msg.pm)
	} else {
		err = c.conn.WriteMessage(websocket.TextMessage, msg.data)
	}
	if err != nil {
		return err
	}
	c.m.sent.Inc()
	return nil
}

func (c *client) writeText(b []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		return err
	}
	c.m.sent.Inc()
	return nil
}

// sayBye writes the bye message and the close frame, then waits a moment
// for the client to answer the close.
func (c *client) sayBye(b bye) error {
	deadline := time.Now().Add(closeGrace)
	_ = c.conn.SetWriteDeadline(deadline)
	if err := c.conn.WriteMessage(websocket.TextMessage, b.json()); err != nil {
		return err
	}
	if err := c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(b.code, b.message), deadline); err != nil {
		return err
	}
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.done:
	}
	return nil
}

// writeSnapshot writes a snapshot as one message, streamed so that a large
// city needs no second copy of it. Each part gets its own write deadline.
func (c *client) writeSnapshot(s *pendingSnapshot, cells []cellCount) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	w, err := c.conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	if _, err := w.Write(snapshotHead(s.sub)); err != nil {
		return err
	}
	if s.sub.mode == modeCells {
		if _, err := w.Write(appendCells(nil, cells, c.hx)); err != nil {
			return err
		}
	}
	for i, b := range s.incidents {
		if i > 0 {
			if _, err := w.Write([]byte{','}); err != nil {
				return err
			}
		}
		if i%256 == 255 {
			_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if _, err := w.Write([]byte(snapshotTail)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	c.m.sent.Inc()
	return nil
}
