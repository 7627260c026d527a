package readings

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

var benchRecord = []byte(`{"device_id":"water-001","type":"water_level","value":0.12,"unit":"m","time":"2026-07-01T08:30:00Z","lat":30.6171,"lon":117.07773,"id":"load-abc-000000001"}`)

// BenchmarkCheck: decoding and validating one record of readings.raw, as
// the stage does (decodeFlat, json v2 for what it does not take).
func BenchmarkCheck(b *testing.B) {
	reg := ingest.NewRegistry([]cityops.Device{{ID: "water-001", Type: "water_level", Unit: "m", Lat: 30.6171, Lon: 117.07773}})
	c := newChecker([4]float64{}, reg, func() time.Time { return time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC) })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.check(benchRecord); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckEncodingJSON: the same with encoding/json, as intake's
// DecodeReading does, for comparison.
func BenchmarkCheckEncodingJSON(b *testing.B) {
	reg := ingest.NewRegistry([]cityops.Device{{ID: "water-001", Type: "water_level", Unit: "m", Lat: 30.6171, Lon: 117.07773}})
	v := ingest.Validator{MaxAge: replayAge, Now: func() time.Time { return time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC) }}
	b.ReportAllocs()
	for b.Loop() {
		var r ingest.Reading
		if err := json.Unmarshal(benchRecord, &r); err != nil {
			b.Fatal(err)
		}
		if _, err := v.CheckReading(reg, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply: what the stage does for one reading between the consumer
// and the insert: decode, validate, place, alarms, the row appended, one
// record at a time (Handle checks a batch's records on every core first).
func BenchmarkApply(b *testing.B) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Pack: func() *rules.Pack { return pack }, Insert: func(context.Context, Rows) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	w := s.cur.Load()
	p := &partition{s: s, rows: s.newRows(), w: w, alarms: rules.NewAlarms(pack.Alarms, pack.Location), pending: map[string][]kafka.Message{}, places: map[string]place{}}
	now := time.Now().UTC()
	msgs := make([]kafka.Message, 1000)
	for i := range msgs {
		d := pack.Devices[i%len(pack.Devices)]
		msgs[i] = kafka.Message{Offset: int64(i), Value: fmt.Appendf(nil, `{"id":"r-%d","device_id":%q,"value":%g,"time":%q}`,
			i, d.ID, 0.01*float64(i%7), now.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano))}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % len(msgs)
		p.check(msgs[k : k+1])
		p.apply(0, msgs[k])
		i++
		if p.rows.Len() == 10000 {
			p.rows.Reset()
		}
	}
}
