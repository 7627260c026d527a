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

// TestDepartmentsFromDispatcherRecords runs two incidents through the real
// dispatcher (dispatch/tasks), stores the records it writes to the
// transitions and changes topics through the store's own handlers, and checks
// the department figures a planner gets. Incident A goes the short way
// (accept, resolve, verify and close, on time). Incident B is returned by
// roads, which the dispatcher records with the center as the new owner,
// dispatched to water, accepted, sent back for rework once and closed late.
func TestDepartmentsFromDispatcherRecords(t *testing.T) {
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
		Machine:     &lifecycle.Machine{},
		Policy:      sla.NewPolicy(time.UTC, nil),
		Center:      "center",
		Transitions: capture(&transitions),
		Changes:     capture(&changes),
		Now:         func() time.Time { return now },
	})
	svc.SetReady()

	created := func(id, dept string, reported time.Time) cityops.Change {
		ev := &cityops.Event{ID: "ev-" + id, Source: cityops.SourceHotline, Type: "complaint", Lat: 40.7, Lon: -74,
			Time: reported, Received: reported}
		return cityops.Change{Kind: cityops.ChangeCreated, Event: ev, Incident: cityops.Incident{
			ID: id, EventID: ev.ID, Source: ev.Source, Type: ev.Type, Category: "road", Severity: 2,
			Status: cityops.StatusDispatched, Lat: ev.Lat, Lon: ev.Lon, Cell: 617700169958293503,
			Cell7: 608692970719281151, Cell5: 599685771850416127, AreaID: "MN01", DistrictID: "MN",
			DepartmentID: dept, Reported: reported, Updated: reported, Deadline: reported.Add(24 * time.Hour), Version: 1,
		}}
	}
	a, b := created("INC-a", "water", t0), created("INC-b", "roads", t0.Add(10*time.Minute))
	for _, c := range []cityops.Change{a, b} {
		v, _ := json.Marshal(c)
		changes = append(changes, kafka.Message{Key: []byte(c.Incident.ID), Value: v})
	}

	center, water, roads := lifecycle.Actor{Center: true}, lifecycle.Actor{Department: "water"}, lifecycle.Actor{Department: "roads"}
	at := func(d time.Duration) { now = t0.Add(d) }
	at(time.Minute)
	for _, c := range []cityops.Change{a, b} {
		if err := svc.Adopt(ctx, c.Incident); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		at  time.Duration
		id  string
		cmd lifecycle.Command
	}{
		{30 * time.Minute, "INC-a", lifecycle.Command{Action: lifecycle.Accept, Actor: water}},
		{time.Hour, "INC-b", lifecycle.Command{Action: lifecycle.Return, Actor: roads, Reason: "not_responsible"}},
		{2 * time.Hour, "INC-a", lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"photo-1"}}},
		{2 * time.Hour, "INC-b", lifecycle.Command{Action: lifecycle.Dispatch, Actor: center, Department: "water"}},
		{2*time.Hour + 10*time.Minute, "INC-b", lifecycle.Command{Action: lifecycle.Accept, Actor: water}},
		{3 * time.Hour, "INC-a", lifecycle.Command{Action: lifecycle.Verify, Actor: center}}, // verifies and closes
		{5 * time.Hour, "INC-b", lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"photo-2"}}},
		{6 * time.Hour, "INC-b", lifecycle.Command{Action: lifecycle.Rework, Actor: center, Reason: "photo shows no repair"}},
		{30 * time.Hour, "INC-b", lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"photo-3"}}},
		{31 * time.Hour, "INC-b", lifecycle.Command{Action: lifecycle.Verify, Actor: center}},
	}
	for _, st := range steps {
		at(st.at)
		if _, err := svc.Do(ctx, st.id, st.cmd); err != nil {
			t.Fatalf("%s %s: %v", st.cmd.Action, st.id, err)
		}
	}

	dlq := func(_ context.Context, m kafka.Message, reason error) error {
		t.Errorf("dead-lettered %s: %v", m.Value, reason)
		return nil
	}
	for i := range 2 { // the second time is a replay after a crash before the commit
		if err := s.TransitionHandler(dlq)(ctx, transitions); err != nil {
			t.Fatal(err)
		}
		if err := s.Handler(dlq)(ctx, changes); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := s.Settle(ctx, 0, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}

	code, ans := get(t, srv, "departments?from=2026-03-01&to=2026-04-01")
	if code != 200 {
		t.Fatalf("status %d: %s", code, ans.Error)
	}
	want := []map[string]any{
		// roads returned B and owns nothing now; the return is its own.
		{"department_id": "roads", "incidents": 0.0, "returns": 1.0, "reworked": 0.0, "accept_p50_s": nil, "close_p50_s": nil},
		// water: A accepted 30 min after its dispatch, B 10 min after its
		// dispatch to water; A closed in 3 h (on time), B in 30 h 50 min
		// (late); B reworked once.
		{"department_id": "water", "incidents": 2.0, "closed": 2.0, "closed_on_time": 1.0, "on_time_rate": 0.5,
			"returns": 0.0, "reworked": 1.0, "rework_rate": 0.5,
			"accept_p50_s": 1200.0, "close_p50_s": 60900.0},
	}
	got := ans.records()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("%s: %s = %v, want %v", w["department_id"], k, got[i][k], v)
			}
		}
	}
}
