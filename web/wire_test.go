package web

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
)

// TestEncodeIncidentAsEncodingJSON holds the live map's incident JSON, which
// the json v2 codec writes, to what encoding/json writes, byte for byte,
// for incidents with every field set, with none, and with the strings and
// numbers where the two could differ (HTML characters, line separators,
// invalid UTF-8, large and negative floats, times in other zones). The one
// difference bus.EncodeJSON documents, U+FFFD for invalid UTF-8 written
// as itself rather than escaped, is the only one allowed.
func TestEncodeIncidentAsEncodingJSON(t *testing.T) {
	cells, err := geo.CellsOf(31.2304, 121.4737)
	if err != nil {
		t.Fatal(err)
	}
	shanghai := time.FixedZone("CST", 8*3600)
	full := cityops.Incident{
		ID: "inc-1", EventID: "ev-1", Source: cityops.SourceHotline, Type: "complaint",
		Text:     "<b>noise</b> & \"smoke\" \u2028 next\u2029line \x01\t\xff\xfe end",
		Category: "010101", CategoryName: "井盖 manhole", Severity: 4, Status: cityops.StatusDispatched,
		Lat: 31.2304, Lon: 121.4737, Cell: cells.Cell, Cell7: cells.Cell7, Cell5: cells.Cell5,
		AreaID: "310101", DistrictID: "3101", DepartmentID: "water",
		Cooperating: []string{"roads", "<police>"}, Rules: []string{"r1"},
		Reported: time.Date(2026, 3, 1, 8, 0, 0, 123456789, shanghai), Updated: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		Deadline: time.Date(2026, 3, 2, 9, 0, 0, 1, shanghai), Version: 1<<63 + 5,
		Reports: 3, ReportIDs: []string{"a", "b"}, Signals: []string{"s"}, LastSignal: time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC), MergeSeq: 9,
	}
	odd := full
	odd.Lat, odd.Lon, odd.Cell = -1e21, 1e-7, 0 // no cell: the hex is null
	odd.Cooperating, odd.Rules, odd.ReportIDs = []string{}, nil, []string{""}
	for name, inc := range map[string]cityops.Incident{"full": full, "odd": odd, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			hx := newHexes()
			cell, got, err := encodeIncident(&inc, hx)
			if err != nil {
				t.Fatal(err)
			}
			_, hex := hx.of(&inc)
			w := wireIncident{Incident: &inc, Hex: hex}
			if cell != 0 {
				w.H3 = cell.String()
			}
			want, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			want = bytes.ReplaceAll(want, []byte(`\ufffd`), []byte("\uFFFD"))
			if !bytes.Equal(got, want) {
				t.Errorf("wrote\n%s\nencoding/json writes\n%s", got, want)
			}
		})
	}
}
