package web

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cityops/cityops"
	"github.com/gorilla/websocket"
)

// hub keeps the latest state of every open incident and fans changes out to
// the connected clients. Its lock is held only to update the state and to
// append to the clients' queues, which never block.
type hub struct {
	m        *metrics
	hx       *hexes
	queueLen int // capacity of each client's queue

	mu      sync.Mutex
	open    map[string]entry // open incidents by id
	gone    tombstones       // recently closed incidents, so late duplicates do not revive them
	clients map[*client]struct{}
	closed  bool           // shutting down: no new clients
	conns   sync.WaitGroup // running client connections
}

// entry is an open incident as the hub keeps it.
type entry struct {
	version uint64
	wire    []byte // wire JSON, shared read-only with snapshots
}

// defaultQueueLen is how many changes a client may have waiting. A client
// further behind than that is cheaper to serve with a fresh snapshot.
const defaultQueueLen = 1024

func newHub(m *metrics) *hub {
	return &hub{
		m:        m,
		hx:       newHexes(),
		queueLen: defaultQueueLen,
		open:     make(map[string]entry),
		gone:     newTombstones(maxTombstones),
		clients:  make(map[*client]struct{}),
	}
}

// publish records c in the state and queues it for every client. A change
// that is not newer than the state the hub has (a duplicate or an older
// version from a replayed log) is counted and dropped.
func (h *hub) publish(c cityops.Change) error {
	inc := c.Incident
	if inc.ID == "" {
		h.m.changes.WithLabelValues(resultInvalid).Inc()
		return fmt.Errorf("publishing a change: %w", cityops.Invalid("incident.id", "is empty"))
	}
	if c.Kind != cityops.ChangeCreated && c.Kind != cityops.ChangeUpdated {
		h.m.changes.WithLabelValues(resultInvalid).Inc()
		return fmt.Errorf("publishing a change of %s: %w", inc.ID, cityops.Invalid("kind", "unknown kind %q", c.Kind))
	}
	wire, err := encodeIncident(&inc, h.hx)
	if err != nil {
		h.m.changes.WithLabelValues(resultInvalid).Inc()
		return fmt.Errorf("publishing a change: %w", err)
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, changeMessage(c.Kind, wire))
	if err != nil {
		return fmt.Errorf("publishing a change of %s: preparing the message: %w", inc.ID, err)
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.staleLocked(inc.ID, inc.Version) {
		h.m.changes.WithLabelValues(resultStale).Inc()
		return nil
	}
	if inc.Status.Open() {
		h.open[inc.ID] = entry{version: inc.Version, wire: wire}
	} else {
		delete(h.open, inc.ID)
		h.gone.add(inc.ID, inc.Version)
	}
	for cl := range h.clients {
		cl.enqueue(inc.ID, pm)
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

// add registers cl and gives it the current open incidents as its snapshot,
// so it misses no change and sees none twice. It returns false once the hub
// is shutting down.
func (h *hub) add(cl *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	snap := make([][]byte, 0, len(h.open))
	for _, e := range h.open {
		snap = append(snap, e.wire)
	}
	cl.snapshot = snap
	h.clients[cl] = struct{}{}
	h.conns.Add(1)
	h.m.clients.Inc()
	return true
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
// have ended or ctx is done.
func (h *hub) shutdown(ctx context.Context) error {
	h.mu.Lock()
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
		cl.kick(websocket.CloseGoingAway, "server shutting down", closeGrace)
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
		return fmt.Errorf("closing live clients: %w", ctx.Err())
	}
}
