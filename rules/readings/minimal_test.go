package readings_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/cityops/cityops/bus"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/segmentio/kafka-go"
)

// TestMinimalPipeline measures the floor the readings path is compared
// with (docs/performance.md): N JSON readings produced with kafka-go
// (acks=all, LZ4) to a fresh topic, consumed by one group reader, decoded
// (json v2), checked against a per-device threshold, and inserted into a
// copy of the readings table in 100k-row column-wise native batches, offsets
// committed after each insert; all on the same broker and ClickHouse as a
// running `cityops dev`. It runs only when CITYOPS_MINIMAL names them:
//
//	CITYOPS_MINIMAL=127.0.0.1:9092,127.0.0.1:9000 go test ./rules/readings -run MinimalPipeline -v -count=1
//
// (CITYOPS_MINIMAL_N readings, default 1,000,000; database cityops).
func TestMinimalPipeline(t *testing.T) {
	env := os.Getenv("CITYOPS_MINIMAL")
	if env == "" {
		t.Skip("CITYOPS_MINIMAL=BROKER,CLICKHOUSE not set")
	}
	broker, chAddr, _ := strings.Cut(env, ",")
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CITYOPS_MINIMAL_N")); err == nil && v > 0 {
		n = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	topic := "minimal.readings." + run
	brokers := []string{broker}
	if err := bus.EnsureTopics(ctx, brokers, 2, topic); err != nil {
		t.Fatal(err)
	}
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{chAddr}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS cityops.minimal_readings AS cityops.readings"); err != nil {
		t.Fatal(err)
	}
	type reading struct {
		ID     string  `json:"id"`
		Device string  `json:"device_id"`
		Type   string  `json:"type"`
		Value  float64 `json:"value"`
		Unit   string  `json:"unit"`
		Time   string  `json:"time"`
		Lat    float64 `json:"lat"`
		Lon    float64 `json:"lon"`
	}
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { // the producer
		w := bus.NewWriter(brokers, topic)
		w.BatchSize = 1000
		defer w.Close()
		var pw sync.WaitGroup
		for p := range 4 {
			pw.Go(func() {
				msgs := make([]kafka.Message, 0, 1000)
				for i := p; i < n; i += 4 {
					dev := "water-" + strconv.Itoa(i%1000)
					b := fmt.Appendf(nil, `{"id":"m-%s-%d","device_id":%q,"type":"water_level","value":%g,"unit":"m","time":%q,"lat":30.6171,"lon":117.07773}`,
						run, i, dev, float64(i%100)/100, time.Now().UTC().Format(time.RFC3339Nano))
					msgs = append(msgs, kafka.Message{Key: []byte(dev), Value: b})
					if len(msgs) == cap(msgs) || i+4 >= n {
						if err := w.WriteMessages(ctx, msgs...); err != nil {
							t.Error(err)
							return
						}
						msgs = msgs[:0]
					}
				}
			})
		}
		pw.Wait()
	})
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, GroupID: "minimal-" + run, MinBytes: 1, MaxBytes: 16 << 20,
		MaxWait: 100 * time.Millisecond, StartOffset: kafka.FirstOffset, CommitInterval: 0, QueueCapacity: 10000})
	defer r.Close()
	const batch = 100_000
	var (
		device, id, typ, unit, area, inc []string
		tm                               []time.Time
		ms, cell                         []uint64
		val, lat, lon                    []float64
		pending                          []kafka.Message
		over                             int
	)
	threshold := map[string]float64{}
	insert := func() {
		b, err := conn.PrepareBatch(ctx, "INSERT INTO cityops.minimal_readings (device_id, time, time_ms, id, type, value, unit, lat, lon, cell, area_id, incident_id)")
		if err != nil {
			t.Fatal(err)
		}
		for i, col := range []any{device, tm, ms, id, typ, val, unit, lat, lon, cell, area, inc} {
			if err := b.Column(i).Append(col); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
		if err := r.CommitMessages(ctx, pending...); err != nil {
			t.Fatal(err)
		}
		device, id, typ, unit, area, inc = device[:0], id[:0], typ[:0], unit[:0], area[:0], inc[:0]
		tm, ms, cell, val, lat, lon, pending = tm[:0], ms[:0], cell[:0], val[:0], lat[:0], lon[:0], pending[:0]
	}
	for got := 0; got < n; got++ {
		fctx, fcancel := context.WithTimeout(ctx, time.Second)
		m, err := r.FetchMessage(fctx)
		fcancel()
		if err != nil {
			if len(pending) > 0 {
				insert()
			}
			got--
			continue
		}
		var rd reading
		if err := jsonv2.Unmarshal(m.Value, &rd); err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339Nano, rd.Time)
		if err != nil {
			t.Fatal(err)
		}
		th, ok := threshold[rd.Device]
		if !ok {
			th = 0.5
			threshold[rd.Device] = th
		}
		if rd.Value >= th {
			over++
		}
		device, id, typ, unit, area, inc = append(device, rd.Device), append(id, rd.ID), append(typ, rd.Type), append(unit, rd.Unit), append(area, ""), append(inc, "")
		tm, ms, cell = append(tm, at.Truncate(time.Second)), append(ms, uint64(at.UnixMilli())), append(cell, 0)
		val, lat, lon = append(val, rd.Value), append(lat, rd.Lat), append(lon, rd.Lon)
		pending = append(pending, m)
		if len(pending) == batch {
			insert()
		}
	}
	if len(pending) > 0 {
		insert()
	}
	d := time.Since(start)
	wg.Wait()
	t.Logf("minimal pipeline: %d readings in %.1fs: %.0f readings/s end to end (%d over threshold)", n, d.Seconds(), float64(n)/d.Seconds(), over)
}
