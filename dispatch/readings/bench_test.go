package readings

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cityops/cityops/ingest"
)

var benchRecord = []byte(`{"device_id":"water-001","type":"water_level","value":0.12,"unit":"m","time":"2026-07-01T08:30:00Z","lat":30.6171,"lon":117.07773,"id":"load-abc-000000001"}`)

// BenchmarkCheck: decoding and validating one record of readings.raw, as
// the stage does (json v2, strict).
func BenchmarkCheck(b *testing.B) {
	reg := ingest.NewRegistry([]ingest.Device{{ID: "water-001", Type: "water_level", Unit: "m", Lat: 30.6171, Lon: 117.07773}})
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
	reg := ingest.NewRegistry([]ingest.Device{{ID: "water-001", Type: "water_level", Unit: "m", Lat: 30.6171, Lon: 117.07773}})
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
