package store_test

import "testing"

// TestEventsByID reads several stored events, and ids that are not stored,
// with one query.
func TestEventsByID(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	if err := s.InsertChanges(ctx, readChanges(t, "changes.ndjson")); err != nil {
		t.Fatal(err)
	}
	got, err := s.EventsByID(ctx, []string{"ev-1", "ev-3", "nope", "it's"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["ev-1"].IncidentID != "inc-1" || got["ev-3"].Value == nil || *got["ev-3"].Value != 412.5 {
		t.Errorf("got %+v", got)
	}
	if got, err := s.EventsByID(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("no ids: %v %v", got, err)
	}
}
