package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
)

// hub keeps the latest state of every open incident and fans changes out to
// the connected clients, each through its subscription. Its lock is held
// only to update the state and to append to the clients' queues, which never
// block.
type hub struct {
	m        *metrics
	hx       *hexes
	auth     Authenticate
	queueLen int // capacity of each client's queue
	minCount int // least count of a cell the public view is shown

	mu      sync.Mutex
	open    map[string]*entry // open incidents by id; entries are never changed, only replaced
	gone    tombstones        // recently closed incidents, so late duplicates do not revive them
	clients map[*client]struct{}
	counts  openCounts              // open and overdue incidents by department, for the counters
	day     dayFigures              // what finished today, for the counters
	sent    map[string]sentCounters // counters by scope, as last sent
	closed  bool                    // shutting down: no new clients
	conns   sync.WaitGroup          // running client connections

	loopOnce sync.Once
	stop     chan struct{} // closed when shutting down: ends the counters loop
}

// defaultQueueLen is how many messages a client may have waiting. A client
// further behind than that is cheaper to serve with a fresh snapshot.
const defaultQueueLen = 1024

func newHub(m *metrics, auth Authenticate, loc *time.Location) *hub {
	return &hub{
		m:        m,
		hx:       newHexes(),
		auth:     auth,
		queueLen: defaultQueueLen,
		minCount: DefaultPublicMinCount,
		open:     make(map[string]*entry),
		gone:     newTombstones(maxTombstones),
		clients:  make(map[*client]struct{}),
		counts:   newOpenCounts(),
		day:      newDayFigures(loc),
		sent:     make(map[string]sentCounters),
		stop:     make(chan struct{}),
	}
}

// publish records c in the state and queues it for every client whose
// subscription it concerns. A change that is not newer than the state the
// hub has (a duplicate or an older version from a replayed log) is counted
// and dropped.
func (h *hub) publish(c cityops.Change) error {
	at := time.Now()
	inc := c.Incident
	if inc.ID == "" {
		h.m.changes.WithLabelValues(resultInvalid).Inc()
		return fmt.Errorf("publishing a change: %w", cityops.Invalid("incident.id", "is empty"))
	}
	if c.Kind == cityops.ChangeMerged || c.Kind == cityops.ChangeCleared {
		// The processor's view of a merge is not the incident's state, which
		// the dispatcher owns: its update, with the report count and the
		// note, is what counts. Such records are on incidents.found now;
		// older records of incidents.changes still carry them.
		h.m.changes.WithLabelValues(resultSignal).Inc()
		return nil
	}
	if c.Kind != cityops.ChangeCreated && c.Kind != cityops.ChangeUpdated {
		h.m.changes.WithLabelValues(resultInvalid).Inc()
		return fmt.Errorf("publishing a change of %s: %w", inc.ID, cityops.Invalid("kind", "unknown kind %q", c.Kind))
	}
	cell, wire, err := encodeIncident(&inc, h.hx)
	if err != nil {
		h.m.changes.WithLabelValues(resultInvalid).Inc()
		return fmt.Errorf("publishing a change: %w", err)
	}
	var centres [2][2]float64 // of the coarse cells, which the public view places by their centre
	if cell != 0 && inc.Status.Open() {
		centres = [2][2]float64{h.hx.centre(geo.Parent(cell, cityops.ResCity)), h.hx.centre(geo.Parent(cell, cityops.ResDistrict))}
	}
	var upsertMsg, removeMsg *shared
	var prepErr error
	upsert := func() *shared {
		if upsertMsg == nil {
			upsertMsg, prepErr = newShared(upsertMessage(c.Kind, wire))
		}
		return upsertMsg
	}
	remove := func() *shared {
		if removeMsg == nil {
			removeMsg, prepErr = newShared(removeMessage(&inc))
		}
		return removeMsg
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.staleLocked(inc.ID, inc.Version) {
		h.m.changes.WithLabelValues(resultStale).Inc()
		return nil
	}
	old := h.open[inc.ID]
	var nu *entry
	if inc.Status.Open() {
		e := newEntry(&inc, cell, wire)
		e.centre = centres
		nu = &e
		h.open[inc.ID] = nu
	} else {
		delete(h.open, inc.ID)
		h.gone.add(inc.ID, inc.Version)
	}
	h.counts.change(old, nu, at)
	h.day.record(&inc, at)
	st := stamp{at: at}
	if c.Kind == cityops.ChangeCreated && c.Event != nil && !c.Event.Received.IsZero() {
		st.origin = c.Event.Received
	}
	for cl := range h.clients {
		cl.applyLocked(inc.ID, old, nu, st, upsert, remove)
	}
	if prepErr != nil {
		// A text frame always prepares, so this does not happen.
		return fmt.Errorf("publishing a change of %s: preparing the message: %w", inc.ID, prepErr)
	}
	h.m.changes.WithLabelValues(resultPublished).Inc()
	return nil
}

// staleLocked reports whether version v of incident id is not newer than
// what the hub has. Version 0 means the producer keeps no versions: such
// changes always apply to an open incident.
func (h *hub) staleLocked(id string, v uint64) bool {
	if e, ok := h.open[id]; ok {
		return v < e.version || v == e.version && v != 0
	}
	if g, ok := h.gone.get(id); ok {
		return v <= g
	}
	return false
}

// add registers cl and says hello to it. It returns false once the hub is
// shutting down.
func (h *hub) add(cl *client) bool {
	h.loopOnce.Do(func() { go h.countersLoop() })
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.clients[cl] = struct{}{}
	h.conns.Add(1)
	h.m.clients.Inc()
	h.helloLocked(cl)
	return true
}

// helloLocked queues the hello and the counters of cl's view.
func (h *hub) helloLocked(cl *client) {
	now := time.Now()
	cl.mu.Lock()
	v := cl.view
	cl.out = append(cl.out, helloMessage(v, h.minCount, now))
	cl.mu.Unlock()
	cl.setCounters(h.countersLocked(v.counterScope(), now))
}

// subscribe replaces cl's subscription with s and gives it a snapshot for
// it, so that it misses no change and sees none twice.
func (h *hub) subscribe(cl *client, s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.bye != nil {
		return
	}
	s.view = cl.view
	if s.public() {
		s.minCount = h.minCount
	}
	cl.resetLocked()
	cl.sub = s
	if s.mode == modeIncidents {
		var snap [][]byte
		for _, e := range h.open {
			if s.match(e) {
				snap = append(snap, e.wire)
			}
		}
		if len(snap) <= maxIncidents {
			cl.snap = &pendingSnapshot{sub: s, incidents: snap}
			cl.signal()
			return
		}
		s.mode = modeCells // too many for a browser: resolution 9 cells
	}
	counts := make(map[cityops.Cell]int)
	for _, e := range h.open {
		if s.match(e) {
			counts[e.cellAt(s.countRes())]++
		}
	}
	cl.counts = counts
	if s.rollup {
		cl.rolled = make(map[cityops.Cell]int)
		for cell, n := range counts {
			if n >= s.minCount {
				cl.rolled[geo.Parent(cell, s.res)] += n
			}
		}
	}
	cl.snap = &pendingSnapshot{sub: s}
	cl.signal()
}

// setView gives cl the view v and says hello again; the caller applies its
// subscription again in the new view.
func (h *hub) setView(cl *client, v View) {
	h.mu.Lock()
	cl.mu.Lock()
	cl.view = v
	cl.mu.Unlock()
	h.helloLocked(cl)
	h.mu.Unlock()
}

// remove unregisters cl, so that no more changes are queued for it.
func (h *hub) remove(cl *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[cl]; ok {
		delete(h.clients, cl)
		h.m.clients.Dec()
	}
}

// done marks the end of a connection that add accepted.
func (h *hub) done() { h.conns.Done() }

// goAwayWindow is the time over which shutdown spreads the closing of
// clients, so that they do not all reconnect to the other replicas at once.
const goAwayWindow = time.Second

// shutdown refuses new clients, asks every client to go away (spread over
// goAwayWindow, or at once when ctx ends) and waits until their connections
// have ended or ctx is done; then it closes the connections left.
func (h *hub) shutdown(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		close(h.stop)
	}
	h.closed = true
	cls := make([]*client, 0, len(h.clients))
	for cl := range h.clients {
		cls = append(cls, cl)
	}
	h.mu.Unlock()

	start := time.Now()
	for i, cl := range cls {
		if wait := time.Until(start.Add(goAwayWindow * time.Duration(i) / time.Duration(len(cls)))); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		cl.kick(byeShutdown)
	}

	ended := make(chan struct{})
	go func() {
		h.conns.Wait()
		close(ended)
	}()
	select {
	case <-ended:
		return nil
	case <-ctx.Done():
		for _, cl := range cls {
			cl.conn.Close()
		}
		return fmt.Errorf("closing live clients: %w", ctx.Err())
	}
}
