package tasks_test

import (
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/prometheus/client_golang/prometheus"
)

// TestSignalReachesTheTask applies merged reports and an alarm clear to an
// open task: the counts reach the task, each is recorded once (a
// redelivered merge does nothing), and a restarted service rebuilds them
// from the transitions.
func TestSignalReachesTheTask(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, e.pack.Location)
	e.clock.set(t0)
	s := e.service(t)
	flood := cityops.Incident{ID: "INC-flood", Status: cityops.StatusDispatched, Category: "0111", DepartmentID: "water",
		AreaID: "d1-s2", DistrictID: "d1", Reported: t0, Updated: t0, Version: 1, Reports: 1, ReportIDs: []string{"flood"}}
	if err := s.Adopt(ctx, flood); err != nil {
		t.Fatal(err)
	}
	merge := func(kind cityops.ChangeKind, seq uint64, sig string, reports int, ids ...string) cityops.Change {
		return cityops.Change{Kind: kind, Incident: cityops.Incident{ID: "INC-flood"}, Merge: &cityops.Merge{
			Signal: sig, Seq: seq, Reports: reports, ReportIDs: ids, Signals: []string{"ALM-w"}, First: t0, Last: t0.Add(time.Duration(seq) * time.Minute)}}
	}
	for _, c := range []cityops.Change{
		merge(cityops.ChangeMerged, 1, "r2", 2, "flood", "r2"),
		merge(cityops.ChangeMerged, 2, "r3", 3, "flood", "r2", "r3"),
		merge(cityops.ChangeMerged, 2, "r3", 3, "flood", "r2", "r3"), // redelivered
		merge(cityops.ChangeCleared, 3, "ALM-w", 3, "flood", "r2", "r3"),
		{Kind: cityops.ChangeMerged, Incident: cityops.Incident{ID: "INC-unknown"}, Merge: &cityops.Merge{Seq: 1}},
	} {
		if err := s.Signal(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	check := func(s *tasks.Service, when string) {
		t.Helper()
		got, ok := s.Get("INC-flood")
		if !ok {
			t.Fatalf("%s: no task", when)
		}
		if got.Reports != 3 || len(got.ReportIDs) != 3 || len(got.Signals) != 1 || got.MergeSeq != 3 || !got.LastSignal.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("%s: reports %d ids %v signals %v seq %d last %v", when, got.Reports, got.ReportIDs, got.Signals, got.MergeSeq, got.LastSignal)
		}
		if got.Version != 5 || got.Status != cityops.StatusDispatched || got.DepartmentID != "water" {
			t.Errorf("%s: version %d status %s owner %s, want 5 dispatched water (adopt + 3 signals)", when, got.Version, got.Status, got.DepartmentID)
		}
	}
	check(s, "after the signals")
	check(e.service(t), "after a restart")
}

// TestSignalsAfterClosure: on a closed task, a merged report within the
// category's reopen window reopens it as a repeat complaint for the same
// department with a new deadline; an alarm update, or a report after the
// window, changes nothing, so the closed round keeps its times.
func TestSignalsAfterClosure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		after  time.Duration
		alarm  bool
		early  bool // reported before the resolution
		reopen bool
	}{
		{"a report a day later", 24 * time.Hour, false, false, true},
		{"a report after the window", 8 * 24 * time.Hour, false, false, false},
		{"an alarm update", time.Hour, true, false, false},
		{"a report made before the resolution", time.Hour, false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := testContext(t)
			t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, e.pack.Location)
			e.clock.set(t0)
			s := e.service(t)
			inc := cityops.Incident{ID: "INC-road", Status: cityops.StatusDispatched, Category: "06013", DepartmentID: "jj",
				AreaID: "d1-s2", DistrictID: "d1", Reported: t0, Updated: t0, Version: 1, Reports: 1}
			if err := s.Adopt(ctx, inc); err != nil {
				t.Fatal(err)
			}
			jj := lifecycle.Actor{Department: "jj"}
			for _, cmd := range []lifecycle.Command{
				{Action: lifecycle.Accept, Actor: jj}, {Action: lifecycle.Resolve, Actor: jj, Evidence: []string{"p"}}, {Action: lifecycle.Verify, Actor: center},
			} {
				e.clock.add(time.Hour)
				if _, err := s.Do(ctx, "INC-road", cmd); err != nil {
					t.Fatal(err)
				}
			}
			closed, _ := s.Get("INC-road")
			e.clock.add(tc.after)
			m := &cityops.Merge{Signal: "r2", Seq: 1, Reports: 2, First: t0, Last: e.clock.now()}
			if tc.alarm {
				m.Alarm, m.Signal = "water_level.high", "ALM-1"
			}
			ch := cityops.Change{Kind: cityops.ChangeMerged, Incident: cityops.Incident{ID: "INC-road", Reported: e.clock.now()}, Merge: m}
			if tc.early {
				ch.Incident.Reported = t0.Add(30 * time.Minute)
			}
			if err := s.Signal(ctx, ch); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Get("INC-road")
			if !tc.reopen {
				if got.Version != closed.Version || !got.Updated.Equal(closed.Updated) || got.Status != cityops.StatusClosed {
					t.Fatalf("the closed task changed: %+v, was %+v", got, closed)
				}
				return
			}
			if got.Status != cityops.StatusDispatched || got.DepartmentID != "jj" || got.Incident.Repeats != 1 || got.Reports != 2 ||
				!got.Dispatched.Equal(e.clock.now()) || !got.Deadline.After(e.clock.now()) || !got.Closed.IsZero() {
				t.Fatalf("reopened: %+v", got)
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(s.Collector())
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]float64{}
			for _, mf := range mfs {
				for _, m := range mf.GetMetric() {
					k := mf.GetName()
					for _, l := range m.GetLabel() {
						k += "," + l.GetName() + "=" + l.GetValue()
					}
					if m.Counter != nil {
						counts[k] = m.Counter.GetValue()
					}
				}
			}
			if counts["cityops_repeat_complaints_total,department=jj"] != 1 || counts["cityops_task_reopens_total,department=jj,reason=repeat"] != 1 {
				t.Errorf("counters: %v", counts)
			}
		})
	}
}
