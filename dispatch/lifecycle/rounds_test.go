package lifecycle_test

import (
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
)

// TestRoundFigures: an accept says whether it came within the response time
// of the department being handed the task; a close names its round and when
// that began (the report, then the reopening); a reopening and a callback
// name their rounds; the task counts each round's figures.
func TestRoundFigures(t *testing.T) {
	m := &lifecycle.Machine{Response: time.Hour}
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	reported := t0.Add(-10 * time.Minute)
	task := &lifecycle.Task{}
	m.Apply(task, lifecycle.Adopted(cityops.Incident{ID: "INC-1", Status: cityops.StatusDispatched, DepartmentID: "water", Version: 1,
		Reported: reported, Updated: t0}, t0.Add(6*time.Hour), t0))
	water, center := lifecycle.Actor{Department: "water"}, lifecycle.Actor{Center: true}
	at := t0
	do := func(cmd lifecycle.Command, after time.Duration) cityops.Transition {
		t.Helper()
		at = at.Add(after)
		tr, err := m.Step(task, cmd, at)
		if err != nil {
			t.Fatalf("%s: %v", cmd.Action, err)
		}
		m.Apply(task, tr)
		return tr
	}
	if a := do(lifecycle.Command{Action: lifecycle.Accept, Actor: water}, time.Hour); a.OnTime == nil || !*a.OnTime {
		t.Errorf("an accept at the response time: on time %v", a.OnTime)
	}
	do(lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"p"}}, time.Hour)
	do(lifecycle.Command{Action: lifecycle.Verify, Actor: center}, 0)
	c1 := do(lifecycle.Command{Action: lifecycle.Close, Actor: center}, 0)
	if c1.Round != 1 || !c1.Started.Equal(reported) || !*c1.OnTime {
		t.Errorf("round 1's close: round %d started %v on time %v", c1.Round, c1.Started, *c1.OnTime)
	}
	if fb := do(lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "basically_satisfied", Channel: "sms"}, time.Hour); fb.Round != 1 {
		t.Errorf("round 1's callback names round %d", fb.Round)
	}
	re := do(lifecycle.Command{Action: lifecycle.Reopen, Actor: lifecycle.Actor{System: true}, Reason: lifecycle.ReasonRepeat}, time.Hour)
	if re.Round != 2 {
		t.Errorf("the reopening names round %d, want 2", re.Round)
	}
	if a := do(lifecycle.Command{Action: lifecycle.Accept, Actor: water}, time.Hour+time.Second); *a.OnTime {
		t.Errorf("an accept a second past the response time is on time")
	}
	do(lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"q"}}, time.Hour)
	do(lifecycle.Command{Action: lifecycle.Verify, Actor: center}, 0)
	task.Deadline = at.Add(-time.Minute) // the round's deadline has passed
	c2 := do(lifecycle.Command{Action: lifecycle.Close, Actor: center}, 0)
	if c2.Round != 2 || !c2.Started.Equal(re.Time) || *c2.OnTime {
		t.Errorf("round 2's close: round %d started %v (reopened %v) on time %v", c2.Round, c2.Started, re.Time, *c2.OnTime)
	}
	want := lifecycle.Task{Responses: 2, OnTimeResponses: 1, Closes: 2, ClosesOnTime: 1, ReopenedClosed: 1, BasicallySatisfied: 1}
	if task.Responses != want.Responses || task.OnTimeResponses != want.OnTimeResponses || task.Closes != want.Closes ||
		task.ClosesOnTime != want.ClosesOnTime || task.ReopenedClosed != want.ReopenedClosed || task.BasicallySatisfied != want.BasicallySatisfied ||
		task.Satisfied != 0 || task.Dissatisfied != 0 {
		t.Errorf("figures %d/%d accepts, %d/%d closes, %d reopened closed, %d/%d/%d callbacks", task.OnTimeResponses, task.Responses,
			task.ClosesOnTime, task.Closes, task.ReopenedClosed, task.Satisfied, task.BasicallySatisfied, task.Dissatisfied)
	}
}
