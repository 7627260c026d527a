package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// centerSub subscribes to the whole test city in incidents mode.
const centerSub = `{"type":"subscribe","id":"all","bbox":` + cityBBox + `,"zoom":12}`

func TestLiveSnapshotThenChanges(t *testing.T) {
	s, ts, reg := newTestServer(t, nil)
	s.Publish(change(t, 1, cityops.ChangeCreated, cityops.StatusDispatched, 1))
	s.Publish(change(t, 2, cityops.ChangeCreated, cityops.StatusDispatched, 1))
	s.Publish(change(t, 2, cityops.ChangeUpdated, cityops.StatusClosed, 2)) // closed before anyone looked

	c := connect(t, ts, "center-token")
	snap := subscribe(t, c, centerSub)
	if snap.Sub != "all" || snap.Mode != "incidents" || len(snap.Incidents) != 1 || snap.Incidents[0].ID != "inc-1" {
		t.Fatalf("snapshot %+v, want inc-1 alone in incidents mode", snap)
	}
	if got := snap.Incidents[0]; len(got.Hex) != 6 || got.H3 == "" {
		t.Errorf("snapshot incident has hex %v and h3 %q, want 6 vertices and a cell", got.Hex, got.H3)
	}

	steps := []struct {
		change   cityops.Change
		wantType string
		wantKind string
	}{
		{change(t, 3, cityops.ChangeCreated, cityops.StatusDispatched, 1), "upsert", "created"},
		{change(t, 1, cityops.ChangeUpdated, cityops.StatusAccepted, 2), "upsert", "updated"},
		{change(t, 1, cityops.ChangeUpdated, cityops.StatusClosed, 3), "remove", ""},
	}
	for _, st := range steps {
		s.Publish(st.change)
		m := next(t, c)
		in := st.change.Incident
		if st.wantType == "remove" {
			if m.Type != "remove" || m.ID != in.ID || m.Status != in.Status || m.Version != in.Version {
				t.Fatalf("got %+v, want the removal of %s, %s v%d", m, in.ID, in.Status, in.Version)
			}
			continue
		}
		if m.Type != st.wantType || m.Kind != st.wantKind || m.Incident.ID != in.ID || m.Incident.Status != in.Status || m.Incident.Version != in.Version {
			t.Fatalf("got %+v, want a %s %s of %s to %s v%d", m, st.wantKind, st.wantType, in.ID, in.Status, in.Version)
		}
		if len(m.Incident.Hex) != 6 || m.Incident.H3 != in.Cell.String() {
			t.Errorf("change of %s has hex %v, h3 %q; want 6 vertices of %s", in.ID, m.Incident.Hex, m.Incident.H3, in.Cell)
		}
		for _, v := range m.Incident.Hex {
			if d := v[0] - in.Lat; d > 0.003 || d < -0.003 {
				t.Errorf("vertex %v is far from the incident at %.4f,%.4f", v, in.Lat, in.Lon)
			}
		}
	}

	// inc-1 was closed: a new client sees inc-3 alone.
	if snap := subscribe(t, connect(t, ts, "center-token"), centerSub); len(snap.Incidents) != 1 || snap.Incidents[0].ID != "inc-3" {
		t.Errorf("second snapshot %+v, want inc-3 alone", snap.Incidents)
	}
	if got := metric(t, reg, "cityops_web_live_clients"); got != 2 {
		t.Errorf("live clients %v, want 2", got)
	}
	// The delay is observed just after the write, so maybe after the read.
	eventually(t, "the delays of the 3 changes are observed", func() bool {
		return histogramCount(t, reg, "cityops_web_delivery_delay_seconds") >= 3
	})
}

func TestLiveDropsStaleChanges(t *testing.T) {
	s, ts, _ := newTestServer(t, nil)
	c := connect(t, ts, "center-token")
	subscribe(t, c, centerSub) // empty
	for _, ch := range []cityops.Change{
		change(t, 1, cityops.ChangeCreated, cityops.StatusDispatched, 2),
		change(t, 1, cityops.ChangeUpdated, cityops.StatusReported, 1),   // older
		change(t, 1, cityops.ChangeUpdated, cityops.StatusDispatched, 2), // duplicate
		change(t, 1, cityops.ChangeUpdated, cityops.StatusClosed, 3),
		change(t, 1, cityops.ChangeUpdated, cityops.StatusInProgress, 2), // replayed after closing
		change(t, 4, cityops.ChangeCreated, cityops.StatusDispatched, 0), // no versions: always applies
		change(t, 4, cityops.ChangeUpdated, cityops.StatusAccepted, 0),
	} {
		s.Publish(ch)
	}
	want := []string{"upsert inc-1 dispatched", "remove inc-1 closed", "upsert inc-4 dispatched", "upsert inc-4 accepted"}
	for _, w := range want {
		m := next(t, c)
		got := m.Type + " " + m.Incident.ID + " " + string(m.Incident.Status)
		if m.Type == "remove" {
			got = m.Type + " " + m.ID + " " + string(m.Status)
		}
		if got != w {
			t.Fatalf("got %s, want %s", got, w)
		}
	}
}

func TestLiveOrigin(t *testing.T) {
	_, ts, _ := newTestServer(t, func(c *Config) { c.AllowedOrigins = []string{"https://Wall.example.org"} })
	host := strings.TrimPrefix(ts.URL, "http://")
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"http://" + host, true},
		{"https://wall.example.org", true},
		{"https://wall.example.org:8443", false},
		{"http://evil.example", false},
		{"null", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			c, resp, err := websocket.DefaultDialer.Dial(wsURL(ts), h)
			if c != nil {
				c.Close()
			}
			if tt.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tt.ok && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden) {
				t.Fatalf("got %v, want 403", err)
			}
		})
	}
}

// TestLiveSlowClient checks that a client that never reads holds up neither
// Publish nor the other clients, and is disconnected.
func TestLiveSlowClient(t *testing.T) {
	s, ts, reg := newTestServer(t, nil)
	s.hub.queueLen = 64

	small := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(4 << 10)
		}
		return c, err
	}}
	slow := connectWith(t, ts, "center-token", small) // never reads after subscribing
	send(t, slow, centerSub)
	fast := connect(t, ts, "center-token")
	subscribe(t, fast, centerSub)
	eventually(t, "the slow client has subscribed", func() bool {
		s.hub.mu.Lock()
		defer s.hub.mu.Unlock()
		for cl := range s.hub.clients {
			cl.mu.Lock()
			sub := cl.sub
			cl.mu.Unlock()
			if sub == nil {
				return false
			}
		}
		return true
	})
	got := make(chan message, 128)
	go func() {
		defer close(got)
		for {
			_, b, err := fast.ReadMessage()
			if err != nil {
				return
			}
			if strings.HasPrefix(string(b), `{"type":"upsert"`) {
				got <- message{Kind: string(b[:40])}
			}
		}
	}()

	// 4,000 changes of 2 KB: more than the socket buffers and the queue hold.
	const n, chunk = 4000, 32 // a chunk fits in the fast client's queue
	text := strings.Repeat("路面塌陷 ", 2048/13)
	var slowest time.Duration
	for i := 0; i < n; i += chunk {
		for j := i; j < i+chunk; j++ {
			ch := change(t, j, cityops.ChangeCreated, cityops.StatusDispatched, 1)
			ch.Incident.Text = text
			start := time.Now()
			s.Publish(ch)
			slowest = max(slowest, time.Since(start))
		}
		for j := 0; j < chunk; j++ {
			select {
			case _, ok := <-got:
				if !ok {
					t.Fatalf("the fast client was disconnected after %d changes", i+j)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("the fast client got %d of %d changes", i+j, n)
			}
		}
	}
	if slowest > 100*time.Millisecond {
		t.Errorf("the slowest Publish took %v", slowest)
	}
	eventually(t, "the slow client is dropped and its connection closed", func() bool {
		return metric(t, reg, "cityops_web_live_clients_dropped_slow_total") == 1 &&
			metric(t, reg, "cityops_web_live_clients") == 1
	})

	// The server removes a client only once its connection is closed: the
	// slow one, whose small window would take long to drain, need not read on.
	slow.Close()
}

func TestClientCoalescesWhenFull(t *testing.T) {
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	cl := newClient(nil, m, newHexes(), 3, View{Role: RoleCenter}) // no connection: nothing here may disconnect it
	pm := func(s string) *shared {
		p, err := newShared([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	enqueue := func(id string, p *shared) {
		cl.mu.Lock()
		cl.enqueueLocked(id, p, stamp{at: time.Now()})
		cl.mu.Unlock()
	}
	a1, b1, a2, a3, a4 := pm("a1"), pm("b1"), pm("a2"), pm("a3"), pm("a4")
	enqueue("a", a1)
	enqueue("b", b1)
	enqueue("a", a2) // room left: queued behind b
	enqueue("a", a3) // full: replaces a2, the latest change of a
	enqueue("a", a4) // replaces a3
	want := []*shared{a1, b1, a4}
	var w work
	cl.take(&w, true)
	if len(w.queue) != len(want) {
		t.Fatalf("queue holds %d changes, want %d", len(w.queue), len(want))
	}
	for i := range want {
		if w.queue[i].msg != want[i] {
			t.Errorf("change %d is not the one expected", i)
		}
	}
	if w.bye != nil {
		t.Error("a client that only coalesced was sent away")
	}
	enqueue("b", b1) // the queue was emptied: room again
	if cl.take(&w, true); len(w.queue) != 1 || w.queue[0].msg != b1 {
		t.Errorf("after take, queue holds %d changes, want b1 alone", len(w.queue))
	}
	enqueue("c", a1)
	enqueue("d", a1)
	enqueue("e", a1)
	enqueue("f", a1) // full, and nothing of f waits: too far behind
	if cl.take(&w, true); w.bye == nil || w.bye.reason != "too_far_behind" {
		t.Errorf("bye %+v, want too_far_behind", w.bye)
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	s, _, _ := newTestServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.serve(ctx, ln) }()

	c, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/ws/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if m := next(t, c); m.Type != "hello" {
		t.Fatalf("got %+v, want hello", m)
	}
	start := time.Now()
	cancel()
	var bye message
	for bye.Type != "bye" {
		bye = read(t, c)
	}
	if bye.Reason != "server_shutdown" {
		t.Errorf("bye %+v, want server_shutdown", bye)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err = c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway || ce.Text != "server shutting down" {
		t.Errorf("client got %v, want a going-away close frame", err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(shutdownTimeout + time.Second):
		t.Fatal("Serve did not return")
	}
	if d := time.Since(start); d > shutdownTimeout {
		t.Errorf("shutdown took %v", d)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("still accepting connections after shutdown")
	}
}

// TestLiveTooFarBehind checks that a client that reads, but not as fast as
// changes come, is told why it is disconnected.
func TestLiveTooFarBehind(t *testing.T) {
	s, ts, reg := newTestServer(t, nil)
	s.hub.queueLen = 2
	c := connect(t, ts, "center-token")
	subscribe(t, c, centerSub)
	for i := range 1000 {
		s.Publish(change(t, i, cityops.ChangeCreated, cityops.StatusDispatched, 1))
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var err error
	var b []byte
	var reason string
	for err == nil {
		if _, b, err = c.ReadMessage(); err == nil && strings.HasPrefix(string(b), `{"type":"bye"`) {
			reason = string(b)
		}
	}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater || !strings.Contains(ce.Text, "too far behind") {
		t.Fatalf("client ended with %v, want close 1013 saying it is too far behind", err)
	}
	if !strings.Contains(reason, `"reason":"too_far_behind"`) {
		t.Errorf("bye %q, want the reason too_far_behind", reason)
	}
	if got := metric(t, reg, "cityops_web_live_clients_dropped_slow_total"); got != 1 {
		t.Errorf("dropped slow clients %v, want 1", got)
	}
}

// TestLiveIngestToClient: a new incident's delay is measured from intake
// receiving its event; later steps of it are not, since they did not come
// through intake.
func TestLiveIngestToClient(t *testing.T) {
	s, ts, reg := newTestServer(t, nil)
	c := connect(t, ts, "center-token")
	subscribe(t, c, centerSub)
	created := change(t, 5, cityops.ChangeCreated, cityops.StatusDispatched, 1)
	received := time.Now().Add(-200 * time.Millisecond)
	created.Event = &cityops.Event{ID: "ev-5", Received: received}
	s.Publish(created)
	next(t, c)
	s.Publish(change(t, 5, cityops.ChangeUpdated, cityops.StatusAccepted, 2))
	next(t, c)
	eventually(t, "both deliveries are observed", func() bool {
		return histogramCount(t, reg, "cityops_web_delivery_delay_seconds") >= 2
	})
	if n := histogramCount(t, reg, "cityops_web_ingest_to_client_seconds"); n != 1 {
		t.Fatalf("ingest-to-client observed %d times, want once (the created change only)", n)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "cityops_web_ingest_to_client_seconds" {
			if sum := mf.GetMetric()[0].GetHistogram().GetSampleSum(); sum < 0.2 {
				t.Fatalf("ingest-to-client %.3f s, want at least the 0.2 s since intake", sum)
			}
		}
	}
}

// TestLiveLeavesSignalsToTheDispatcher: a merged report is not the
// incident's state; the map waits for the dispatcher's update carrying the
// report count instead of replacing the incident with the report.
func TestLiveLeavesSignalsToTheDispatcher(t *testing.T) {
	s, ts, reg := newTestServer(t, nil)
	c := connect(t, ts, "center-token")
	subscribe(t, c, centerSub)
	s.Publish(change(t, 6, cityops.ChangeCreated, cityops.StatusDispatched, 1))
	next(t, c)
	merged := change(t, 6, cityops.ChangeMerged, cityops.StatusReported, 0)
	merged.Merge = &cityops.Merge{Signal: "ev-77", Seq: 1, Reports: 2}
	s.Publish(merged)
	cleared := change(t, 6, cityops.ChangeCleared, cityops.StatusReported, 0)
	cleared.Merge = &cityops.Merge{Signal: "al-1", Seq: 2, Reports: 2}
	s.Publish(cleared)
	update := change(t, 6, cityops.ChangeUpdated, cityops.StatusDispatched, 2)
	update.Incident.Reports = 2
	s.Publish(update)
	m := next(t, c)
	if m.Type != "upsert" || m.Incident.Version != 2 || m.Incident.Status != cityops.StatusDispatched {
		t.Fatalf("got %+v, want the dispatcher's update v2 (the signals sent nothing)", m)
	}
	if got := metric(t, reg, "cityops_web_changes_total", "result", "signal"); got != 2 {
		t.Errorf("signals counted %v, want 2", got)
	}
	if got := metric(t, reg, "cityops_web_changes_total", "result", "invalid"); got != 0 {
		t.Errorf("invalid changes %v, want 0", got)
	}
}
