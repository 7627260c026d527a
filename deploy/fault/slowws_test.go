package fault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/load"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/cityops/cityops/web"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// liveClient is a center client of the live map that collects the event
// ids of the incidents it is sent.
type liveClient struct {
	conn    *websocket.Conn
	prefix  []byte
	seen    map[int]int
	bye     string // the reason of the server's bye, if any
	closeAt error  // how the connection ended
}

// dialLive connects a center client subscribed to every incident in bbox.
// A client with a small socket buffer (slowBuf > 0) stands for one on a
// slow link: what it does not read stays with the server.
func dialLive(t *testing.T, url string, bbox [4]float64, prefix string, slowBuf int) *liveClient {
	t.Helper()
	d := *websocket.DefaultDialer
	if slowBuf > 0 {
		d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				err = c.(*net.TCPConn).SetReadBuffer(slowBuf)
			}
			return c, err
		}
	}
	conn, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// The token goes in the auth message: the server refuses one in the URL.
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"auth","token":"center"}`)); err != nil {
		t.Fatal(err)
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte(load.Subscription(bbox))); err != nil {
		t.Fatal(err)
	}
	return &liveClient{conn: conn, prefix: []byte(`"event_id":"` + prefix), seen: map[int]int{}}
}

// read reads until the connection ends or idle passes without a message
// (first before the first message).
func (c *liveClient) read(first, idle time.Duration) {
	for wait := first; ; wait = idle {
		c.conn.SetReadDeadline(time.Now().Add(wait))
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			c.closeAt = err
			return
		}
		if bytes.Contains(msg, []byte(`"type":"bye"`)) {
			c.bye = string(msg)
		}
		if !bytes.Contains(msg, []byte(`"type":"upsert"`)) && !bytes.Contains(msg, []byte(`"type":"snapshot"`)) {
			continue
		}
		for rest := msg; ; {
			i := bytes.Index(rest, c.prefix)
			if i < 0 {
				break
			}
			rest = rest[i+len(c.prefix):]
			j := bytes.IndexByte(rest, '"')
			if n, err := strconv.Atoi(string(rest[:j])); err == nil {
				c.seen[n]++
			}
		}
	}
}

// TestSlowWebsocketClients: one live map client stops reading while
// incidents stream to it and to fast clients. The slow one is told it is too
// far behind and closed; the fast ones get every incident once. The
// incidents come as in production: replayed reports on events.raw, the
// processor's stateful stages, and the web server's consumer of
// incidents.changes. Reports that the merge stage joins to an open incident
// are not the live map's to show (the dispatcher's update of the incident
// does that), so what every fast client must get is each incident created.
func TestSlowWebsocketClients(t *testing.T) {
	n, rate, fast := 12_000, 4_000.0, 3
	if *full {
		n, rate, fast = 60_000, 5_000, 20
	}
	realdata.Require(t) // the traffic replays NYC 311 requests
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	srv, err := web.New(web.Config{
		Registry: reg,
		City: cityops.City{Name: pack.Name, TimeZone: pack.TimeZone, Center: areas.Center(), BBox: areas.BBox(), Areas: areas.Areas(),
			Departments: pack.Departments, Categories: pack.Categories},
		AreasGeoJSON: pack.AreasGeoJSON,
		Authenticate: func(token string) (web.View, bool) { return web.View{Role: web.RoleCenter}, token == "center" },
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close) // after the clients' cleanups have closed them
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws/live"

	b, err := broker.Start("127.0.0.1:0", t.TempDir(), partitions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	brokers := []string{b.Addr()}
	if err := ensureTopics(ctx, brokers); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	traffic := newTraffic(t, pack, "slowws")
	stages, stop := context.WithCancel(ctx)
	defer stop()
	var running sync.WaitGroup
	running.Go(func() {
		if err := processor(stages, brokers, pack, log); err != nil {
			t.Errorf("processor: %v", err)
		}
	})
	running.Go(func() { // as cmd/cityops's web role feeds its live map
		err := bus.Consume(stages, bus.ConsumerConfig{
			Brokers: brokers, Topic: bus.TopicIncidentChanges, Group: "cityops-web-fault",
			BatchSize: 1000, BatchWait: 5 * time.Millisecond, Logger: log,
		}, srv.ChangeHandler())
		if err != nil {
			t.Errorf("web consumer: %v", err)
		}
	})
	created := newCreatedLog(stages, brokers, traffic.Prefix(), &running)
	defer func() { stop(); running.Wait() }()

	slow := dialLive(t, url, areas.BBox(), traffic.Prefix(), 4096)
	var clients []*liveClient
	var wg sync.WaitGroup
	for range fast {
		c := dialLive(t, url, areas.BBox(), traffic.Prefix(), 0)
		clients = append(clients, c)
		// A fast client stops after 10 s without news: long enough for a
		// loaded machine's pauses, so it never stops reading mid-stream.
		wg.Go(func() { c.read(time.Minute, 10*time.Second) })
	}
	time.Sleep(200 * time.Millisecond) // let the subscriptions arrive
	if r, err := load.Run(ctx, load.Config{Traffic: traffic, Kafka: brokers, Rate: rate, Events: n}); err != nil || r.Accepted != int64(n) {
		t.Fatalf("producing %d events: %v", n, err)
	}
	wg.Wait()
	// The slow client now reads at full speed what the server had sent it
	// before dropping it.
	for end := time.Now().Add(30 * time.Second); counter(t, reg, "cityops_web_live_clients_dropped_slow_total") == 0 && time.Now().Before(end); {
		time.Sleep(100 * time.Millisecond)
	}
	if err := slow.conn.UnderlyingConn().(*net.TCPConn).SetReadBuffer(4 << 20); err != nil {
		t.Fatal(err)
	}
	slow.read(15*time.Second, 15*time.Second) // longer than the server waits for one write (10 s)

	// A client whose socket is full cannot read the bye queued behind what
	// fills it; the server's reason shows in its metric then.
	dropped := counter(t, reg, "cityops_web_live_clients_dropped_slow_total")
	var ce *websocket.CloseError
	if !errors.As(slow.closeAt, &ce) || len(slow.seen) >= n || dropped != 1 {
		t.Errorf("slow client: ended with %v after %d of %d incidents, dropped as slow %v times; want it closed by the server and counted once",
			slow.closeAt, len(slow.seen), n, dropped)
	}
	if slow.bye != "" && !strings.Contains(slow.bye, "too_far_behind") {
		t.Errorf("slow client: bye %s, want too_far_behind", slow.bye)
	}
	waitLag(ctx, t, brokers, bus.GroupMerge, stateful.TopicSignals)
	waitLag(ctx, t, brokers, "cityops-web-fault", bus.TopicIncidentChanges)
	want := created.ids()
	var lost, dup int64
	for _, c := range clients {
		for i := range want {
			switch c.seen[i] {
			case 0:
				lost++
			case 1:
			default:
				dup += int64(c.seen[i] - 1)
			}
		}
	}
	how := fmt.Sprintf("bye %q and close %d", byeReason(slow.bye), closeCode(slow.closeAt))
	if slow.bye == "" {
		how = fmt.Sprintf("closed (%d, the bye stuck behind its full socket), counted in live_clients_dropped_slow_total", closeCode(slow.closeAt))
	}
	note := fmt.Sprintf("%d events made %d incidents (the others merged); %d fast clients each got every incident; the slow one got %d, then %s",
		n, len(want), fast, len(slow.seen), how)
	record(t, result{scenario: fmt.Sprintf("slow websocket client (%d events at %.0f/s)", n, rate), in: int64(len(want)),
		stored: int64(len(want)*fast) - lost, lost: lost, dup: dup, incidents: -1, note: note})
}

// createdLog records the events whose report created an incident, from the
// changes topic, in a consumer group of its own.
type createdLog struct {
	mu  sync.Mutex
	set map[int]bool
}

func newCreatedLog(ctx context.Context, brokers []string, prefix string, running *sync.WaitGroup) *createdLog {
	l := &createdLog{set: map[int]bool{}}
	running.Go(func() {
		_ = bus.Consume(ctx, bus.ConsumerConfig{
			Brokers: brokers, Topic: bus.TopicIncidentChanges, Group: "fault-created", BatchWait: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
		}, func(_ context.Context, batch []kafka.Message) error {
			l.mu.Lock()
			defer l.mu.Unlock()
			for _, m := range batch {
				var c cityops.Change
				if err := json.Unmarshal(m.Value, &c); err != nil {
					return err
				}
				if c.Kind != cityops.ChangeCreated || !strings.HasPrefix(c.Incident.EventID, prefix) {
					continue
				}
				if n, err := strconv.Atoi(c.Incident.EventID[len(prefix):]); err == nil {
					l.set[n] = true
				}
			}
			return nil
		})
	})
	return l
}

func (l *createdLog) ids() map[int]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.set)
}

// waitLag waits until group has consumed all of topic.
func waitLag(ctx context.Context, t *testing.T, brokers []string, group, topic string) {
	t.Helper()
	for {
		lag, err := bus.GroupLag(ctx, brokers, group, topic)
		if err == nil && bus.TotalLag(lag) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s to consume %s: lag %v, %v", group, topic, lag, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func newTraffic(t *testing.T, pack *rules.Pack, run string) *load.Traffic {
	t.Helper()
	nyc := realdata.Read(t, "nyc311/nyc311_dev.csv")
	tr, err := load.NewTraffic(run, pack, load.Sources{NYC311: nyc, HotlineMix: 1})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func byeReason(bye string) string {
	const key = `"reason":"`
	i := strings.Index(bye, key)
	if i < 0 {
		return ""
	}
	rest := bye[i+len(key):]
	return rest[:max(0, strings.IndexByte(rest, '"'))]
}

func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// counter returns the value of a counter in reg.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			sum := 0.0
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
			return sum
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
