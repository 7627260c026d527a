package stateful

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// benchEvents returns real traffic as raw-topic records: the NYC 311
// requests as hotline reports and, placed in the demo city, the Chicago
// beach turbidity series replayed as water-level readings of ten devices.
func benchEvents(b testing.TB) []kafka.Message {
	b.Helper()
	var evs []*cityops.Event
	rows := func(path string, fn func(col map[string]int, rec []string)) {
		f := realdata.Open(b, path)
		r := csv.NewReader(f)
		head, err := r.Read()
		if err != nil {
			b.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range head {
			col[h] = i
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				b.Fatal(err)
			}
			fn(col, rec)
		}
	}
	rows("nyc311/nyc311_dev.csv", func(col map[string]int, rec []string) {
		lat, err1 := strconv.ParseFloat(rec[col["latitude"]], 64)
		lon, err2 := strconv.ParseFloat(rec[col["longitude"]], 64)
		at, err3 := time.Parse("2006-01-02T15:04:05", rec[col["created_date"]])
		if err1 == nil && err2 == nil && err3 == nil {
			evs = append(evs, &cityops.Event{ID: "nyc-" + rec[col["unique_key"]], Source: cityops.SourceHotline, Type: "311",
				Text: rec[col["complaint_type"]] + ": " + rec[col["descriptor"]], Lat: lat, Lon: lon, Time: at, Received: at})
		}
	})
	p, err := rules.Load(demo.City())
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	rows("iot/chicago_beach/Beach_Water_Quality_-_Automated_Sensors.csv", func(col map[string]int, rec []string) {
		v, err1 := strconv.ParseFloat(rec[col["Turbidity"]], 64)
		at, err2 := time.Parse("01/02/2006 03:04:05 PM", rec[col["Measurement Timestamp"]])
		if err1 != nil || err2 != nil {
			return
		}
		d := p.Devices[n%10]
		n++
		v /= 20 // NTU to metres of water, so that some readings cross the thresholds
		evs = append(evs, &cityops.Event{ID: rec[col["Measurement ID"]], Source: cityops.SourceIoT, Type: d.Type, DeviceID: d.ID,
			Lat: d.Lat, Lon: d.Lon, Time: at, Received: at, Value: &v})
	})
	slices.SortStableFunc(evs, func(a, b *cityops.Event) int { return a.Time.Compare(b.Time) })
	msgs := make([]kafka.Message, len(evs))
	for i, ev := range evs {
		v, err := json.Marshal(ev)
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = kafka.Message{Value: v, Offset: int64(i)}
	}
	return msgs
}

// demoStage returns a stage without Kafka and the demo city's world.
func demoStage(tb testing.TB) (*Stage, *world) {
	tb.Helper()
	p, err := rules.Load(demo.City())
	if err != nil {
		tb.Fatal(err)
	}
	w, err := newWorld(p)
	if err != nil {
		tb.Fatal(err)
	}
	return &Stage{cfg: Config{Topics: DefaultTopics, AnyPlace: true}}, w
}

// runBatch runs a batch of raw-topic records through a classify partition
// and the signals it emits through a merge partition, as partition.Handle
// does: each batch decoded ahead, applied record by record, and the merge
// stage's changes encoded before they would be published.
func runBatch(ctx context.Context, c, g machine, batch []kafka.Message) (out, merged outputs, err error) {
	c.prepare(batch)
	for i, m := range batch {
		if err := c.apply(ctx, i, m, &out); err != nil {
			return out, merged, err
		}
	}
	signals := out.byTopic[DefaultTopics.Signals]
	g.prepare(signals)
	for i, m := range signals {
		if err := g.apply(ctx, i, m, &merged); err != nil {
			return out, merged, err
		}
	}
	return out, merged, merged.encode()
}

// BenchmarkStage runs both stages' partition state without Kafka, in
// batches of 500 events: decoding, classification, placement, alarm
// windows, the signal encoding between the stages, merge and fusion, and
// the output encoding. Reported per event of the input. With -cpu 1 it is
// the CPU per event; with more cores a batch decodes and the merge stage's
// changes encode in parallel.
func BenchmarkStage(b *testing.B) {
	msgs := benchEvents(b)
	s, w := demoStage(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	done, signals, changes := 0, 0, 0
	for done < b.N {
		c, g := s.newClassifier(w), s.newMerger(w)
		for i := 0; i < len(msgs) && done < b.N; i += 500 {
			batch := msgs[i:min(i+500, len(msgs), i+b.N-done)]
			out, merged, err := runBatch(ctx, c, g, batch)
			if err != nil {
				b.Fatal(err)
			}
			done += len(batch)
			signals += len(out.byTopic[DefaultTopics.Signals])
			changes += len(out.byTopic[DefaultTopics.Found]) + len(merged.byTopic[DefaultTopics.Found])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(signals)/float64(b.N), "signals/event")
	b.ReportMetric(float64(changes)/float64(b.N), "changes/event")
}

// BenchmarkMergeSnapshot encodes the merge stage's state after the whole
// real traffic of BenchmarkStage: what a busy partition saves every few
// seconds.
func BenchmarkMergeSnapshot(b *testing.B) {
	msgs := benchEvents(b)
	s, w := demoStage(b)
	c, g := s.newClassifier(w), s.newMerger(w)
	for i := 0; i < len(msgs); i += 500 {
		if _, _, err := runBatch(context.Background(), c, g, msgs[i:min(i+500, len(msgs))]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		st, err := g.snapshot()
		if err != nil {
			b.Fatal(err)
		}
		size = len(st)
	}
	b.ReportMetric(float64(size), "bytes")
}
