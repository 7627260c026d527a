package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
)

// beforeDepartmentFigures is history as a database at migration 5 holds it:
// 3,000 incidents in their latest state (some closed: late, on time, at
// their deadline to the second, or without one) and three transitions each,
// among them accepts with and without a known entry time, stored twice as a
// retried batch would be.
var beforeDepartmentFigures = []string{
	`INSERT INTO {db}.incidents (id, event_id, source, type, category, severity, status, department_id, reported, updated, deadline, version)
	SELECT concat('inc-', toString(number)), '', 'hotline', 'complaint', 'noise', 1,
		['closed', 'accepted', 'resolved', 'closed'][number % 4 + 1], concat('DEP', toString(number % 5)),
		toDateTime(1767225600 + number * 7000), toDateTime(1767225600 + number * 7000 + (number % 11) * 9000),
		if(number % 6 = 0, toDateTime(0), toDateTime(1767225600 + number * 7000 + 36000)), 2
	FROM numbers(3000)`,
	`INSERT INTO {db}.transitions (incident_id, version, from_status, to_status, actor, department_id, reason, time, time_ms, entered)
	SELECT concat('inc-', toString(number)), v, ['reported', 'dispatched', 'accepted'][v], ['dispatched', 'accepted', 'resolved'][v],
		'center', concat('DEP', toString(number % 5)), '', toDateTime(1767225600 + number * 7000 + v * 600), 0,
		if(number % 5 = 0, toDateTime(0), toDateTime(1767225600 + number * 7000 + v * 600 - (number % 13) * 60))
	FROM numbers(3000) ARRAY JOIN [1, 2, 3] AS v`,
}

// TestUpgradeComputesDepartmentFigures upgrades a database that holds history
// from before migration 0006 and checks what 0006 adds against the base
// tables: the accepts copied into transition_accepts with their waits, and
// the incidents' closed, closed_on_time and close_s, which ClickHouse
// computes on read from parts written before the columns existed and writes
// down when it merges them. Rows written after the upgrade get them too.
func TestUpgradeComputesDepartmentFigures(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{Addr: chtest.Start(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.MigrateTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for _, q := range beforeDepartmentFigures {
			if err := s.Exec(ctx, strings.ReplaceAll(q, "{db}", s.Database())); err != nil {
				t.Fatalf("storing history: %v", err)
			}
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(what string, wantIncidents, wantAccepts uint64) {
		t.Helper()
		var incidents, wrong uint64
		err := queryRow(ctx, s, []any{&incidents, &wrong}, "SELECT count(), countIf(closed != (status = 'closed')"+
			" OR closed_on_time != (status = 'closed' AND (toUInt32(deadline) = 0 OR updated <= deadline))"+
			" OR close_s != if(status = 'closed', toUInt32(updated) - toUInt32(reported), 0))"+
			" FROM "+s.Database()+".incidents FINAL")
		if err != nil {
			t.Fatal(err)
		}
		if incidents != wantIncidents || wrong != 0 {
			t.Errorf("%s: %d incidents, %d with figures that disagree with their row; want %d and 0", what, incidents, wrong, wantIncidents)
		}
		var accepts, missing uint64
		err = queryRow(ctx, s, []any{&accepts, &missing}, "SELECT count(), countIf((incident_id, version, wait_s) NOT IN"+
			" (SELECT incident_id, version, toUInt32(time) - toUInt32(entered) FROM "+s.Database()+".transitions FINAL"+
			" WHERE from_status = 'dispatched' AND to_status = 'accepted' AND toUInt32(entered) > 0))"+
			" FROM "+s.Database()+".transition_accepts FINAL")
		if err != nil {
			t.Fatal(err)
		}
		if accepts != wantAccepts || missing != 0 {
			t.Errorf("%s: %d accepts, %d not in the audit trail; want %d and 0", what, accepts, missing, wantAccepts)
		}
	}
	// 3,000 incidents; an accept for each, less the fifth whose entry time is unknown.
	check("upgraded", 3000, 2400)
	if _, err := s.Settle(ctx, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	check("merged", 3000, 2400)
	for _, q := range beforeDepartmentFigures {
		q = strings.NewReplacer("{db}", s.Database(), "numbers(3000)", "numbers(3000, 600)").Replace(q)
		if err := s.Exec(ctx, q); err != nil {
			t.Fatalf("storing history: %v", err)
		}
	}
	check("written after", 3600, 2880)
}

// queryRow runs a query of one row and scans it into dest.
func queryRow(ctx context.Context, s *store.Store, dest []any, query string) error {
	rows, err := s.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		return fmt.Errorf("no row: %w", rows.Err())
	}
	return rows.Scan(dest...)
}

// TestUpgradeToReadableHistory upgrades a database at migration 6 that holds
// history and checks what 0007 gives the rows already stored: the action
// inferred from the statuses (and kept when the parts merge), the times in
// UTC, and every incident in incident_times with its steps.
func TestUpgradeToReadableHistory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{Addr: chtest.Start(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.MigrateTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for _, q := range beforeDepartmentFigures {
			if err := s.Exec(ctx, strings.ReplaceAll(q, "{db}", s.Database())); err != nil {
				t.Fatalf("storing history: %v", err)
			}
		}
	}
	start := time.Now()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("migration 0007 over 6,000 incident rows and 18,000 transitions: %v", time.Since(start).Round(time.Millisecond))
	actions := "SELECT action, count() FROM cityops.transitions FINAL GROUP BY action ORDER BY action"
	want := []string{"accept|3000", "dispatch|3000", "resolve|3000"}
	if got := queryStrings(t, s, actions); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inferred actions: got %q, want %q", got, want)
	}
	for _, table := range []string{"transitions", "incidents"} {
		if err := s.Exec(ctx, "OPTIMIZE TABLE cityops."+table+" FINAL"); err != nil {
			t.Fatal(err)
		}
	}
	if got := queryStrings(t, s, actions); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inferred actions after the merge: got %q, want %q", got, want)
	}
	got := queryStrings(t, s, "SELECT count(), count(to_dispatch_s), count(to_accept_s), count(to_resolve_s), count(to_close_s),"+
		" min(to_dispatch_s), toTypeName(any(reported_at)) FROM cityops.incident_times")
	if want := []string{"3000|3000|3000|3000|1500|600|DateTime('UTC')"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("incident_times: got %q, want %q", got, want)
	}
	got = queryStrings(t, s, "SELECT name, type FROM system.columns WHERE database = 'cityops'"+
		" AND ((table = 'transitions' AND name IN ('time', 'entered')) OR (table = 'incidents' AND name IN ('reported', 'updated', 'deadline'))) ORDER BY table, name")
	want = []string{"deadline|DateTime('UTC')", "reported|DateTime", "updated|DateTime('UTC')", "entered|DateTime('UTC')", "time|DateTime"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("column types: got %q, want %q", got, want)
	}
}

// TestUpgradeToRoundFigures upgrades a database at migration 7 that holds
// two reopened incidents and checks what 0010 gives them: transition_figures
// with their accepts (in time by the default 2 hours), closes (their
// incident's flag and time from the report), reopenings and callback, and
// transition_marks with each reopening marked by its reason, the one of a
// closed incident included (0004 missed it) and the one of a resolved
// incident no longer counted as rework. A close stored after the upgrade
// keeps the dispatcher's flag and its round's own time.
func TestUpgradeToRoundFigures(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := store.Open(ctx, store.Options{Addr: chtest.Start(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.MigrateTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	const t0 = 1772445600 // 2026-03-02 10:00 UTC
	tr := func(id string, v int, action, from, to, reason string, at, entered int) string {
		return fmt.Sprintf("SELECT '%s', %d, '%s', '%s', '%s', 'center', 'water', '%s', toDateTime(%d), %d, toDateTime(%d)",
			id, v, action, from, to, reason, t0+at, (t0+at)*1000, t0+entered)
	}
	history := []string{
		`INSERT INTO {db}.incidents (id, event_id, source, type, category, severity, status, department_id, reported, updated, deadline, version)
		SELECT 'inc-a', '', 'hotline', 'complaint', 'road', 2, 'closed', 'water', toDateTime(1772445600), toDateTime(1772650800), toDateTime(1772636400), 12
		UNION ALL
		SELECT 'inc-b', '', 'hotline', 'complaint', 'road', 2, 'dispatched', 'water', toDateTime(1772445600), toDateTime(1772460000), toDateTime(1772546400), 5`,
		`INSERT INTO {db}.transitions (incident_id, version, action, from_status, to_status, actor, department_id, reason, time, time_ms, entered) ` +
			strings.Join([]string{
				tr("inc-a", 2, "accept", "dispatched", "accepted", "", 1800, 0),
				tr("inc-a", 3, "resolve", "accepted", "resolved", "", 7200, 1800),
				tr("inc-a", 4, "verify", "resolved", "verified", "", 10800, 7200),
				tr("inc-a", 5, "close", "verified", "closed", "", 10800, 10800),
				tr("inc-a", 6, "reopen", "closed", "dispatched", "repeat", 97200, 10800),
				tr("inc-a", 7, "accept", "dispatched", "accepted", "", 108000, 97200),
				tr("inc-a", 8, "resolve", "accepted", "resolved", "", 180000, 108000),
				tr("inc-a", 9, "verify", "resolved", "verified", "", 205200, 180000),
				tr("inc-a", 10, "close", "verified", "closed", "", 205200, 205200),
				tr("inc-a", 11, "feedback", "closed", "closed", "dissatisfied", 208800, 205200),
				tr("inc-a", 12, "reopen", "closed", "dispatched", "dissatisfied", 208800, 205200),
				tr("inc-b", 2, "accept", "dispatched", "accepted", "", 1800, 0),
				tr("inc-b", 3, "resolve", "accepted", "resolved", "", 7200, 1800),
				tr("inc-b", 4, "reopen", "resolved", "dispatched", "dissatisfied", 14400, 7200),
			}, " UNION ALL "),
	}
	for _, q := range history {
		if err := s.Exec(ctx, strings.ReplaceAll(q, "{db}", s.Database())); err != nil {
			t.Fatalf("storing history: %v", err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	figures := "SELECT incident_id, version, kind, on_time, close_s, from_closed, result FROM cityops.transition_figures FINAL ORDER BY incident_id, version"
	want := []string{
		"inc-a|2|accept|1|-1|0|", "inc-a|5|close|0|10800|0|", "inc-a|6|reopen|-1|-1|1|", "inc-a|7|accept|0|-1|0|",
		"inc-a|10|close|0|205200|0|", "inc-a|11|feedback|-1|-1|1|dissatisfied", "inc-a|12|reopen|-1|-1|1|",
		"inc-b|2|accept|1|-1|0|", "inc-b|4|reopen|-1|-1|0|",
	}
	if got := queryStrings(t, s, figures); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("transition_figures after the upgrade:\n got %q\nwant %q", got, want)
	}
	marks := "SELECT incident_id, version, kind FROM cityops.transition_marks FINAL ORDER BY incident_id, version"
	want = []string{"inc-a|6|repeat", "inc-a|12|redo", "inc-b|4|redo"}
	if got := queryStrings(t, s, marks); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("transition_marks after the upgrade: got %q, want %q", got, want)
	}
	// A close the dispatcher writes now: its own flag, round and start.
	if err := s.InsertTransitions(ctx, []store.Transition{{IncidentID: "inc-b", Version: 9, Action: "close", From: "verified", To: "closed",
		Actor: "center", DepartmentID: "water", Time: time.Unix(t0+50400, 0), OnTime: new(true), Round: 2, Started: time.Unix(t0+14400, 0)}}); err != nil {
		t.Fatal(err)
	}
	got := queryStrings(t, s, "SELECT kind, round, on_time, close_s FROM cityops.transition_figures FINAL WHERE incident_id = 'inc-b' AND version = 9")
	if want := []string{"close|2|1|36000"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a close stored after the upgrade: got %q, want %q", got, want)
	}
}
