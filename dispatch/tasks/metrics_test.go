package tasks_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/prometheus/client_golang/prometheus"
)

// TestMetrics closes one task on time after a rework, one late, returns a
// third and leaves a fourth overdue; a fifth is closed, reopened by a
// dissatisfied callback and accepted again, and the two closed ones get
// satisfied callbacks: three rounds closed, one reopened, four accepts of
// which one late (the response rate 3/4, resolution 2/3, satisfaction
// 2/3). It compares the figures with testdata/metrics.txt.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, e.pack.Location)
	e.clock.set(t0)
	s := e.service(t)
	for _, id := range []string{"A", "B", "C", "D", "E"} {
		inc := cityops.Incident{ID: id, Status: cityops.StatusDispatched, Category: "0111", DepartmentID: "water",
			AreaID: "d1-s2", DistrictID: "d1", Reported: t0, Updated: t0, Version: 1}
		if err := s.Adopt(ctx, inc); err != nil {
			t.Fatal(err)
		}
	}
	ev := []string{"photo"}
	steps := []struct {
		at  time.Duration
		id  string
		cmd lifecycle.Command
	}{
		{time.Hour, "A", lifecycle.Command{Action: lifecycle.Accept, Actor: water}},
		{time.Hour, "A", lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: ev}},
		{time.Hour, "A", lifecycle.Command{Action: lifecycle.Rework, Actor: center, Reason: "still_wet"}},
		{time.Hour, "A", lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: ev}},
		{2 * time.Hour, "A", lifecycle.Command{Action: lifecycle.Verify, Actor: center}},
		{time.Hour, "C", lifecycle.Command{Action: lifecycle.Return, Actor: water, Reason: "wrong_location"}},
		{3 * time.Hour, "B", lifecycle.Command{Action: lifecycle.Accept, Actor: water}},
		{7 * time.Hour, "B", lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: ev}},
		{7 * time.Hour, "B", lifecycle.Command{Action: lifecycle.Verify, Actor: center}},
		{time.Hour, "E", lifecycle.Command{Action: lifecycle.Accept, Actor: water}},
		{time.Hour, "E", lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: ev}},
		{time.Hour, "E", lifecycle.Command{Action: lifecycle.Verify, Actor: center}},
		{2 * time.Hour, "E", lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "dissatisfied", Channel: "phone"}},
		{2*time.Hour + 30*time.Minute, "E", lifecycle.Command{Action: lifecycle.Accept, Actor: water}},
		{3 * time.Hour, "A", lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "satisfied", Channel: "sms"}},
		{8 * time.Hour, "B", lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "basically_satisfied", Channel: "web"}},
	}
	for _, st := range steps {
		e.clock.set(t0.Add(st.at))
		if _, err := s.Do(ctx, st.id, st.cmd); err != nil {
			t.Fatalf("%s %s: %v", st.id, st.cmd.Action, err)
		}
	}
	defer func() { // a sweep a month on drops the closed tasks only
		if n := s.Sweep(t0.Add(31 * 24 * time.Hour)); n != 2 || s.Len() != 3 {
			t.Errorf("sweep dropped %d, holds %d, want 2 and 3", n, s.Len())
		}
	}()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			v := m.GetGauge().GetValue()
			if m.GetCounter() != nil {
				v = m.GetCounter().GetValue()
			}
			got = append(got, fmt.Sprintf("%s{%s} %v", f.GetName(), strings.Join(labels, ","), v))
		}
	}
	b, err := os.ReadFile("testdata/metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestEscalationsCounted lets a task's deadline pass, fires the due
// escalations, and checks that cityops_task_escalations_total counts them
// for the task's department.
func TestEscalationsCounted(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, e.pack.Location)
	e.clock.set(t0)
	s := e.service(t)
	inc := cityops.Incident{ID: "E", Status: cityops.StatusDispatched, Category: "0111", DepartmentID: "water",
		AreaID: "d1-s2", DistrictID: "d1", Reported: t0, Updated: t0, Version: 1}
	if err := s.Adopt(ctx, inc); err != nil {
		t.Fatal(err)
	}
	e.clock.set(t0.Add(7 * time.Hour)) // past the 6 h deadline
	if _, err := s.FireDue(ctx); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "cityops_task_escalations_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == "water" && m.GetCounter().GetValue() >= 1 {
				return
			}
		}
		t.Fatalf("no escalation of water counted: %v", f)
	}
	t.Fatal("cityops_task_escalations_total not collected")
}
