package readings_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/readings"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/segmentio/kafka-go"
)

// sink is an Insert that remembers the ids it stored, and fails its first
// insert as a ClickHouse that is down would.
type sink struct {
	mu     sync.Mutex
	failed bool
	ids    []string
}

func (s *sink) insert(_ context.Context, rows readings.Rows) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.failed {
		s.failed = true
		return errors.New("clickhouse is down")
	}
	s.ids = append(s.ids, rows.IDs()...)
	return nil
}

func (s *sink) stored() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}

type env struct {
	brokers []string
	pack    *rules.Pack
	sink    *sink
	topics  string // suffix of the test's topics
}

func start(t *testing.T, name string) (*env, context.Context) {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", "", 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	e := &env{brokers: []string{b.Addr()}, pack: pack, sink: &sink{}, topics: name}
	if err := bus.EnsureTopics(ctx, e.brokers, 2, "readings."+name, "signals."+name, "dlq."+name); err != nil {
		t.Fatal(err)
	}
	if err := bus.EnsureCompacted(ctx, e.brokers, 2, "snaps."+name); err != nil {
		t.Fatal(err)
	}
	return e, ctx
}

func (e *env) run(ctx context.Context, t *testing.T) {
	ws := stateful.NewWriters(e.brokers)
	snaps := stateful.NewSnapshots(e.brokers, "snaps."+e.topics)
	st, err := readings.New(readings.Config{
		Brokers: e.brokers, Group: "g." + e.topics, Topic: "readings." + e.topics, Signals: "signals." + e.topics,
		DeadLetters: "dlq." + e.topics, Snapshots: snaps, Pack: func() *rules.Pack { return e.pack },
		Insert: e.sink.insert, Publish: ws.Publish, Wait: 20 * time.Millisecond, Offline: 50 * time.Millisecond,
		Session: 6 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- st.Run(rctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		ws.Close()
		snaps.Close()
	})
}

func (e *env) send(ctx context.Context, t *testing.T, lines ...string) {
	t.Helper()
	w := bus.NewWriter(e.brokers, "readings."+e.topics)
	defer w.Close()
	for _, l := range lines {
		var r struct {
			Device string `json:"device_id"`
		}
		json.Unmarshal([]byte(l), &r)
		if err := w.WriteMessages(ctx, kafka.Message{Key: []byte(r.Device), Value: []byte(l)}); err != nil {
			t.Fatal(err)
		}
	}
}

// read returns the first n records of topic, or fails after a while.
func (e *env) read(ctx context.Context, t *testing.T, topic string, n int) []kafka.Message {
	t.Helper()
	var out []kafka.Message
	for p := range 2 {
		_, end, err := stateful.PartitionEnd(ctx, e.brokers, topic, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := stateful.ReadRange(ctx, e.brokers, topic, p, 0, end, func(m kafka.Message) { out = append(out, m) }); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func reading(device string, v float64, at time.Time) string {
	return fmt.Sprintf(`{"device_id":%q,"value":%g,"time":%q}`, device, v, at.UTC().Format(time.RFC3339))
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEveryReadingStoredOnlyTransitionsSent: every valid reading is stored
// (after a failed insert, retried), invalid ones (a reading of an
// unregistered device among them) are dead-lettered with the field named,
// and of four readings over the threshold only the raise leaves the stage:
// no signal for readings that raise nothing, nor for an update of an open
// alarm.
func TestEveryReadingStoredOnlyTransitionsSent(t *testing.T) {
	e, ctx := start(t, "transitions")
	now := time.Now().Truncate(time.Second)
	var lines []string
	for i := range 4 {
		lines = append(lines, reading("water-001", 0.2, now.Add(time.Duration(i-5)*time.Minute)))
	}
	for i := range 20 {
		lines = append(lines, reading("noise-002", 40, now.Add(time.Duration(i-20)*time.Second)))
	}
	lines = append(lines,
		`{"device_id":"water-002","value":"high","time":"`+now.Format(time.RFC3339)+`"}`,
		`{"device_id":"water-002","value":0.1,"time":"`+now.Format(time.RFC3339)+`","colour":"blue"}`,
		// not registered: refused although it gives a place in the city
		`{"device_id":"nobody","value":1,"time":"`+now.Format(time.RFC3339)+`","lat":30.6171,"lon":117.07773}`,
	)
	e.send(ctx, t, lines...)
	e.run(ctx, t)
	waitFor(t, "24 readings stored", func() bool { return len(e.sink.stored()) >= 24 })
	dl := e.read(ctx, t, "dlq."+e.topics, 3)
	waitFor(t, "3 dead letters", func() bool { dl = e.read(ctx, t, "dlq."+e.topics, 3); return len(dl) >= 3 })
	var reasons []string
	for _, m := range dl {
		var reason string
		for _, h := range m.Headers {
			if h.Key == bus.HeaderReason {
				reason = string(h.Value)
			}
		}
		reasons = append(reasons, reason)
	}
	joined := strings.Join(reasons, "\n")
	for _, want := range []string{"value:", "colour: unknown field", `device_id: "nobody" is not a registered device`} {
		if !strings.Contains(joined, want) {
			t.Errorf("dead letters %q name no %q", reasons, want)
		}
	}
	sig := e.read(ctx, t, "signals."+e.topics, 1)
	waitFor(t, "a signal", func() bool { sig = e.read(ctx, t, "signals."+e.topics, 1); return len(sig) >= 1 })
	time.Sleep(200 * time.Millisecond)
	sig = e.read(ctx, t, "signals."+e.topics, 1)
	if len(sig) != 1 || !strings.Contains(string(sig[0].Value), `"kind":"raised"`) || !strings.Contains(string(sig[0].Value), `"water_level.high"`) {
		t.Fatalf("signals %d, want one raise of water_level.high: %v", len(sig), sig)
	}
	if got := len(e.sink.stored()); got != 24 {
		t.Errorf("%d readings stored, want 24", got)
	}
}

// TestOfflineOnTheWallClock: a device that stops sending is reported
// offline although no other reading arrives on its partition.
func TestOfflineOnTheWallClock(t *testing.T) {
	e, ctx := start(t, "offline")
	e.send(ctx, t, reading("noise-003", 40, time.Now().Add(-31*time.Minute)))
	e.run(ctx, t)
	var sig []kafka.Message
	waitFor(t, "an offline alarm", func() bool { sig = e.read(ctx, t, "signals."+e.topics, 1); return len(sig) >= 1 })
	if !strings.Contains(string(sig[0].Value), `"device.offline"`) || !strings.Contains(string(sig[0].Value), `"noise-003"`) {
		t.Fatalf("signal %s, want noise-003 offline", sig[0].Value)
	}
}
