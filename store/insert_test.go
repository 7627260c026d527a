package store_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cityops/cityops"
)

func TestInsertChangesReadBack(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	if err := s.InsertChanges(ctx, readChanges(t, "changes.ndjson")); err != nil {
		t.Fatal(err)
	}

	events := []struct {
		id, incident, area, district, category, department string
		cell, cell5                                        cityops.Cell
		time                                               string
		value                                              *float64
	}{
		{"ev-1", "inc-1", "MN01", "MN", "noise", "NYPD", 617700169958293503, 599685771850416127, "2026-03-14T22:15:09.25Z", nil},
		{"ev-2", "inc-1", "MN01", "MN", "noise", "NYPD", 617700169958293503, 599685771850416127, "2026-03-14T22:19:58.999Z", nil},
		{"ev-3", "inc-2", "CHI-63RD", "CHI-S", "water_quality", "CPD-BEACH", 617733123811311615, 599718726060736511, "2016-07-01T14:00:00Z", ptr(412.5)},
		{"ev-4", "inc-3", "CHI-63RD", "CHI-S", "water_quality", "CPD-BEACH", 617733123811311615, 599718726060736511, "2016-07-01T15:00:00Z", ptr(0.0)},
	}
	for _, tt := range events {
		t.Run(tt.id, func(t *testing.T) {
			got, err := s.EventByID(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if got.IncidentID != tt.incident || got.AreaID != tt.area || got.DistrictID != tt.district ||
				got.Category != tt.category || got.DepartmentID != tt.department {
				t.Errorf("got incident %q area %q district %q category %q department %q, want %q %q %q %q %q",
					got.IncidentID, got.AreaID, got.DistrictID, got.Category, got.DepartmentID,
					tt.incident, tt.area, tt.district, tt.category, tt.department)
			}
			if got.Cell != tt.cell || got.Cell5 != tt.cell5 {
				t.Errorf("got cells %v/%v, want %v/%v", got.Cell, got.Cell5, tt.cell, tt.cell5)
			}
			if want := mustTime(t, tt.time); !got.Time.Equal(want) {
				t.Errorf("got time %v, want %v (milliseconds kept)", got.Time, want)
			}
			switch {
			case tt.value == nil && got.Value != nil:
				t.Errorf("got value %v, want none", *got.Value)
			case tt.value != nil && (got.Value == nil || *got.Value != *tt.value):
				t.Errorf("got value %v, want %v", got.Value, *tt.value)
			}
		})
	}

	incidents := []struct {
		id         string
		version    uint64
		status     cityops.Status
		department string
		rules      []string
		deadline   string
	}{
		{"inc-1", 3, cityops.StatusAccepted, "NYPD", []string{"noise.night", "route.noise", "merge.duplicate"}, "2026-03-15T06:15:09Z"},
		{"inc-2", 1, cityops.StatusDispatched, "CPD-BEACH", []string{"iot.ecoli.threshold"}, ""},
		{"inc-3", 1, cityops.StatusReported, "CPD-BEACH", nil, ""},
	}
	for _, tt := range incidents {
		t.Run(tt.id, func(t *testing.T) {
			got, err := s.Incident(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tt.version || got.Status != tt.status || got.DepartmentID != tt.department {
				t.Errorf("got version %d status %q department %q, want %d %q %q",
					got.Version, got.Status, got.DepartmentID, tt.version, tt.status, tt.department)
			}
			if !slices.Equal(got.Rules, tt.rules) {
				t.Errorf("got rules %q, want %q", got.Rules, tt.rules)
			}
			var want time.Time
			if tt.deadline != "" {
				want = mustTime(t, tt.deadline)
			}
			if !got.Deadline.Equal(want) {
				t.Errorf("got deadline %v, want %v", got.Deadline, want)
			}
		})
	}
}

func TestInsertChangesIncidentRoundTrip(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	changes := readChanges(t, "changes.ndjson")
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	want := changes[len(changes)-1].Incident
	got, err := s.Incident(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !incidentsEqual(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}
}

func TestReadMissing(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	if _, err := s.Incident(ctx, "nope"); !errors.Is(err, cityops.ErrNotFound) {
		t.Errorf("Incident of a missing id: got %v, want ErrNotFound", err)
	}
	if _, err := s.EventByID(ctx, "nope"); !errors.Is(err, cityops.ErrNotFound) {
		t.Errorf("EventByID of a missing id: got %v, want ErrNotFound", err)
	}
}

func TestInsertSameBatchTwice(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	changes := readChanges(t, "changes.ndjson")
	counts := func() (events, incidents uint64) {
		t.Helper()
		e, err := s.CountEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i, err := s.CountIncidents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return e, i
	}
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	e1, i1 := counts()
	if e1 != 4 || i1 != 3 {
		t.Fatalf("after one insert: %d events, %d incidents, want 4 and 3", e1, i1)
	}
	// The retry of a batch, and a replay of its second half.
	for _, batch := range [][]cityops.Change{changes, changes[2:]} {
		if err := s.InsertChanges(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if e2, i2 := counts(); e2 != e1 || i2 != i1 {
		t.Fatalf("after inserting again: %d events, %d incidents, want %d and %d", e2, i2, e1, i1)
	}
	if raw, err := s.CountRows(ctx, "events"); err == nil {
		t.Logf("events holds %d rows for %d events until merges run", raw, e1)
	}
	got, err := s.Incident(ctx, "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || got.Status != cityops.StatusAccepted {
		t.Fatalf("inc-1 after the replay: version %d status %q, want 3 accepted", got.Version, got.Status)
	}
}

// TestEventReassigned: an event stored again with a newer incident assignment
// (rules replayed after a change of the responsibility matrix) shows the new one.
func TestEventReassigned(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	changes := readChanges(t, "changes.ndjson")[:1]
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	changes[0].Incident.DepartmentID = "DEP"
	changes[0].Incident.Version = 2
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	got, err := s.EventByID(ctx, "ev-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.DepartmentID != "DEP" {
		t.Fatalf("department %q, want DEP", got.DepartmentID)
	}
	if n, err := s.CountEvents(ctx); err != nil || n != 1 {
		t.Fatalf("CountEvents = %d, %v, want 1", n, err)
	}
}

func TestInsertChangesRefusesInvalid(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	good := readChanges(t, "changes.ndjson")[0]
	tests := []struct {
		name   string
		change func(c cityops.Change) cityops.Change
		field  string
	}{
		{"no incident id", func(c cityops.Change) cityops.Change { c.Incident.ID = ""; return c }, "incident.id"},
		{"no event id", func(c cityops.Change) cityops.Change { e := *c.Event; e.ID = ""; c.Event = &e; return c }, "event.id"},
		{"severity too big", func(c cityops.Change) cityops.Change { c.Incident.Severity = 300; return c }, "incident.severity"},
		{"time before 1970", func(c cityops.Change) cityops.Change {
			e := *c.Event
			e.Time = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)
			c.Event = &e
			return c
		}, "event.time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.InsertChanges(ctx, []cityops.Change{good, tt.change(good)})
			var fe *cityops.FieldError
			if !errors.Is(err, cityops.ErrInvalid) || !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("got %v, want a field error on %s", err, tt.field)
			}
		})
	}
	// The whole batch was refused: nothing is stored.
	if n, err := s.CountRows(ctx, "incidents"); err != nil || n != 0 {
		t.Fatalf("incidents holds %d rows (%v), want 0", n, err)
	}
}

func ptr[T any](v T) *T { return &v }

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// incidentsEqual compares incidents with times compared as instants.
func incidentsEqual(a, b cityops.Incident) bool {
	if !a.Reported.Equal(b.Reported) || !a.Updated.Equal(b.Updated) || !a.Deadline.Equal(b.Deadline) ||
		!slices.Equal(a.Rules, b.Rules) {
		return false
	}
	a.Reported, a.Updated, a.Deadline, a.Rules = time.Time{}, time.Time{}, time.Time{}, nil
	b.Reported, b.Updated, b.Deadline, b.Rules = time.Time{}, time.Time{}, time.Time{}, nil
	return reflect.DeepEqual(a, b)
}
