package web

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Timing of a live connection.
const (
	writeWait  = 10 * time.Second // longest one write may take before the client counts as too slow
	pongWait   = 60 * time.Second // longest silence from the client, pongs included
	pingPeriod = pongWait * 9 / 10
	closeGrace = time.Second // how long a client asked to go away may take to answer the close
	readLimit  = 4 << 10     // clients send nothing but control frames
)

// client is one live map connection. The hub appends to its queue without
// blocking; its write loop drains the queue into the connection.
type client struct {
	conn     *websocket.Conn
	m        *metrics
	queueLen int
	snapshot [][]byte // wire JSON of the open incidents when it connected; written first

	mu      sync.Mutex
	queue   []queued
	pending map[string]int // incident id -> index of its latest change in queue
	kicked  bool

	wake     chan struct{} // the queue has something; capacity 1
	done     chan struct{} // the connection has ended; closed by the read side
	kickOnce sync.Once
}

// queued is a change waiting to be written.
type queued struct {
	id string
	pm *websocket.PreparedMessage
}

func newClient(conn *websocket.Conn, m *metrics, queueLen int) *client {
	return &client{
		conn:     conn,
		m:        m,
		queueLen: queueLen,
		pending:  make(map[string]int),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

// enqueue adds a change of incident id to the queue. It never blocks. When the
// queue is full, the change replaces the waiting change of the same incident;
// when there is none, the client is too far behind and is disconnected.
func (c *client) enqueue(id string, pm *websocket.PreparedMessage) {
	c.mu.Lock()
	switch i, ok := c.pending[id]; {
	case c.kicked:
		c.mu.Unlock()
		return
	case len(c.queue) < c.queueLen:
		c.pending[id] = len(c.queue)
		c.queue = append(c.queue, queued{id: id, pm: pm})
	case ok:
		c.queue[i].pm = pm
		c.m.coalesced.Inc()
	default:
		c.kicked = true
		c.mu.Unlock()
		c.m.droppedSlow.Inc()
		c.kick(websocket.CloseTryAgainLater, "too far behind: reconnect for a fresh snapshot", 0)
		return
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// take moves the queued changes into buf and empties the queue.
func (c *client) take(buf []queued) []queued {
	c.mu.Lock()
	defer c.mu.Unlock()
	buf = append(buf[:0], c.queue...)
	clear(c.queue)
	c.queue = c.queue[:0]
	clear(c.pending)
	return buf
}

// kick sends a close frame with code and reason, gives the client grace to
// answer it, and closes the connection. Only the first kick counts. It does
// not block.
func (c *client) kick(code int, reason string, grace time.Duration) {
	c.kickOnce.Do(func() {
		c.mu.Lock()
		c.kicked = true
		c.mu.Unlock()
		go func() {
			// WriteControl may run beside the write loop; when that loop is
			// stuck on a slow client this times out and the close ends it.
			_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(closeGrace))
			if grace > 0 {
				t := time.NewTimer(grace)
				defer t.Stop()
				select {
				case <-t.C:
				case <-c.done:
				}
			}
			c.conn.Close()
		}()
	})
}

// readLoop reads until the connection fails, answering pings and close
// frames and keeping the read deadline alive on pongs.
func (c *client) readLoop() {
	c.conn.SetReadLimit(readLimit)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		if _, _, err := c.conn.NextReader(); err != nil {
			return
		}
	}
}

// writeLoop writes the snapshot, then queued changes and pings, until the
// connection ends. A write that fails closes the connection, which ends the
// read loop too, unless a close frame was sent: then kick closes it.
func (c *client) writeLoop() error {
	err := c.writeLoopErr()
	c.mu.Lock()
	first := !c.kicked
	c.kicked = true
	c.mu.Unlock()
	if ne := net.Error(nil); first && errors.As(err, &ne) && ne.Timeout() {
		c.m.droppedSlow.Inc()
	}
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		c.conn.Close()
	}
	return err
}

func (c *client) writeLoopErr() error {
	if err := c.writeSnapshot(); err != nil {
		return err
	}
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	var batch []queued
	for {
		select {
		case <-c.done:
			return nil
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return err
			}
		case <-c.wake:
			batch = c.take(batch)
			for _, q := range batch {
				_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
				if err := c.conn.WritePreparedMessage(q.pm); err != nil {
					return err
				}
				c.m.sent.Inc()
			}
			clear(batch)
		}
	}
}

// writeSnapshot writes the snapshot as one message, streamed so that a large
// city needs no second copy of it. Each part gets its own write deadline.
func (c *client) writeSnapshot() error {
	snap := c.snapshot
	c.snapshot = nil
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	w, err := c.conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(snapshotHead)); err != nil {
		return err
	}
	for i, b := range snap {
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
