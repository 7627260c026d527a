package history_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/segmentio/kafka-go"
)

// TestRoundFiguresSurviveReopening runs one incident through the real
// dispatcher for three rounds and stores what it writes through the store's
// own handlers. Round 1 is accepted in 30 min, closed in 3 h, on time, and
// rated satisfied; a repeat complaint reopens it; round 2 is accepted
// late (3 h), closed 30 h after the reopening, late, and rated
// dissatisfied, which reopens it for a redo (重办); round 3 is open. The
// department figures count each round once: the first round's close stays
// on time and 3 h long after the incident is closed late, and the rates
// count two responses (one in time), two closed rounds both reopened
// (resolution 0), two callbacks (satisfaction 1/2), one repeat, two
// reopenings, and the rework of the redo.
func TestRoundFiguresSurviveReopening(t *testing.T) {
	s, srv := newServer(t, false)
	ctx := testContext(t)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := t0
	var transitions, changes []kafka.Message
	capture := func(to *[]kafka.Message) bus.Publish {
		return func(_ context.Context, msgs ...kafka.Message) error {
			*to = append(*to, msgs...)
			return nil
		}
	}
	svc := tasks.New(tasks.Config{
		Machine:     &lifecycle.Machine{Response: time.Hour},
		Policy:      sla.NewPolicy(time.UTC, []cityops.Category{{Code: "road", DeadlineHours: 24}}),
		Center:      "center",
		Transitions: capture(&transitions),
		Changes:     capture(&changes),
		Now:         func() time.Time { return now },
	})
	svc.SetReady()
	ev := &cityops.Event{ID: "ev-r", Source: cityops.SourceHotline, Type: "complaint", Lat: 40.7, Lon: -74, Time: t0, Received: t0}
	created := cityops.Change{Kind: cityops.ChangeCreated, Event: ev, Incident: cityops.Incident{
		ID: "INC-r", EventID: ev.ID, Source: ev.Source, Type: ev.Type, Category: "road", Severity: 2,
		Status: cityops.StatusDispatched, Lat: ev.Lat, Lon: ev.Lon, Cell: 617700169958293503,
		Cell7: 608692970719281151, Cell5: 599685771850416127, AreaID: "MN01", DistrictID: "MN",
		DepartmentID: "water", Reported: t0, Updated: t0, Deadline: t0.Add(24 * time.Hour), Version: 1, Reports: 1,
	}}
	v, _ := json.Marshal(created)
	changes = append(changes, kafka.Message{Key: []byte("INC-r"), Value: v})
	if err := svc.Adopt(ctx, created.Incident); err != nil {
		t.Fatal(err)
	}

	center, water := lifecycle.Actor{Center: true}, lifecycle.Actor{Department: "water"}
	do := func(at time.Duration, cmd lifecycle.Command) {
		t.Helper()
		now = t0.Add(at)
		if _, err := svc.Do(ctx, "INC-r", cmd); err != nil {
			t.Fatalf("%s at %v: %v", cmd.Action, at, err)
		}
	}
	store := func() {
		t.Helper()
		dlq := func(_ context.Context, m kafka.Message, reason error) error {
			t.Errorf("dead-lettered %s: %v", m.Value, reason)
			return nil
		}
		if err := s.TransitionHandler(dlq)(ctx, transitions); err != nil {
			t.Fatal(err)
		}
		if err := s.Handler(dlq)(ctx, changes); err != nil {
			t.Fatal(err)
		}
	}
	departments := func() map[string]any {
		t.Helper()
		code, ans := get(t, srv, "departments?from=2026-03-01&to=2026-04-01")
		if code != 200 || len(ans.Rows) != 1 {
			t.Fatalf("status %d, %d rows: %s", code, len(ans.Rows), ans.Error)
		}
		return ans.records()[0]
	}
	check := func(what string, got map[string]any, want map[string]any) {
		t.Helper()
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", what, k, got[k], v)
			}
		}
	}

	// Round 1.
	do(30*time.Minute, lifecycle.Command{Action: lifecycle.Accept, Actor: water})
	do(2*time.Hour, lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"photo-1"}})
	do(3*time.Hour, lifecycle.Command{Action: lifecycle.Verify, Actor: center}) // and closes
	do(4*time.Hour, lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "satisfied", Channel: "phone"})
	store()
	first := departments()
	check("round 1", first, map[string]any{"incidents": 1.0, "closed": 1.0, "rounds_closed": 1.0, "closed_on_time": 1.0,
		"close_p50_s": 10800.0, "accepts": 1.0, "accepted_in_time": 1.0, "response_rate": 1.0, "resolution_rate": 1.0,
		"rated": 1.0, "satisfied": 1.0, "satisfaction_rate": 1.0, "repeats": 0.0, "reopens": 0.0, "reworked": 0.0})

	// A repeat complaint a day later reopens it: round 2.
	now = t0.Add(27 * time.Hour)
	m := &cityops.Merge{Signal: "ev-r2", Seq: 1, Reports: 2, First: t0, Last: now, Repeat: true}
	if err := svc.Signal(ctx, cityops.Change{Kind: cityops.ChangeMerged, Incident: cityops.Incident{ID: "INC-r", Reported: now}, Merge: m}); err != nil {
		t.Fatal(err)
	}
	if task, _ := svc.Get("INC-r"); task.Status != cityops.StatusDispatched || task.Repeats != 1 {
		t.Fatalf("after the repeat complaint: %s, %d repeats", task.Status, task.Repeats)
	}
	do(30*time.Hour, lifecycle.Command{Action: lifecycle.Accept, Actor: water}) // 3 h after the reopening: late
	do(50*time.Hour, lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"photo-2"}})
	do(57*time.Hour, lifecycle.Command{Action: lifecycle.Verify, Actor: center}) // 30 h after the reopening: late
	do(58*time.Hour, lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "dissatisfied", Channel: "sms"})
	if task, _ := svc.Get("INC-r"); task.Status != cityops.StatusDispatched || task.Round() != 3 {
		t.Fatalf("after the dissatisfied callback: %s, round %d", task.Status, task.Round())
	}
	store()
	got := departments()
	check("three rounds", got, map[string]any{"incidents": 1.0, "closed": 0.0, "rounds_closed": 2.0, "closed_on_time": 1.0,
		"on_time_rate": 0.5, "accepts": 2.0, "accepted_in_time": 1.0, "response_rate": 0.5,
		"reopened_closed": 2.0, "resolution_rate": 0.0, "rated": 2.0, "satisfied": 1.0, "satisfaction_rate": 0.5,
		"repeats": 1.0, "reopens": 2.0, "reworked": 1.0})
	// The rounds' close times: 3 h and 30 h. quantiles interpolates.
	if p50, p90 := got["close_p50_s"], got["close_p90_s"]; p50 != 59400.0 || p90 != 98280.0 {
		t.Errorf("close p50 %v p90 %v, want 59400 and 98280", p50, p90)
	}

	// By month, category or area, and for the incident's category and
	// area: the same figures; for another category, none.
	for _, path := range []string{"departments?from=2026-03-01&to=2026-04-01&by=month", "departments?from=2026-03-01&to=2026-04-01&category=road&area=MN01",
		"departments?from=2026-03-01&to=2026-04-01&by=category", "departments?from=2026-03-01&to=2026-04-01&by=area"} {
		code, ans := get(t, srv, path)
		if code != 200 || len(ans.Rows) != 1 {
			t.Fatalf("%s: status %d, %d rows: %s", path, code, len(ans.Rows), ans.Error)
		}
		check(path, ans.records()[0], map[string]any{"rounds_closed": 2.0, "accepts": 2.0, "rated": 2.0, "repeats": 1.0, "reopens": 2.0})
		if month, ok := ans.records()[0]["month"]; ok && month != "2026-03-01T00:00:00Z" {
			t.Errorf("%s: month %v", path, month)
		}
		if cat, ok := ans.records()[0]["category"]; ok && cat != "road" {
			t.Errorf("%s: category %v", path, cat)
		}
		if area, ok := ans.records()[0]["area"]; ok && area != "MN01" {
			t.Errorf("%s: area %v", path, area)
		}
	}
	if code, ans := get(t, srv, "departments?from=2026-03-01&to=2026-04-01&category=noise"); code != 200 || len(ans.Rows) != 0 {
		t.Errorf("another category: status %d, rows %v", code, ans.Rows)
	}

	// Round 1's own row is as it was when it closed.
	code, ans := get(t, srv, "incidents/INC-r/transitions")
	if code != 200 {
		t.Fatalf("transitions: %d %s", code, ans.Error)
	}
	var closes, reopens int
	for _, r := range ans.records() {
		switch r["action"] {
		case "close":
			closes++
		case "reopen":
			reopens++
		}
	}
	if closes != 2 || reopens != 2 {
		t.Errorf("the audit trail has %d closes and %d reopenings, want 2 and 2", closes, reopens)
	}
}
