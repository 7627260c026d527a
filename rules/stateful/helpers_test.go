package stateful_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/segmentio/kafka-go"
)

// beachPack is the demo city with the beach alarms added.
func beachPack(t testing.TB) *rules.Pack {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(demo.City(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(demo.City(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	extra, err := os.ReadFile("testdata/alarms_beach.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m["alarms.yaml"].Data = append(append(m["alarms.yaml"].Data, '\n'), extra...)
	p, err := rules.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// beachReadings returns one beach's turbidity and water temperature
// readings from the real Chicago file, as events in time order, placed at
// the sensor's real location.
func beachReadings(t testing.TB, beach string, lat, lon float64) []*cityops.Event {
	t.Helper()
	f := realdata.Open(t, "iot/chicago_beach/Beach_Water_Quality_-_Automated_Sensors.csv")
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	var out []*cityops.Event
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[col["Beach Name"]] != beach || rec[col["Measurement Timestamp"]] == "" {
			continue
		}
		at, err := time.ParseInLocation("01/02/2006 03:04:05 PM", rec[col["Measurement Timestamp"]], chicago)
		if err != nil {
			t.Fatal(err)
		}
		for typ, column := range map[string]string{"turbidity": "Turbidity", "water_temperature": "Water Temperature"} {
			if rec[col[column]] == "" {
				continue
			}
			v, err := strconv.ParseFloat(rec[col[column]], 64)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, &cityops.Event{ID: rec[col["Measurement ID"]] + "-" + typ, Source: cityops.SourceIoT, Type: typ,
				DeviceID: beach, Lat: lat, Lon: lon, Time: at.UTC(), Received: at.UTC(), Value: &v})
		}
	}
	slices.SortStableFunc(out, func(a, b *cityops.Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return cmpString(a.Type, b.Type)
	})
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// env is an embedded broker with the stage's topics.
type env struct {
	brokers []string
	topics  stateful.Topics
}

func newEnv(ctx context.Context, t testing.TB, partitions int) *env {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), partitions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	e := &env{brokers: []string{b.Addr()}, topics: stateful.DefaultTopics}
	if err := stateful.EnsureTopics(ctx, e.brokers, partitions, e.topics); err != nil {
		t.Fatal(err)
	}
	return e
}

// write sends events to the raw topic keyed as intake keys them: readings by
// device, reports by id.
func (e *env) write(ctx context.Context, t testing.TB, evs []*cityops.Event) {
	t.Helper()
	w := bus.NewWriter(e.brokers, e.topics.Events)
	defer w.Close()
	msgs := make([]kafka.Message, 0, len(evs))
	for _, ev := range evs {
		v, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		key := ev.ID
		if ev.DeviceID != "" {
			key = ev.DeviceID
		}
		msgs = append(msgs, kafka.Message{Key: []byte(key), Value: v})
	}
	for len(msgs) > 0 {
		n := min(len(msgs), 5000)
		if err := w.WriteMessages(ctx, msgs[:n]...); err != nil {
			t.Fatal(err)
		}
		msgs = msgs[n:]
	}
}

// replica is one running stage; stop stops it as a clean shutdown does.
type replica struct {
	stop func()
	done chan error
}

func (e *env) start(ctx context.Context, t testing.TB, pack func() *rules.Pack) *replica {
	t.Helper()
	ws := stateful.NewWriters(e.brokers)
	st, err := stateful.New(stateful.Config{
		Brokers: e.brokers, Group: "process", Topics: e.topics, Pack: pack,
		Publish: ws.Publish, Session: 6 * time.Second, Batch: 500, AnyPlace: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &replica{stop: cancel, done: make(chan error, 1)}
	go func() {
		err := st.Run(rctx)
		st.Close()
		ws.Close()
		r.done <- err
	}()
	return r
}

func (r *replica) halt(t testing.TB) {
	t.Helper()
	r.stop()
	if err := <-r.done; err != nil {
		t.Fatalf("stage: %v", err)
	}
}

// changes collects the incident changes the stage publishes.
type changes struct {
	mu  sync.Mutex
	all []cityops.Change
}

func (e *env) collect(ctx context.Context, t testing.TB) *changes {
	c := &changes{}
	go func() {
		_ = bus.Consume(ctx, bus.ConsumerConfig{Brokers: e.brokers, Topic: e.topics.Found, Group: fmt.Sprint("collect-", time.Now().UnixNano()), BatchWait: 10 * time.Millisecond},
			func(_ context.Context, batch []kafka.Message) error {
				c.mu.Lock()
				defer c.mu.Unlock()
				for _, m := range batch {
					var ch cityops.Change
					if err := json.Unmarshal(m.Value, &ch); err != nil {
						return err
					}
					c.all = append(c.all, ch)
				}
				return nil
			})
	}()
	return c
}

func (c *changes) snapshot() []cityops.Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.all)
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, t testing.TB, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
