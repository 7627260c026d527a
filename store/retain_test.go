package store_test

import (
	"slices"
	"testing"
	"time"
)

func TestRetainDropsOldMonths(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	changes := readChanges(t, "changes.ndjson") // March 2026 (inc-1) and July 2016 (inc-2, inc-3)
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retain(ctx, 0, time.Now()); err == nil {
		t.Fatal("Retain accepted 0 months")
	}
	// In April 2026, keeping 2 months keeps March and April.
	dropped, err := s.Retain(ctx, 2, time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(dropped)
	want := []string{"event_counts_hourly/201607", "events/201607", "incidents/201607"} // readings come from the readings path
	if !slices.Equal(dropped, want) {
		t.Fatalf("dropped %v, want %v", dropped, want)
	}
	if n, err := s.CountIncidents(ctx); err != nil || n != 1 {
		t.Fatalf("%d incidents left (%v), want 1", n, err)
	}
	if _, err := s.Incident(ctx, "inc-1"); err != nil {
		t.Fatalf("inc-1 of March was dropped: %v", err)
	}
	// Keeping 1 month in May drops March too.
	if dropped, err = s.Retain(ctx, 1, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)); err != nil || len(dropped) == 0 {
		t.Fatalf("dropped %v, %v", dropped, err)
	}
	if _, err := s.Incident(ctx, "inc-1"); err == nil {
		t.Fatal("inc-1 survived")
	}
}

// TestViewsFollowEvents: the hourly counts sum events; readings are written
// by the readings path alone (migration 0008), not copied from events.
func TestViewsFollowEvents(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	if err := s.InsertChanges(ctx, readChanges(t, "changes.ndjson")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q    string
		want uint64
	}{
		{"SELECT count() FROM " + s.Database() + ".readings FINAL", 0},
		{"SELECT sum(events) FROM " + s.Database() + ".event_counts_hourly", 4},
		{"SELECT sum(events) FROM " + s.Database() + ".event_counts_hourly WHERE category = 'noise' AND hour = toDateTime('2026-03-14 22:00:00')", 2},
	} {
		rows, err := s.Query(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		for rows.Next() {
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		rows.Close()
		if n != tt.want {
			t.Errorf("%s = %d, want %d", tt.q, n, tt.want)
		}
	}
}
