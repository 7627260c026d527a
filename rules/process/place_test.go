package process_test

import (
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/process"
)

// TestProcessUsesTiebreaks: near a boundary, the pack's learned tie-breaks
// place an event where the city's past records at that spot were placed;
// without them the geometry decides.
func TestProcessUsesTiebreaks(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	plain, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	// A point 3 m from a boundary between two streets of the demo city.
	ix := plain.Areas()
	b := ix.BBox()
	var lat, lon float64
	var geometric, other string
search:
	for y := b[1]; y < b[3]; y += 0.0005 {
		for x := b[0]; x < b[2]; x += 0.00001 {
			if near := ix.Near(y, x, 3); len(near) == 2 {
				lat, lon, geometric, other = y, x, near[0], near[1]
				break search
			}
		}
	}
	if other == "" {
		t.Fatal("no boundary between two areas found in the demo city")
	}
	at := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	ev := cityops.Event{ID: "tb", Source: cityops.SourceHotline, Type: "complaint", Text: "违停车辆堵住消防通道", Lat: lat, Lon: lon, Time: at, Received: at}
	c, ok, err := plain.Process(&ev)
	if err != nil || !ok {
		t.Fatalf("process without tie-breaks: %v %v", ok, err)
	}
	if c.Incident.AreaID != geometric {
		t.Fatalf("without tie-breaks placed in %s, want the geometric %s", c.Incident.AreaID, geometric)
	}

	learned := *pack
	learned.Tiebreaks = rules.NewTiebreaks([]rules.TiebreakEntry{{Lat: lat, Lon: lon, Area: other}, {Lat: lat, Lon: lon, Area: other}})
	p, err := process.New(&learned)
	if err != nil {
		t.Fatal(err)
	}
	c, ok, err = p.Process(&ev)
	if err != nil || !ok {
		t.Fatalf("process with tie-breaks: %v %v", ok, err)
	}
	if c.Incident.AreaID != other {
		t.Fatalf("with tie-breaks placed in %s, want %s, where the city's records at the spot are", c.Incident.AreaID, other)
	}
}
