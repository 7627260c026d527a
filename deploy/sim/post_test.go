package sim

import (
	"strings"
	"testing"
)

// TestPostOf checks that a complaint goes to the events API and a sensor
// reading to the readings API, as one NDJSON line the readings path stores.
func TestPostOf(t *testing.T) {
	v := 0.42
	for _, tc := range []struct {
		ev               Event
		url, ctype, body string
	}{
		{Event{ID: "h1", Source: "hotline", Type: "complaint", Text: "x", Lat: 30.6, Lon: 117.1, Time: "2026-12-03T09:00:00Z"},
			"http://c/api/v1/events", "application/json", `"source":"hotline"`},
		{Event{ID: "r1", Source: "iot", Type: "water_level", Value: &v, Unit: "m", DeviceID: "water-001", Lat: 30.6, Lon: 117.1, Time: "2026-12-03T09:00:00Z"},
			"http://c/api/v1/readings", "application/x-ndjson", `{"device_id":"water-001","value":0.42,"time":"2026-12-03T09:00:00Z"}` + "\n"},
	} {
		p, err := postOf("http://c", tc.ev)
		if err != nil {
			t.Fatal(err)
		}
		if p.url != tc.url || p.contentType != tc.ctype || !strings.Contains(string(p.body), tc.body) {
			t.Errorf("%s: %s %s %s, want %s %s %s", tc.ev.ID, p.url, p.contentType, p.body, tc.url, tc.ctype, tc.body)
		}
	}
}
