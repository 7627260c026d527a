package readings

import (
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
)

// TestCheckTakesIntakesRecord: a reading posted to intake reaches the
// readings topic as intake's normalized record, carrying the id derived
// from its device and time; the stage takes it with that id, as it takes
// the same reading without one, and still refuses any other id of the
// readings' namespace.
func TestCheckTakesIntakesRecord(t *testing.T) {
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	reg := ingest.NewRegistry([]cityops.Device{{ID: "water-001", Type: "water_level", Unit: "m", Lat: 30.6171, Lon: 117.07773}})
	c := newChecker([4]float64{}, reg, func() time.Time { return now })
	v := ingest.Validator{Now: func() time.Time { return now }}

	line := `{"device_id":"water-001","value":0.5,"time":"2026-07-01T08:30:00.123Z"}`
	posted, err := v.DecodeReading(reg, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ingest.ReadingRecord(posted)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rec.Value), `"id":"`+posted.ID+`"`) {
		t.Fatalf("intake's record %s does not carry the id %s", rec.Value, posted.ID)
	}
	ev, err := c.check(rec.Value)
	if err != nil {
		t.Fatalf("intake's record %s refused: %v", rec.Value, err)
	}
	bare, err := c.check([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != posted.ID || bare.ID != posted.ID {
		t.Errorf("ids %s (intake's record) and %s (a gateway's), want %s", ev.ID, bare.ID, posted.ID)
	}

	other := ingest.ReadingID(cityops.Event{DeviceID: "water-002", Time: posted.Time}) // another device's reading
	forged := strings.Replace(string(rec.Value), posted.ID, other, 1)
	if _, err := c.check([]byte(forged)); err == nil || !strings.Contains(err.Error(), "id:") {
		t.Errorf("a record with another reading's id %s: %v, want refused naming id", other, err)
	}
}
