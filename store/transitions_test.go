package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
)

func TestInsertTransitionsTwice(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ts := []store.Transition{
		{IncidentID: "inc-1", Version: 2, From: cityops.StatusReported, To: cityops.StatusDispatched, Actor: "dispatcher-1", DepartmentID: "NYPD", Time: at},
		{IncidentID: "inc-1", Version: 3, From: cityops.StatusDispatched, To: cityops.StatusRegistered, Actor: "officer-7", DepartmentID: "NYPD", Reason: "不属于本部门", Time: at.Add(time.Minute)},
	}
	for range 2 {
		if err := s.InsertTransitions(ctx, ts); err != nil {
			t.Fatal(err)
		}
	}
	var n uint64
	rows, err := s.Query(ctx, "SELECT count() FROM "+s.Database()+".transitions FINAL")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	if n != 2 {
		t.Fatalf("%d transitions after inserting 2 twice, want 2", n)
	}
}

func TestInsertTransitionsRefusesInvalid(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	good := store.Transition{IncidentID: "inc-1", Version: 2, To: cityops.StatusDispatched, Time: time.Now()}
	tests := []struct {
		name  string
		edit  func(*store.Transition)
		field string
	}{
		{"no incident", func(tr *store.Transition) { tr.IncidentID = "" }, "incident_id"},
		{"version 0", func(tr *store.Transition) { tr.Version = 0 }, "version"},
		{"unknown to", func(tr *store.Transition) { tr.To = "lost" }, "to"},
		{"unknown from", func(tr *store.Transition) { tr.From = "x" }, "from"},
		{"no time", func(tr *store.Transition) { tr.Time = time.Time{} }, "time"},
		{"before 1970", func(tr *store.Transition) { tr.Time = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }, "time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := good
			tt.edit(&bad)
			err := s.InsertTransitions(ctx, []store.Transition{good, bad})
			var fe *cityops.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("got %v, want a field error on %s", err, tt.field)
			}
		})
	}
	if n, err := s.CountRows(ctx, "transitions"); err != nil || n != 0 {
		t.Fatalf("transitions holds %d rows (%v), want 0", n, err)
	}
}
