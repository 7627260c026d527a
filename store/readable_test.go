package store_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
)

// March 2026 in a small city, as the planner examples and the readable
// views are tested on: two departments, two categories, two areas, four
// hotline incidents (closed on time; returned once and closed late; open
// past its deadline after an escalation; closed on time) with their audit
// trails, repeat complaints in one cell, and a beach sensor's readings over
// a day.
func loadCity(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := testContext(t)
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC) }
	names := store.Names{
		Departments: []cityops.Department{{ID: "NYPD", Name: "Police"}, {ID: "DSNY", Name: "Sanitation"}, {ID: "DEP", Name: "Environmental Protection"}},
		Areas: []cityops.Area{
			{ID: "MN", Name: "Manhattan", Level: cityops.LevelDistrict},
			{ID: "MN01", Name: "Manhattan CD 1", Level: cityops.LevelStreet, ParentID: "MN"},
			{ID: "MN02", Name: "Manhattan CD 2", Level: cityops.LevelStreet, ParentID: "MN"},
		},
		Categories: []cityops.Category{
			{Code: "noise", Kind: cityops.KindEvent, Name: "Noise", DeadlineHours: 24},
			{Code: "dumping", Kind: cityops.KindEvent, Name: "Illegal dumping", DeadlineHours: 24},
			{Code: "water_quality", Kind: cityops.KindEvent, Name: "Water quality"},
		},
	}
	if err := s.SyncNames(ctx, names, at(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	const cellA, cellB = 617700169958293503, 617700169958326271 // 8928308280fffff, 892830828107fff
	type inc struct {
		id, category, dept, area string
		cell                     uint64
		status                   cityops.Status
		reported, updated, due   time.Time
		version                  uint64
	}
	incs := []inc{
		{"inc-1", "noise", "NYPD", "MN01", cellA, cityops.StatusClosed, at(2, 10, 0), at(2, 12, 0), at(3, 10, 0), 5},
		{"inc-2", "noise", "NYPD", "MN01", cellA, cityops.StatusClosed, at(9, 10, 0), at(12, 10, 0), at(10, 10, 0), 8},
		{"inc-3", "dumping", "DSNY", "MN02", cellB, cityops.StatusDispatched, at(10, 8, 0), at(11, 9, 0), at(11, 8, 0), 3},
		{"inc-4", "dumping", "DSNY", "MN02", cellB, cityops.StatusClosed, at(20, 9, 0), at(21, 9, 0), at(23, 9, 0), 5},
	}
	var changes []cityops.Change
	for _, x := range incs {
		in := cityops.Incident{
			ID: x.id, EventID: "ev-" + x.id, Source: cityops.SourceHotline, Type: x.category, Category: x.category,
			Severity: 2, Status: x.status, Lat: 40.71, Lon: -74.0, Cell: cityops.Cell(x.cell), Cell7: 608692970719281151,
			Cell5: 599685771850416127, AreaID: x.area, DistrictID: "MN", DepartmentID: x.dept,
			Reported: x.reported, Updated: x.updated, Deadline: x.due, Version: x.version,
		}
		changes = append(changes, cityops.Change{Kind: cityops.ChangeUpdated, Incident: in, Event: &cityops.Event{
			ID: "ev-" + x.id, Source: cityops.SourceHotline, Type: x.category, Text: "report", Lat: 40.71, Lon: -74.0,
			Time: x.reported, Received: x.reported,
		}})
	}
	// Two more noise complaints in inc-1's cell that merged into inc-2.
	for i, day := range []int{9, 11} {
		in := changes[1].Incident
		changes = append(changes, cityops.Change{Kind: cityops.ChangeUpdated, Incident: in, Event: &cityops.Event{
			ID: fmt.Sprintf("ev-repeat-%d", i), Source: cityops.SourceHotline, Type: "noise", Text: "again",
			Lat: 40.71, Lon: -74.0, Time: at(day, 22, 0), Received: at(day, 22, 0),
		}})
	}
	// A beach sensor's hourly readings on 15 March, on one IoT incident.
	water := cityops.Incident{
		ID: "inc-5", EventID: "ev-r-0", Source: cityops.SourceIoT, Type: "turbidity", Category: "water_quality",
		Severity: 1, Status: cityops.StatusDispatched, Lat: 41.9, Lon: -87.6, Cell: cellB, Cell7: 608692970719281151,
		Cell5: 599685771850416127, AreaID: "MN02", DistrictID: "MN", DepartmentID: "DEP",
		Reported: at(15, 0, 0), Updated: at(15, 0, 0), Version: 1,
	}
	var readings store.Readings // the readings path stores them, the changes carry them
	for h := range 24 {
		v := 1.5 + float64(h%6)
		ev := &cityops.Event{
			ID: fmt.Sprintf("ev-r-%d", h), Source: cityops.SourceIoT, Type: "turbidity", Lat: 41.9, Lon: -87.6,
			Time: at(15, h, 30), Received: at(15, h, 30), Value: &v, Unit: "NTU", DeviceID: "beach-63rd",
		}
		changes = append(changes, cityops.Change{Kind: cityops.ChangeUpdated, Incident: water, Event: ev})
		readings.Add(ev, cellB, "MN02")
	}
	if err := s.InsertReadings(ctx, &readings); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	tr := func(id string, v uint64, action string, from, to cityops.Status, actor, dept string, when time.Time, note string) store.Transition {
		return store.Transition{IncidentID: id, Version: v, Action: action, From: from, To: to, Actor: actor,
			DepartmentID: dept, Time: when, Note: note}
	}
	const (
		rep, reg, dis, acc = cityops.StatusReported, cityops.StatusRegistered, cityops.StatusDispatched, cityops.StatusAccepted
		res, clo           = cityops.StatusResolved, cityops.StatusClosed
	)
	ts := []store.Transition{
		tr("inc-1", 2, "dispatch", rep, dis, "center", "NYPD", at(2, 10, 5), ""),
		tr("inc-1", 3, "accept", dis, acc, "dept:NYPD", "NYPD", at(2, 10, 15), ""),
		tr("inc-1", 4, "resolve", acc, res, "dept:NYPD", "NYPD", at(2, 11, 0), "music turned down"),
		tr("inc-1", 5, "close", res, clo, "center", "NYPD", at(2, 12, 0), ""),
		tr("inc-2", 2, "dispatch", rep, dis, "center", "DSNY", at(9, 10, 10), ""),
		tr("inc-2", 3, "return", dis, reg, "dept:DSNY", "center", at(9, 11, 0), "not ours: noise"),
		tr("inc-2", 4, "dispatch", reg, dis, "center", "NYPD", at(9, 12, 0), ""),
		tr("inc-2", 5, "accept", dis, acc, "dept:NYPD", "NYPD", at(9, 13, 0), ""),
		tr("inc-2", 6, "resolve", acc, res, "dept:NYPD", "NYPD", at(11, 10, 0), ""),
		tr("inc-2", 7, "note", res, res, "center", "NYPD", at(11, 18, 0), "caller confirms it is quiet"),
		tr("inc-2", 8, "close", res, clo, "center", "NYPD", at(12, 10, 0), ""),
		tr("inc-3", 2, "dispatch", rep, dis, "center", "DSNY", at(10, 8, 30), ""),
		tr("inc-3", 3, "escalate", dis, dis, "system", "DSNY", at(11, 9, 0), ""),
		tr("inc-4", 2, "dispatch", rep, dis, "center", "DSNY", at(20, 9, 5), ""),
		tr("inc-4", 3, "accept", dis, acc, "dept:DSNY", "DSNY", at(20, 9, 20), ""),
		tr("inc-4", 4, "resolve", acc, res, "dept:DSNY", "DSNY", at(20, 15, 0), "removed"),
		tr("inc-4", 5, "close", res, clo, "center", "DSNY", at(21, 9, 0), ""),
	}
	// Stored twice, as a replayed batch would be: the views must not count
	// the repeats.
	for range 2 {
		if err := s.InsertTransitions(ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIncidentTimes: incident_times gives each incident's step times in UTC
// and the durations between them, NULL for a step not reached, whatever the
// repeats in the audit trail.
func TestIncidentTimes(t *testing.T) {
	s := newStore(t)
	loadCity(t, s)
	got := queryStrings(t, s, "SELECT id, if(toUInt32(dispatched_at) = 0, '-', toString(dispatched_at)), if(toUInt32(first_response_at) = 0, '-', toString(first_response_at)),"+
		" if(toUInt32(closed_at) = 0, '-', toString(closed_at)),"+
		" to_dispatch_s, to_accept_s, to_first_response_s, to_resolve_s, to_close_s, is_closed, closed_on_time, returns, escalations"+
		" FROM cityops.incident_times WHERE source = 'hotline' ORDER BY id")
	want := []string{
		"inc-1|2026-03-02 10:05:00|2026-03-02 10:15:00|2026-03-02 12:00:00|300|600|900|3600|7200|1|1|0|0",
		"inc-2|2026-03-09 10:10:00|2026-03-09 11:00:00|2026-03-12 10:00:00|600|10200|3600|172800|259200|1|0|1|0",
		"inc-3|2026-03-10 08:30:00|-|-|1800|NULL|NULL|NULL|NULL|0|0|0|1",
		"inc-4|2026-03-20 09:05:00|2026-03-20 09:20:00|2026-03-21 09:00:00|300|900|1200|21600|86400|1|1|0|0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("incident_times:\ngot  %q\nwant %q", got, want)
	}
	// The audit trail keeps the action and the note.
	got = queryStrings(t, s, "SELECT action, note FROM cityops.transitions FINAL WHERE incident_id = 'inc-2' AND version IN (3, 7) ORDER BY version")
	if want := []string{"return|not ours: noise", "note|caller confirms it is quiet"}; !slices.Equal(got, want) {
		t.Errorf("transitions' action and note: got %q, want %q", got, want)
	}
}

// TestCellHex: the cell_hex columns read as the API writes a cell
// (cityops.Cell.String), and empty for no cell.
func TestCellHex(t *testing.T) {
	s := newStore(t)
	loadCity(t, s)
	for _, q := range []string{
		"SELECT DISTINCT cell, cell_hex FROM cityops.incidents",
		"SELECT DISTINCT cell7, cell7_hex FROM cityops.incidents",
		"SELECT DISTINCT cell5, cell5_hex FROM cityops.events",
		"SELECT DISTINCT cell, cell_hex FROM cityops.readings",
		"SELECT DISTINCT cell7, cell7_hex FROM cityops.event_counts_hourly",
		"SELECT toUInt64(0), replaceRegexpOne(lower(hex(toUInt64(0))), '^0+', '')",
	} {
		rows := queryStrings(t, s, q)
		if len(rows) == 0 {
			t.Errorf("%s: no rows", q)
		}
		for _, r := range rows {
			var cell uint64
			var hex string
			if _, err := fmt.Sscanf(r+"|", "%d|", &cell); err != nil {
				t.Fatalf("%s: %q: %v", q, r, err)
			}
			_, hex, _ = strings.Cut(r, "|")
			want := cityops.Cell(cell).String()
			if cell == 0 {
				want = ""
			}
			if hex != want {
				t.Errorf("%s: cell %d reads %q, the API writes %q", q, cell, hex, want)
			}
		}
	}
}

// TestPlannerExamples runs every example of testdata/planner_examples.sql on
// the test server (18.16) over the small city, and checks that each answers
// and that some answer what the city's month says.
func TestPlannerExamples(t *testing.T) {
	s := newStore(t)
	loadCity(t, s)
	stmts := store.SplitStatements(readExamples(t))
	if len(stmts) < 6 || len(stmts) > 10 {
		t.Fatalf("%d examples, want 6 to 10", len(stmts))
	}
	want := map[int][]string{
		0: {"DSNY|Sanitation|2|1|0.5", "NYPD|Police|2|1|0.5", "DEP|Environmental Protection|1|0|0"},
		2: {"MN01|Manhattan CD 1|8928308280fffff|noise|4|2026-03-02 10:00:00|2026-03-11 22:00:00",
			"MN02|Manhattan CD 2|892830828107fff|dumping|2|2026-03-10 08:00:00|2026-03-20 09:00:00"},
		5: {"2|2026-03-09 10:10:00|dispatch|reported|dispatched|center|DSNY||",
			"3|2026-03-09 11:00:00|return|dispatched|registered|dept:DSNY|center||not ours: noise",
			"4|2026-03-09 12:00:00|dispatch|registered|dispatched|center|NYPD||",
			"5|2026-03-09 13:00:00|accept|dispatched|accepted|dept:NYPD|NYPD||",
			"6|2026-03-11 10:00:00|resolve|accepted|resolved|dept:NYPD|NYPD||",
			"7|2026-03-11 18:00:00|note|resolved|resolved|center|NYPD||caller confirms it is quiet",
			"8|2026-03-12 10:00:00|close|resolved|closed|center|NYPD||"},
	}
	for i, stmt := range stmts {
		rows := queryStrings(t, s, stmt)
		if len(rows) == 0 {
			t.Errorf("example %d answers nothing:\n%s", i+1, stmt)
			continue
		}
		t.Logf("example %d: %q", i+1, rows)
		if w, ok := want[i]; ok && !slices.Equal(rows, w) {
			t.Errorf("example %d:\ngot  %q\nwant %q", i+1, rows, w)
		}
	}
}

// TestPlannersGuideHasTheExamples: docs/planners.md shows every example as
// the tests run it.
func TestPlannersGuideHasTheExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/planners.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, stmt := range store.SplitStatements(readExamples(t)) {
		if !strings.Contains(string(doc), stmt+";\n") {
			t.Errorf("docs/planners.md lacks example %d as planner_examples.sql has it:\n%s", i+1, stmt)
		}
	}
}
