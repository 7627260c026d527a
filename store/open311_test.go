package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
)

// open311Change is the k-th Open311 request of a generated stream: request
// k founds incident INC-311-k, except every third, which is merged into the
// incident of the request before it.
func open311Change(k int) cityops.Change {
	c := makeChange(k)
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Minute)
	c.Event.ID = fmt.Sprintf("311-%04d", k)
	c.Event.Source, c.Event.Type, c.Event.Value, c.Event.Unit, c.Event.DeviceID = cityops.SourceHotline, fmt.Sprintf("open311:%d", 9000+k%3), nil, "", ""
	c.Event.Text = "Road damage: hole in the road"
	c.Event.Time, c.Event.Received = at, at
	c.Incident.ID, c.Incident.EventID, c.Incident.Source = "INC-"+c.Event.ID, c.Event.ID, cityops.SourceHotline
	c.Incident.Reported, c.Incident.Updated = at, at
	if k%3 == 2 {
		c.Kind = cityops.ChangeMerged
		c.Incident.ID = fmt.Sprintf("INC-311-%04d", k-1)
	}
	return c
}

// TestOpen311Requests reads pages of stored requests by date, service code
// and status, and requests by id with the incident they were merged into.
func TestOpen311Requests(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	var cs []cityops.Change
	for k := 0; k < 30; k++ {
		cs = append(cs, open311Change(k))
	}
	cs = append(cs, makeChange(1)) // a sensor event is no request
	if err := s.InsertChanges(ctx, cs); err != nil {
		t.Fatal(err)
	}
	// Incident of request 4 (which request 5 joined) is closed.
	closed := open311Change(4)
	closed.Event = nil
	closed.Kind = cityops.ChangeUpdated
	closed.Incident.Status, closed.Incident.Version = cityops.StatusClosed, 2
	if err := s.InsertChanges(ctx, []cityops.Change{closed}); err != nil {
		t.Fatal(err)
	}
	// The same batch again changes nothing.
	if err := s.InsertChanges(ctx, cs[:5]); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	all, err := s.Requests(ctx, store.RequestFilter{From: from, To: to, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 30 || all[0].ID != "311-0029" || all[29].ID != "311-0000" {
		t.Fatalf("got %d requests, first %+v", len(all), all[0])
	}
	page, err := s.Requests(ctx, store.RequestFilter{From: from, To: to, Offset: 10, Limit: 10})
	if err != nil || len(page) != 10 || page[0].ID != "311-0019" {
		t.Errorf("page 2: %v %+v", err, page)
	}
	codes, err := s.Requests(ctx, store.RequestFilter{From: from, To: to, Codes: []string{"9001"}, Limit: 100})
	if err != nil || len(codes) != 10 {
		t.Errorf("service 9001: %v %d", err, len(codes))
	}
	shut, err := s.Requests(ctx, store.RequestFilter{From: from, To: to, Closed: true, Limit: 100})
	if err != nil || len(shut) != 2 || shut[0].ID != "311-0005" || shut[1].ID != "311-0004" {
		t.Errorf("closed: %v %+v", err, shut)
	}
	open, err := s.Requests(ctx, store.RequestFilter{From: from, To: to, Open: true, Limit: 100})
	if err != nil || len(open) != 28 {
		t.Errorf("open: %v %d", err, len(open))
	}
	got, err := s.RequestsByID(ctx, []string{"311-0005", "311-0007", "ev-1", "311-9999"})
	if err != nil {
		t.Fatal(err)
	}
	m := got["311-0005"]
	if len(got) != 2 || m.IncidentID != "INC-311-0004" || !m.Known || m.Status != cityops.StatusClosed || m.ServiceCode != "9002" || m.DepartmentID == "" {
		t.Errorf("by id: %+v", got)
	}
	if id, ok, err := s.RequestByToken(ctx, "tok-"+tokenHash("311-0007")); err != nil || !ok || id != "311-0007" {
		t.Errorf("by token: %q %v %v", id, ok, err)
	}
	if id, ok, err := s.RequestByToken(ctx, "tok-nope"); err != nil || ok {
		t.Errorf("an unknown token: %q %v %v", id, ok, err)
	}
	if r := got["311-0007"]; r.Status != cityops.StatusDispatched || !r.Requested.Equal(time.Date(2026, 6, 1, 8, 7, 0, 0, time.UTC)) {
		t.Errorf("311-0007: %+v", r)
	}
}

// TestOpen311Steps reads the transitions of incidents with their action
// and note.
func TestOpen311Steps(t *testing.T) {
	s := newStore(t)
	ctx := testContext(t)
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	ts := []store.Transition{
		{IncidentID: "INC-1", Version: 2, Action: "dispatch", From: cityops.StatusRegistered, To: cityops.StatusDispatched, Actor: "system", DepartmentID: "DOT", Time: at},
		{IncidentID: "INC-1", Version: 3, Action: "resolve", From: cityops.StatusDispatched, To: cityops.StatusResolved, Actor: "dept:DOT", DepartmentID: "DOT", Note: "filled", Time: at.Add(time.Hour)},
		{IncidentID: "INC-2", Version: 2, Action: "return", From: cityops.StatusDispatched, To: cityops.StatusRegistered, Actor: "dept:DOT", DepartmentID: "DOT", Reason: "not_ours", Time: at},
	}
	if err := s.InsertTransitions(ctx, ts); err != nil {
		t.Fatal(err)
	}
	got, err := s.Steps(ctx, []string{"INC-1", "INC-2", "INC-3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got["INC-1"]) != 2 || got["INC-1"][1].Note != "filled" || got["INC-1"][1].Action != "resolve" || got["INC-2"][0].Reason != "not_ours" {
		t.Errorf("got %+v", got)
	}
}

// tokenHash is the token of a request id without its prefix, as intake
// makes it.
func tokenHash(id string) string {
	sum := sha256.Sum256([]byte("token:" + id))
	return hex.EncodeToString(sum[:10])
}
