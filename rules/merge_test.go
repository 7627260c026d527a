package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
	"github.com/uber/h3-go/v4"
)

// cells returns a resolution-9 cell in the demo city, one of its neighbours
// and a cell two rings away.
func cells(t *testing.T) (c, near, far cityops.Cell) {
	t.Helper()
	o := h3.LatLngToCell(h3.NewLatLng(30.62, 117.07), 9)
	ring2 := o.GridDiskDistances(2)
	return cityops.Cell(o), cityops.Cell(ring2[1][0]), cityops.Cell(ring2[2][0])
}

func TestMerger(t *testing.T) {
	c, near, far := cells(t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	report := func(id, cat string, cell cityops.Cell, min int) rules.Candidate {
		return rules.Candidate{ID: id, IncidentID: "INC-" + id, Category: cat, Cell: cell, Time: at(min)}
	}
	alarm := func(id, typ, cat string, cell cityops.Cell, min int) rules.Candidate {
		return rules.Candidate{ID: id, IncidentID: "INC-" + id, Category: cat, Alarm: typ, Cell: cell, Time: at(min)}
	}
	type want struct {
		id     string
		merged bool
	}
	for _, tc := range []struct {
		name string
		in   []rules.Candidate
		want []want
	}{
		{"same cell, same category, within the window",
			[]rules.Candidate{report("a", "06010", c, 0), report("b", "06010", c, 30)},
			[]want{{"INC-a", false}, {"INC-a", true}}},
		{"neighbouring cell merges, two rings away does not",
			[]rules.Candidate{report("a", "06010", c, 0), report("b", "06010", near, 10), report("c", "06010", far, 20)},
			[]want{{"INC-a", false}, {"INC-a", true}, {"INC-c", false}}},
		{"another category does not merge",
			[]rules.Candidate{report("a", "06010", c, 0), report("b", "06028", c, 1)},
			[]want{{"INC-a", false}, {"INC-b", false}}},
		{"the window runs from the last report",
			[]rules.Candidate{report("a", "06010", c, 0), report("b", "06010", c, 100), report("c", "06010", c, 210), report("d", "06010", c, 400)},
			[]want{{"INC-a", false}, {"INC-a", true}, {"INC-a", true}, {"INC-d", false}}},
		{"unclassified reports never merge",
			[]rules.Candidate{report("a", "", c, 0), report("b", "", c, 1)},
			[]want{{"INC-a", false}, {"INC-b", false}}},
		{"the same report twice is one report",
			[]rules.Candidate{report("a", "06010", c, 0), report("a", "06010", c, 0)},
			[]want{{"INC-a", false}, {"INC-a", true}}},
		{"a flood alarm fuses with the complaints about the water",
			[]rules.Candidate{alarm("w1", "water_level.high", "0111", c, 0), report("a", "0111", near, 150), report("b", "0111", c, 160), alarm("w2", "water_level.rising", "0111", c, 170)},
			[]want{{"INC-w1", false}, {"INC-w1", true}, {"INC-w1", true}, {"INC-w1", true}}},
		{"complaints first, then the manhole alarm, with another category of the fusion rule",
			[]rules.Candidate{report("a", "01023", c, 0), alarm("m1", "manhole.tilt", "01003", near, 5)},
			[]want{{"INC-a", false}, {"INC-a", true}}},
		{"an alarm fuses only by the pack's fusion rules",
			[]rules.Candidate{alarm("n1", "noise.loud", "06028", c, 0), report("a", "06010", c, 5), alarm("n2", "noise.loud", "06028", c, 6)},
			[]want{{"INC-n1", false}, {"INC-a", false}, {"INC-n1", true}}},
		{"fusion keeps its own window",
			[]rules.Candidate{alarm("w1", "water_level.high", "0111", c, 0), report("a", "0111", c, 181)},
			[]want{{"INC-w1", false}, {"INC-a", false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := rules.NewMerger(loadDemo(t).Merge, rules.MergerOptions{})
			for i, cand := range tc.in {
				id, merged := m.Add(cand)
				if id != tc.want[i].id || merged != tc.want[i].merged {
					t.Errorf("Add(%s) = %s, %v; want %s, %v", cand.ID, id, merged, tc.want[i].id, tc.want[i].merged)
				}
			}
		})
	}
}

func TestMergerCountsAndForgets(t *testing.T) {
	c, near, _ := cells(t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	m := rules.NewMerger(loadDemo(t).Merge, rules.MergerOptions{MaxIDs: 3, MaxOpen: 50})
	for i := range 10 {
		cell := c
		if i%2 == 1 {
			cell = near
		}
		m.Add(rules.Candidate{ID: fmt.Sprint("r", i), IncidentID: fmt.Sprint("INC-r", i), Category: "06010", Cell: cell, Time: t0.Add(time.Duration(i) * time.Minute)})
	}
	inc, ok := m.Incident("INC-r0")
	if !ok || inc.Reports != 10 || len(inc.ReportIDs) != 3 || !inc.First.Equal(t0) || !inc.Last.Equal(t0.Add(9*time.Minute)) {
		t.Fatalf("got %+v, %v", inc, ok)
	}
	m.Expire(t0.Add(4 * time.Hour))
	if n := m.Len(); n != 0 {
		t.Errorf("%d incidents held after every window passed", n)
	}
	// Far-apart reports: the bound holds however many arrive.
	for i := range 500 {
		lat := 30.0 + float64(i)*0.01
		cell := h3.LatLngToCell(h3.NewLatLng(lat, 117), 9)
		m.Add(rules.Candidate{ID: fmt.Sprint("s", i), IncidentID: fmt.Sprint("INC-s", i), Category: "06010", Cell: cityops.Cell(cell), Time: t0.Add(5 * time.Hour)})
	}
	if n := m.Len(); n > 50 {
		t.Errorf("%d incidents held, bound 50", n)
	}
}

func TestMergerReconfigureKeepsIncidents(t *testing.T) {
	c, _, _ := cells(t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	m := rules.NewMerger(rules.MergeConfig{Window: time.Hour}, rules.MergerOptions{})
	m.Add(rules.Candidate{ID: "a", IncidentID: "INC-a", Category: "0111", Cell: c, Time: t0})
	m.Reconfigure(loadDemo(t).Merge) // adds the flood fusion rule
	id, merged := m.Add(rules.Candidate{ID: "w", IncidentID: "ALM-w", Category: "0111", Alarm: "water_level.high", Cell: c, Time: t0.Add(30 * time.Minute)})
	if id != "INC-a" || !merged {
		t.Errorf("after reconfigure: %s, %v", id, merged)
	}
}
