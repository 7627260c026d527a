package web

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/gorilla/websocket"
)

// publishFixture publishes the open incidents the subscription tests expect
// (and one closed one): inc-0, inc-1, inc-2 and inc-400 in the west of the
// test city, inc-2000 in the east.
func publishFixture(t *testing.T, s *Server) {
	t.Helper()
	type fix struct {
		n        int
		status   cityops.Status
		dept     string
		source   cityops.Source
		category string
	}
	for _, f := range []fix{
		{0, cityops.StatusDispatched, "sanitation", cityops.SourceHotline, "010101"},
		{1, cityops.StatusAccepted, "sanitation", cityops.SourceIoT, "010101"},
		{2, cityops.StatusDispatched, "parks", cityops.SourceHotline, "020202"},
		{3, cityops.StatusClosed, "parks", cityops.SourceIoT, "010101"},
		{400, cityops.StatusDispatched, "parks", cityops.SourceIoT, "010101"},
		{2000, cityops.StatusInProgress, "sanitation", cityops.SourceHotline, "010101"},
	} {
		ch := change(t, f.n, cityops.ChangeCreated, f.status, 1)
		ch.Incident.DepartmentID, ch.Incident.Source, ch.Incident.Category = f.dept, f.source, f.category
		s.Publish(ch)
	}
}

func TestSubscriptionFiltering(t *testing.T) {
	var cases []struct {
		Name      string          `json:"name"`
		Token     string          `json:"token"`
		Subscribe json.RawMessage `json:"subscribe"`
		Mode      string          `json:"mode"`
		Res       int             `json:"res"`
		IDs       []string        `json:"ids"`
		Total     int             `json:"total"`
	}
	b, err := os.ReadFile("testdata/subscriptions.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	s, ts, _ := newTestServer(t, nil)
	publishFixture(t, s)
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			c := connect(t, ts, tt.Token)
			var sub map[string]any
			if err := json.Unmarshal(tt.Subscribe, &sub); err != nil {
				t.Fatal(err)
			}
			sub["type"], sub["id"] = "subscribe", tt.Name
			msg, _ := json.Marshal(sub)
			snap := subscribe(t, c, string(msg))
			if snap.Sub != tt.Name || snap.Mode != tt.Mode || snap.Res != tt.Res {
				t.Fatalf("snapshot sub %q mode %s res %d, want %q %s %d", snap.Sub, snap.Mode, snap.Res, tt.Name, tt.Mode, tt.Res)
			}
			if tt.Mode == "incidents" {
				var ids []string
				for _, inc := range snap.Incidents {
					ids = append(ids, inc.ID)
				}
				slices.Sort(ids)
				want := slices.Clone(tt.IDs)
				slices.Sort(want)
				if !slices.Equal(ids, want) {
					t.Errorf("incidents %v, want %v", ids, want)
				}
				return
			}
			if len(snap.Incidents) != 0 {
				t.Errorf("a cells snapshot holds %d incidents", len(snap.Incidents))
			}
			total := 0
			for _, cell := range snap.Cells {
				total += cell.Count
				v, err := strconv.ParseUint(cell.H3, 16, 64)
				if err != nil || geo.Resolution(cityops.Cell(v)) != tt.Res || len(cell.Hex) < 5 {
					t.Errorf("cell %+v is not a resolution %d cell with its boundary", cell, tt.Res)
				}
			}
			if total != tt.Total {
				t.Errorf("cells count %d incidents, want %d", total, tt.Total)
			}
		})
	}
}

// TestSubscriptionChanges follows one client as incidents move in and out
// of its bbox, as it pans, and as it zooms out to cells.
func TestSubscriptionChanges(t *testing.T) {
	s, ts, _ := newTestServer(t, nil)
	publishFixture(t, s)
	c := connect(t, ts, "center-token")
	west := subscribe(t, c, `{"type":"subscribe","bbox":[121.40,31.20,121.43,31.25],"zoom":12}`)
	if len(west.Incidents) != 4 {
		t.Fatalf("west snapshot holds %d incidents, want 4", len(west.Incidents))
	}

	east := change(t, 2000, cityops.ChangeUpdated, cityops.StatusAccepted, 2) // outside: not sent
	s.Publish(east)
	moved := change(t, 0, cityops.ChangeUpdated, cityops.StatusDispatched, 2)
	moved.Incident.Lon = 121.46 // leaves the bbox
	s.Publish(moved)
	if m := next(t, c); m.Type != "remove" || m.ID != "inc-0" || m.Status != cityops.StatusDispatched {
		t.Fatalf("got %+v, want inc-0 removed as it left the bbox", m)
	}
	s.Publish(change(t, 1, cityops.ChangeUpdated, cityops.StatusClosed, 2))
	if m := next(t, c); m.Type != "remove" || m.ID != "inc-1" || m.Status != cityops.StatusClosed {
		t.Fatalf("got %+v, want inc-1 removed as closed", m)
	}

	pan := subscribe(t, c, `{"type":"subscribe","id":"east","bbox":[121.44,31.20,121.50,31.25],"zoom":12}`)
	var ids []string
	for _, inc := range pan.Incidents {
		ids = append(ids, inc.ID+" "+string(inc.Status))
	}
	slices.Sort(ids)
	if want := []string{"inc-0 dispatched", "inc-2000 accepted"}; pan.Sub != "east" || !slices.Equal(ids, want) {
		t.Fatalf("east snapshot %q %v, want %v", pan.Sub, ids, want)
	}

	cells := subscribe(t, c, `{"type":"subscribe","bbox":[121.40,31.20,121.50,31.25],"zoom":9.5}`)
	counts := map[string]int{}
	total := 0
	for _, cell := range cells.Cells {
		counts[cell.H3] = cell.Count
		total += cell.Count
	}
	if cells.Mode != "cells" || cells.Res != 7 || total != 4 {
		t.Fatalf("zoomed out: mode %s res %d total %d, want cells at 7 counting 4", cells.Mode, cells.Res, total)
	}
	added := change(t, 5, cityops.ChangeCreated, cityops.StatusDispatched, 1)
	h3 := added.Incident.Cell7.String()
	s.Publish(added)
	if m := next(t, c); m.Type != "cells" || m.Res != 7 || len(m.Cells) != 1 || m.Cells[0].H3 != h3 || m.Cells[0].Count != counts[h3]+1 {
		t.Fatalf("got %+v, want cell %s counting %d", m, h3, counts[h3]+1)
	}
	s.Publish(change(t, 5, cityops.ChangeUpdated, cityops.StatusCancelled, 2))
	if m := next(t, c); m.Type != "cells" || len(m.Cells) != 1 || m.Cells[0].Count != counts[h3] {
		t.Fatalf("got %+v, want cell %s back to %d", m, h3, counts[h3])
	}
}

func TestLiveAuth(t *testing.T) {
	s, ts, _ := newTestServer(t, nil)
	publishFixture(t, s)
	tests := []struct {
		token    string
		view     Role
		dept     string
		mode     string
		incoming int // incidents or counted in cells
	}{
		{"", RolePublic, "", "cells", 0}, // each resolution-7 cell holds fewer than k=3 of them
		{"center-token", RoleCenter, "", "incidents", 5},
		{"sanitation-token", RoleDepartment, "sanitation", "incidents", 3},
		{"parks-token", RoleDepartment, "parks", "incidents", 2},
		{"inspector-token", RoleInspector, "", "incidents", 5},
	}
	for _, tt := range tests {
		t.Run(string(tt.view)+tt.dept, func(t *testing.T) {
			c := dialURL(t, wsURL(ts), nil)
			hello := next(t, c)
			if hello.Type != "hello" || hello.View != RolePublic {
				t.Fatalf("hello %+v, want the public view before auth", hello)
			}
			if tt.token != "" {
				send(t, c, `{"type":"auth","token":"`+tt.token+`"}`)
				hello = next(t, c)
			}
			if hello.Type != "hello" || hello.View != tt.view || hello.Department != tt.dept {
				t.Fatalf("hello %+v, want view %s %q", hello, tt.view, tt.dept)
			}
			snap := subscribe(t, c, centerSub)
			got := len(snap.Incidents)
			for _, cell := range snap.Cells {
				got += cell.Count
			}
			if snap.Mode != tt.mode || got != tt.incoming {
				t.Errorf("snapshot mode %s with %d incidents, want %s with %d", snap.Mode, got, tt.mode, tt.incoming)
			}
		})
	}

	// URLs end up in proxies' and servers' logs: a token there, known or
	// not, is refused without a look at it.
	for _, q := range []string{"?token=center-token", "?token=guess", "?token=", "?x=1&token=center-token"} {
		t.Run("token in the URL "+q, func(t *testing.T) {
			c := dialURL(t, wsURL(ts)+q, nil)
			wantBye(t, c, "unauthorized", websocket.ClosePolicyViolation)
		})
	}
	t.Run("auth message upgrades the view", func(t *testing.T) {
		c := connect(t, ts, "")
		if snap := subscribe(t, c, centerSub); snap.Mode != "cells" {
			t.Fatalf("public snapshot mode %s, want cells", snap.Mode)
		}
		send(t, c, `{"type":"auth","token":"sanitation-token"}`)
		if m := next(t, c); m.Type != "hello" || m.View != RoleDepartment || m.Department != "sanitation" {
			t.Fatalf("got %+v, want hello for sanitation", m)
		}
		if m := next(t, c); m.Type != "snapshot" || m.Mode != "incidents" || len(m.Incidents) != 3 {
			t.Fatalf("got %+v, want a fresh snapshot of sanitation's 3 incidents", m)
		}
		send(t, c, `{"type":"auth","token":"guess"}`)
		wantBye(t, c, "unauthorized", websocket.ClosePolicyViolation)
	})
}

// wantBye reads until the connection closes and checks that it said bye
// with reason and closed with code.
func wantBye(t *testing.T, c *websocket.Conn, reason string, code int) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var bye string
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != code {
				t.Fatalf("connection ended with %v, want close %d", err, code)
			}
			break
		}
		if strings.HasPrefix(string(b), `{"type":"bye"`) {
			bye = string(b)
		}
	}
	if !strings.Contains(bye, `"reason":"`+reason+`"`) {
		t.Errorf("bye %q, want reason %s", bye, reason)
	}
}

func TestLiveHostileMessages(t *testing.T) {
	var cases []struct {
		Name    string `json:"name"`
		Message string `json:"message"`
		Field   string `json:"field"`
	}
	b, err := os.ReadFile("testdata/hostile.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	s, ts, _ := newTestServer(t, nil)
	publishFixture(t, s)
	c := connect(t, ts, "center-token")
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			send(t, c, tt.Message)
			m := next(t, c)
			if m.Type != "error" || m.Field != tt.Field || m.Message == "" {
				t.Fatalf("got %+v, want an error naming %s", m, tt.Field)
			}
		})
	}
	// The connection is still usable.
	if snap := subscribe(t, c, centerSub); len(snap.Incidents) != 5 {
		t.Errorf("after the errors, the snapshot holds %d incidents, want 5", len(snap.Incidents))
	}

	t.Run("too many errors", func(t *testing.T) {
		c := connect(t, ts, "")
		for range maxErrors {
			send(t, c, `{"type":"nonsense"}`)
		}
		wantBye(t, c, "protocol_error", websocket.ClosePolicyViolation)
	})
	t.Run("message too big", func(t *testing.T) {
		c := connect(t, ts, "")
		send(t, c, `{"type":"subscribe","id":"`+strings.Repeat("x", readLimit)+`"}`)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var err error
		for err == nil {
			_, _, err = c.ReadMessage()
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
			t.Errorf("connection ended with %v, want close 1009", err)
		}
	})
}

func TestLiveCounters(t *testing.T) {
	s, ts, _ := newTestServer(t, nil)
	now := time.Now()
	publish := func(n int, st cityops.Status, dept string, deadline time.Time) {
		ch := change(t, n, cityops.ChangeCreated, st, 1)
		ch.Incident.DepartmentID, ch.Incident.Updated, ch.Incident.Deadline = dept, now, deadline
		s.Publish(ch)
	}
	publish(1, cityops.StatusDispatched, "sanitation", now.Add(-time.Hour)) // overdue
	publish(2, cityops.StatusAccepted, "sanitation", time.Time{})
	publish(3, cityops.StatusDispatched, "parks", now.Add(time.Hour))
	publish(4, cityops.StatusResolved, "sanitation", now.Add(time.Hour))    // finished on time; closed below
	publish(5, cityops.StatusClosed, "sanitation", now.Add(-time.Hour))     // finished late
	publish(6, cityops.StatusClosed, "parks", time.Time{})                  // finished, no deadline
	s.Publish(change(t, 4, cityops.ChangeUpdated, cityops.StatusClosed, 2)) // counted once

	tests := []struct {
		token string
		want  message
		rate  float64
	}{
		{"", message{Scope: "city", Open: 3, Overdue: 1, Finished: 3, OnTime: 2}, 2.0 / 3},
		{"center-token", message{Scope: "city", Open: 3, Overdue: 1, Finished: 3, OnTime: 2}, 2.0 / 3},
		{"sanitation-token", message{Scope: "department:sanitation", Open: 2, Overdue: 1, Finished: 2, OnTime: 1}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.want.Scope+tt.token, func(t *testing.T) {
			c := connect(t, ts, tt.token)
			var got message
			for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
				if got = read(t, c); got.Type == "counters" {
					break
				}
			}
			if got.Scope != tt.want.Scope || got.Open != tt.want.Open || got.Overdue != tt.want.Overdue ||
				got.Finished != tt.want.Finished || got.OnTime != tt.want.OnTime || got.Rate == nil || *got.Rate != tt.rate {
				t.Errorf("counters %+v (rate %v), want %+v (rate %v)", got, got.Rate, tt.want, tt.rate)
			}
		})
	}
}
