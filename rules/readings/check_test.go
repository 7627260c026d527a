package readings

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
)

// TestCheckPlace: where a record's reading is. With the pack's registry, a
// registered device is where the registry says, whatever place the record
// gives, and any other device is refused, place or not. A pack without
// devices has no registry: there each record must give its place, and one
// without lat is dead-lettered naming lat.
func TestCheckPlace(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC) }
	bbox := [4]float64{117.0, 30.5, 117.2, 30.7}
	reg := ingest.NewRegistry([]cityops.Device{{ID: "water-001", Type: "water_level", Unit: "m", Lat: 30.6171, Lon: 117.07773}})
	const at = `"time":"2026-07-01T08:30:00Z"`
	for _, tc := range []struct {
		name     string
		reg      ingest.Registry
		record   string
		field    string // of the error; "" when valid
		lat, lon float64
	}{
		{"registered, no place", reg, `{"device_id":"water-001","value":0.1,` + at + `}`, "", 30.6171, 117.07773},
		{"registered, a place of its own", reg, `{"device_id":"water-001","value":0.1,` + at + `,"lat":0,"lon":0}`, "", 30.6171, 117.07773},
		{"unregistered, no place", reg, `{"device_id":"nobody","value":0.1,` + at + `}`, "device_id", 0, 0},
		{"unregistered, a place", reg, `{"device_id":"nobody","value":0.1,` + at + `,"lat":30.6,"lon":117.1}`, "device_id", 0, 0},
		{"no registry, a place", nil, `{"device_id":"nobody","type":"noise","unit":"dB","value":40,` + at + `,"lat":30.6,"lon":117.1}`, "", 30.6, 117.1},
		{"no registry, no place", nil, `{"device_id":"nobody","type":"noise","unit":"dB","value":40,` + at + `}`, "lat", 0, 0},
		{"no registry, no lon", nil, `{"device_id":"nobody","type":"noise","unit":"dB","value":40,` + at + `,"lat":30.6}`, "lon", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := newChecker(bbox, tc.reg, now).check([]byte(tc.record))
			if tc.field != "" {
				var fe *cityops.FieldError
				if !errors.As(err, &fe) || fe.Field != tc.field {
					t.Fatalf("error %v, want one naming %s", err, tc.field)
				}
				if tc.field == "lat" && !strings.Contains(err.Error(), "lat: required") {
					t.Errorf("error %q, want lat: required", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Lat != tc.lat || ev.Lon != tc.lon {
				t.Errorf("at %v,%v, want %v,%v", ev.Lat, ev.Lon, tc.lat, tc.lon)
			}
		})
	}
}
