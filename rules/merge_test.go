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

// TestMergerRepeats: a report that matches a done incident reopens it as a
// repeat within the category's reopen window, however long after the last
// report, and founds a new incident after it; alarms never reopen.
func TestMergerRepeats(t *testing.T) {
	c, near, _ := cells(t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cfg := rules.MergeConfig{Window: 2 * time.Hour, Reopen: rules.ReopenConfig{Categories: map[string]time.Duration{"0111": day}}}
	report := func(id, cat string, cell cityops.Cell, at time.Duration) rules.Candidate {
		return rules.Candidate{ID: id, IncidentID: "INC-" + id, Category: cat, Cell: cell, Time: t0.Add(at)}
	}
	type step struct {
		in             rules.Candidate
		done           time.Duration // >0: mark the first incident done this long after t0 before adding in
		id             string
		merged, repeat bool
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"a report days after closure reopens within the default week", []step{
			{in: report("a", "06010", c, 0), id: "INC-a"},
			{in: report("b", "06010", near, 3*day), done: day, id: "INC-a", merged: true, repeat: true},
			{in: report("c", "06010", c, 3*day+time.Hour), id: "INC-a", merged: true},
		}},
		{"after the window a report founds a new incident", []step{
			{in: report("a", "06010", c, 0), id: "INC-a"},
			{in: report("b", "06010", c, 9*day), done: day, id: "INC-b"},
		}},
		{"a category's own window", []step{
			{in: report("a", "0111", c, 0), id: "INC-a"},
			{in: report("b", "0111", c, 2*day+time.Hour), done: day, id: "INC-b"},
		}},
		{"within the merge window a done incident is reopened, not joined", []step{
			{in: report("a", "06010", c, 0), id: "INC-a"},
			{in: report("b", "06010", c, time.Hour), done: 30 * time.Minute, id: "INC-a", merged: true, repeat: true},
		}},
		{"a report from before it was done joins without reopening", []step{
			{in: report("a", "06010", c, 0), id: "INC-a"},
			{in: report("b", "06010", c, 20*time.Minute), done: time.Hour, id: "INC-a", merged: true},
			{in: report("c", "06010", c, 2*day), id: "INC-a", merged: true, repeat: true},
		}},
		{"another category founds its own", []step{
			{in: report("a", "06010", c, 0), id: "INC-a"},
			{in: report("b", "06028", c, day), done: time.Hour, id: "INC-b"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := rules.NewMerger(cfg, rules.MergerOptions{})
			for i, s := range tc.steps {
				if s.done > 0 {
					m.MarkDone(rules.Merged{ID: "INC-a"}, t0.Add(s.done))
					// The done state survives a snapshot.
					b, err := m.Snapshot()
					if err != nil {
						t.Fatal(err)
					}
					m = rules.NewMerger(cfg, rules.MergerOptions{})
					if err := m.Restore(b); err != nil {
						t.Fatal(err)
					}
				}
				id, merged, repeat := m.Place(s.in)
				if id != s.id || merged != s.merged || repeat != s.repeat {
					t.Errorf("step %d: got %s merged=%v repeat=%v, want %s %v %v", i, id, merged, repeat, s.id, s.merged, s.repeat)
				}
			}
		})
	}
}

func TestMergeReopenSettings(t *testing.T) {
	cfg := rules.MergeConfig{Reopen: rules.ReopenConfig{Window: 72 * time.Hour, Categories: map[string]time.Duration{"0111": time.Hour}}}
	for cat, want := range map[string]time.Duration{"0111": time.Hour, "06010": 72 * time.Hour} {
		if got := cfg.ReopenWindow(cat); got != want {
			t.Errorf("%s: got %v, want %v", cat, got, want)
		}
	}
	if got := (rules.MergeConfig{}).ReopenWindow("x"); got != rules.DefaultReopenWindow {
		t.Errorf("default: got %v", got)
	}
}

// TestMergerHoldsAgainWhatIsDone: an incident the merger forgot after its
// merge window is held again when it is marked done, with its counters, so
// a repeat days later still reopens it.
func TestMergerHoldsAgainWhatIsDone(t *testing.T) {
	c, near, far := cells(t)
	t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	m := rules.NewMerger(rules.MergeConfig{Window: 2 * time.Hour}, rules.MergerOptions{})
	m.Add(rules.Candidate{ID: "a", IncidentID: "INC-a", Category: "06010", Cell: c, Time: t0})
	m.Add(rules.Candidate{ID: "z", IncidentID: "INC-z", Category: "06010", Cell: far, Time: t0.Add(10 * time.Hour)})
	if _, held := m.Incident("INC-a"); held {
		t.Fatal("INC-a still held after its window")
	}
	m.MarkDone(rules.Merged{ID: "INC-a", Category: "06010", Cell: c, Reports: 3, ReportIDs: []string{"a", "b", "c"}, First: t0, Last: t0.Add(time.Hour)}, t0.Add(24*time.Hour))
	id, merged, repeat := m.Place(rules.Candidate{ID: "r", IncidentID: "INC-r", Category: "06010", Cell: near, Time: t0.Add(72 * time.Hour)})
	if id != "INC-a" || !merged || !repeat {
		t.Fatalf("got %s merged=%v repeat=%v", id, merged, repeat)
	}
	if inc, _ := m.Incident("INC-a"); inc.Reports != 4 || len(inc.ReportIDs) != 4 || !inc.Done.IsZero() {
		t.Fatalf("reopened: %+v", inc)
	}
}
