package history_test

import (
	"encoding/json"
	"testing"
	"time"

	"net/http/httptest"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/history"
)

// exactRows is how many events, incidents (and their transitions) the
// exactness test generates: few enough per department (< 8192) that the
// percentiles are exact too, so every answer must match to the last digit.
const exactRows = 60_000

// comparedQueries are the planner queries whose answers must not depend on
// which months are settled.
var comparedQueries = []string{
	"heatmap?res=7&from=2026-01-01&to=2027-01-01",
	"heatmap?res=9&from=2026-02-10&to=2026-05-20&category=cat4&source=hotline&status=closed&limit=50",
	"heatmap?res=5&from=2026-01-01&to=2027-01-01&department=DEP4",
	"trends?bucket=day&by=area&from=2026-01-01&to=2027-01-01",
	"trends?bucket=week&by=category&from=2026-03-15&to=2026-08-01&source=iot",
	"trends?bucket=hour&by=district&from=2026-03-01&to=2026-04-01",
	"departments?from=2026-01-01&to=2027-01-01",
	"departments?from=2026-02-01&to=2026-04-01&department=DEP7",
	"hotspots?res=7&min_weeks=3&from=2026-01-01&to=2027-01-01",
	"hotspots?res=5&min_weeks=2&from=2026-04-01&to=2026-07-01&category=cat4",
}

// TestSettledMonthsAnswerLikeFinal compares the fast path (settled months
// read without FINAL) with the slow one (everything with FINAL) on generated
// history that was inserted twice, then with one month replayed a third time
// after settling, so that one query reads both ways at once.
func TestSettledMonthsAnswerLikeFinal(t *testing.T) {
	ctx := testContext(t)
	addr, s := openMigrated(t)
	srv := httptest.NewServer(history.Handler(s, nil, nil, testAccess))
	t.Cleanup(srv.Close)
	const step = 500 // seconds between events: 60,000 of them span 347 days of 2026
	generateHistory(t, addr, s.Database(), 0, exactRows, step)
	generateHistory(t, addr, s.Database(), 0, exactRows, step) // the whole history replayed

	answers := func() map[string]string {
		out := map[string]string{}
		for _, path := range comparedQueries {
			code, a := get(t, srv, path)
			if code != 200 {
				t.Fatalf("GET %s: status %d: %s", path, code, a.Error)
			}
			if len(a.Rows) == 0 {
				t.Fatalf("GET %s: no rows: the query proves nothing", path)
			}
			b, _ := json.Marshal(a)
			out[path] = string(b)
		}
		return out
	}
	parts := func(table string) store.Parts {
		p, err := s.Parts(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	slow := answers()
	var dept answer
	json.Unmarshal([]byte(slow["departments?from=2026-01-01&to=2027-01-01"]), &dept)
	returns, reworked := 0.0, 0.0
	for _, r := range dept.records() {
		if r["department_id"] == "CENTER" || r["accept_p50_s"] != 600.0 {
			t.Fatalf("departments: %v; want only DEPn (a return counts for the department that made it, not the center that owns it next), 600 s to accept", r)
		}
		returns += r["returns"].(float64)
		reworked += r["reworked"].(float64)
	}
	if returns != exactRows/50 || reworked != exactRows/40 {
		t.Fatalf("departments: %v returns and %v reworked, want %d and %d", returns, reworked, exactRows/50, exactRows/40)
	}
	if p := parts("incidents"); len(p.Settled) != 0 {
		t.Fatalf("months settled before Settle ran: %v", p.Settled)
	}
	assertTotal(t, srv, exactRows)

	done, err := s.Settle(ctx, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"events", "incidents", "transitions", "transition_marks", "transition_accepts"} {
		if p := parts(table); len(p.Settled) < 11 || len(p.Unsettled) != 0 {
			t.Fatalf("%s after Settle (%v): %d months settled, %d not", table, done, len(p.Settled), len(p.Unsettled))
		}
	}
	compare(t, "settled", slow, answers())
	assertTotal(t, srv, exactRows)

	// March and April replayed: those two months read with FINAL, the rest
	// plainly, in the same queries.
	generateHistory(t, addr, s.Database(), 10_000, 10_000, step)
	if p := parts("incidents"); !p.Unsettled[202603] || p.Settled[202601] == "" {
		t.Fatalf("after the replay: settled %v, unsettled %v", p.Settled, p.Unsettled)
	}
	compare(t, "partly settled", slow, answers())
	assertTotal(t, srv, exactRows)
}

func compare(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	for path, w := range want {
		if got[path] != w {
			t.Errorf("%s: GET %s answers\n%s\nwith FINAL everywhere it answered\n%s", what, path, got[path], w)
		}
	}
}

// assertTotal checks that the yearly heatmap's cells add up to want.
func assertTotal(t *testing.T, srv *httptest.Server, want int) {
	t.Helper()
	_, a := get(t, srv, "heatmap?res=5&from=2026-01-01&to=2028-01-01")
	total := 0.0
	for _, r := range a.records() {
		total += r["incidents"].(float64)
	}
	if int(total) != want {
		t.Fatalf("the heatmap counts %v incidents, want %d", total, want)
	}
}
