package load

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// TestRunProducesEveryEventOnce drives a real embedded broker: every hotline
// event of the run is on events.raw once, as intake writes it, every reading
// on readings.raw once, as a gateway writes it, and the report counts what
// was sent.
func TestRunProducesEveryEventOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	if err := bus.EnsureTopics(ctx, brokers, 2, bus.TopicEventsRaw, bus.TopicReadingsRaw); err != nil {
		t.Fatal(err)
	}
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTraffic("t1", pack, Sources{HotlineMix: 0.5}) // the demo city's simulated traffic: runs without real data
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	const n = 4000
	r, err := Run(ctx, Config{Traffic: tr, Kafka: brokers, Rate: 2000, Events: n, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != n || r.Accepted != n || r.Hotline != n/2 || r.Failed != 0 {
		t.Fatalf("report: sent %d accepted %d hotline %d failed %d, want %d, %d, %d, 0", r.Sent, r.Accepted, r.Hotline, r.Failed, n, n, n/2)
	}
	if r.SendSeconds < 1.5 {
		t.Errorf("%d events at 2000/s took %.2fs: the rate was not kept", n, r.SendSeconds)
	}
	if !strings.Contains(progress.String(), "sent") {
		t.Errorf("no progress line in %q", progress.String())
	}

	seen := map[string]int{}
	rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: bus.TopicEventsRaw, GroupID: "t", StartOffset: kafka.FirstOffset})
	defer rd.Close()
	for len(seen) < n/2 {
		m, err := rd.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %d of %d: %v", len(seen), n, err)
		}
		var ev cityops.Event
		if err := json.Unmarshal(m.Value, &ev); err != nil || string(m.Key) != ev.ID || ev.Received.IsZero() {
			t.Fatalf("record %s is not an intake event: %v %s", m.Key, err, m.Value)
		}
		seen[ev.ID]++
	}
	rr := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: bus.TopicReadingsRaw, GroupID: "t", StartOffset: kafka.FirstOffset})
	defer rr.Close()
	for len(seen) < n {
		m, err := rr.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %d of %d: %v", len(seen), n, err)
		}
		var r ingest.Reading
		if err := json.Unmarshal(m.Value, &r); err != nil || string(m.Key) != r.DeviceID || r.Value == nil {
			t.Fatalf("record %s is not a gateway's reading: %v %s", m.Key, err, m.Value)
		}
		seen[r.ID]++
	}
	for id, c := range seen {
		if c != 1 || !strings.HasPrefix(id, tr.Prefix()) {
			t.Fatalf("%s seen %d times", id, c)
		}
	}
}

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := *summarize(ds)
	want := Latency{Count: 100, P50: 51, P90: 91, P99: 100, Max: 100}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if l := summarize(nil); l.Count != 0 {
		t.Errorf("no latencies: got %+v", l)
	}
}
