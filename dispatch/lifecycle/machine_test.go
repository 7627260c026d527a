package lifecycle_test

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
)

var sentinels = map[string]error{
	"ErrIllegal": lifecycle.ErrIllegal, "ErrForbidden": lifecycle.ErrForbidden, "ErrReason": lifecycle.ErrReason,
	"ErrEvidence": lifecycle.ErrEvidence, "ErrFinalOwner": lifecycle.ErrFinalOwner, "ErrArbitration": lifecycle.ErrArbitration,
	"ErrNoArbitration": lifecycle.ErrNoArbitration, "ErrDepartment": lifecycle.ErrDepartment, "ErrInvalid": cityops.ErrInvalid, "ErrRated": lifecycle.ErrRated,
}

func parseActor(s string) lifecycle.Actor {
	switch s {
	case "center":
		return lifecycle.Actor{Center: true}
	case "system":
		return lifecycle.Actor{System: true}
	}
	return lifecycle.Actor{Department: strings.TrimPrefix(s, "dept:")}
}

// TestSteps runs testdata/steps.txt: each line takes one action from one
// status and says the status that follows or the error.
func TestSteps(t *testing.T) {
	f, err := os.Open("testdata/steps.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := &lifecycle.Machine{MaxReturns: 2, Known: func(d string) bool { return d == "jj" || d == "water" || d == "center" },
		Category: func(c string) bool { return c == "0111" }}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		cols := strings.Fields(text)
		want := cols[len(cols)-1]
		args := strings.Join(cols[3:len(cols)-1], " ")
		t.Run(strconv.Itoa(line)+"_"+cols[0]+"_"+cols[1], func(t *testing.T) {
			task := &lifecycle.Task{Incident: cityops.Incident{ID: "INC-1", Status: cityops.Status(cols[0]), DepartmentID: "water", Version: 3}}
			cmd := lifecycle.Command{Action: lifecycle.Action(cols[1]), Actor: parseActor(cols[2]), Department: "center"}
			if args != "-" {
				for _, kv := range strings.Split(args, ",") {
					k, v, _ := strings.Cut(kv, "=")
					switch k {
					case "reason":
						cmd.Reason = v
					case "note":
						cmd.Note = v
					case "evidence":
						cmd.Evidence = []string{v}
					case "dept":
						cmd.Department = v
					case "category":
						cmd.Category = v
					case "result":
						cmd.Result = v
					case "channel":
						cmd.Channel = v
					case "hours":
						cmd.Hours, _ = strconv.ParseFloat(v, 64)
					case "set":
						switch v {
						case "arbitration":
							task.Arbitration, task.Returns = true, 2
						case "final":
							task.Final = true
						case "paused":
							task.PausedAt = now.Add(-time.Hour)
						case "level4":
							task.Level = lifecycle.LevelCity
						case "redone2":
							task.Redone = 2
						case "rated":
							task.Rated = task.Round()
						}
					}
				}
			}
			if cmd.Action == lifecycle.Dispatch && !strings.Contains(args, "dept=") {
				cmd.Department = ""
			}
			before := *task
			tr, err := m.Step(task, cmd, now)
			if !reflect.DeepEqual(before, *task) {
				t.Fatalf("Step changed the task")
			}
			if sentinel, ok := sentinels[want]; ok {
				if !errors.Is(err, sentinel) {
					t.Fatalf("got %v, want %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want %s", err, want)
			}
			if tr.To != cityops.Status(want) || tr.From != task.Status || tr.Version != 4 || tr.Actor != cols[2] || !tr.Time.Equal(now) {
				t.Fatalf("transition %+v, want to %s", tr, want)
			}
			m.Apply(task, tr)
			if task.Status != cityops.Status(want) || task.Version != 4 {
				t.Fatalf("applied: status %s version %d", task.Status, task.Version)
			}
		})
	}
}

// TestReturnsLeadToArbitration walks a task through two returns, the
// arbitration that follows, and the final owner's refused return.
func TestReturnsLeadToArbitration(t *testing.T) {
	m := &lifecycle.Machine{MaxReturns: 2}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	task := &lifecycle.Task{}
	m.Apply(task, lifecycle.Adopted(cityops.Incident{ID: "INC-1", Status: cityops.StatusDispatched, DepartmentID: "water", Version: 1, Updated: now}, now.Add(6*time.Hour), now))
	var last cityops.Transition
	do := func(cmd lifecycle.Command) error {
		tr, err := m.Step(task, cmd, now)
		if err == nil {
			m.Apply(task, tr)
			last = tr
		}
		return err
	}
	center := lifecycle.Actor{Center: true}
	for i, d := range []string{"water", "jj"} {
		if err := do(lifecycle.Command{Action: lifecycle.Return, Actor: lifecycle.Actor{Department: d}, Reason: "not_responsible", Department: "center"}); err != nil {
			t.Fatal(err)
		}
		if task.Returns != i+1 || task.DepartmentID != "center" || task.Status != cityops.StatusRegistered {
			t.Fatalf("after return %d: %+v", i+1, task)
		}
		// The record counts the return for the department that returned it.
		if last.Department != d || last.Owner != "center" || last.Reason != "not_responsible" || last.From != cityops.StatusDispatched {
			t.Fatalf("return %d recorded as %+v", i+1, last)
		}
		if i == 0 {
			if err := do(lifecycle.Command{Action: lifecycle.Dispatch, Actor: center, Department: "jj"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !task.Arbitration {
		t.Fatal("two returns did not lead to arbitration")
	}
	if err := do(lifecycle.Command{Action: lifecycle.Dispatch, Actor: center, Department: "water"}); !errors.Is(err, lifecycle.ErrArbitration) {
		t.Fatalf("dispatch in arbitration: %v", err)
	}
	if err := do(lifecycle.Command{Action: lifecycle.Arbitrate, Actor: center, Department: "water"}); err != nil {
		t.Fatal(err)
	}
	if err := do(lifecycle.Command{Action: lifecycle.Return, Actor: lifecycle.Actor{Department: "water"}, Reason: "duplicate", Department: "center"}); !errors.Is(err, lifecycle.ErrFinalOwner) {
		t.Fatalf("return by the final owner: %v", err)
	}
	if task.Version != 6 || !task.Dispatched.Equal(now) || task.Deadline != now.Add(6*time.Hour) {
		t.Fatalf("version %d dispatched %v deadline %v", task.Version, task.Dispatched, task.Deadline)
	}
}

// TestCloseRecordsOnTime checks the flag planners count closures on time by:
// a close by the deadline is on time, one after it is not, and a task
// without a deadline is on time.
func TestCloseRecordsOnTime(t *testing.T) {
	m := &lifecycle.Machine{}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		deadline time.Time
		close    time.Time
		want     bool
	}{
		{"before", at.Add(time.Hour), at, true},
		{"at", at, at, true},
		{"after", at, at.Add(time.Second), false},
		{"no deadline", time.Time{}, at.Add(1000 * time.Hour), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			task := &lifecycle.Task{}
			task.Status, task.Deadline, task.DepartmentID = cityops.StatusVerified, tc.deadline, "water"
			tr, err := m.Step(task, lifecycle.Command{Action: lifecycle.Close, Actor: lifecycle.Actor{Inspector: "i1"}}, tc.close)
			if err != nil {
				t.Fatal(err)
			}
			if tr.OnTime == nil || *tr.OnTime != tc.want || tr.Actor != "inspector:i1" {
				t.Errorf("on time %v by %s, want %v", tr.OnTime, tr.Actor, tc.want)
			}
		})
	}
}

// TestEnteredIgnoresNotes: a note or an escalation while a task waits does
// not restart the time it waited; a hand-over to a new owner does.
func TestEnteredIgnoresNotes(t *testing.T) {
	m := &lifecycle.Machine{}
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	task := &lifecycle.Task{}
	inc := cityops.Incident{ID: "INC-1", Status: cityops.StatusDispatched, DepartmentID: "water", Updated: t0, Version: 1}
	m.Apply(task, lifecycle.Adopted(inc, t0.Add(8*time.Hour), t0))
	steps := []struct {
		cmd  lifecycle.Command
		at   time.Duration
		want time.Duration // Entered of the step, after t0
	}{
		{lifecycle.Command{Action: lifecycle.Note, Actor: lifecycle.Actor{Department: "water"}, Note: "on our way"}, time.Hour, 0},
		{lifecycle.Command{Action: lifecycle.Note, Actor: lifecycle.Actor{Center: true}, Note: "caller rang again"}, 2 * time.Hour, 0},
		{lifecycle.Command{Action: lifecycle.Accept, Actor: lifecycle.Actor{Department: "water"}}, 3 * time.Hour, 0},
		{lifecycle.Command{Action: lifecycle.Note, Actor: lifecycle.Actor{Department: "water"}, Note: "pump ordered"}, 4 * time.Hour, 3 * time.Hour},
		{lifecycle.Command{Action: lifecycle.Return, Actor: lifecycle.Actor{Department: "water"}, Reason: "wrong_location", Department: "center"}, 5 * time.Hour, 3 * time.Hour},
	}
	for i, s := range steps {
		tr, err := m.Step(task, s.cmd, t0.Add(s.at))
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, s.cmd.Action, err)
		}
		if got := tr.Entered.Sub(t0); got != s.want {
			t.Errorf("step %d (%s): entered t0+%v, want t0+%v", i, s.cmd.Action, got, s.want)
		}
		m.Apply(task, tr)
	}
}

// TestReopenStartsARound takes a task to closed, records a callback, and
// reopens it: the callback moves no time of the round, the reopening starts
// a new round with its own clock for the same department, and each round
// takes one callback. Dissatisfied reopenings beyond MaxRedos go to the
// center's arbitration.
func TestReopenStartsARound(t *testing.T) {
	m := &lifecycle.Machine{MaxRedos: 1}
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	task := &lifecycle.Task{}
	m.Apply(task, lifecycle.Adopted(cityops.Incident{ID: "INC-1", Status: cityops.StatusDispatched, DepartmentID: "water", Version: 1, Updated: t0}, t0.Add(6*time.Hour), t0))
	water, center := lifecycle.Actor{Department: "water"}, lifecycle.Actor{Center: true}
	at := t0
	do := func(cmd lifecycle.Command, after time.Duration) (cityops.Transition, error) {
		at = at.Add(after)
		tr, err := m.Step(task, cmd, at)
		if err == nil {
			m.Apply(task, tr)
		}
		return tr, err
	}
	must := func(tr cityops.Transition, err error) cityops.Transition {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	must(do(lifecycle.Command{Action: lifecycle.Accept, Actor: water}, time.Hour))
	must(do(lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"p.jpg"}}, time.Hour))
	must(do(lifecycle.Command{Action: lifecycle.Verify, Actor: center}, time.Hour))
	closed := must(do(lifecycle.Command{Action: lifecycle.Close, Actor: center}, 0))
	updated := task.Updated
	fb := must(do(lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "dissatisfied", Channel: "phone", Note: "still flooded"}, 24*time.Hour))
	if !task.Updated.Equal(updated) || task.Status != cityops.StatusClosed || task.Rated != 1 || fb.Result != "dissatisfied" || fb.Channel != "phone" || fb.Department != "water" {
		t.Fatalf("after the callback: %+v, transition %+v", task, fb)
	}
	if _, err := do(lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "satisfied", Channel: "sms"}, 0); !errors.Is(err, lifecycle.ErrRated) {
		t.Fatalf("a second callback in round 1: %v", err)
	}
	re := must(do(lifecycle.Command{Action: lifecycle.Reopen, Actor: center, Reason: lifecycle.ReasonDissatisfied, Department: "center"}, 0))
	if re.From != cityops.StatusClosed || re.To != cityops.StatusDispatched || task.DepartmentID != "water" || task.Round() != 2 ||
		!task.Dispatched.Equal(at) || !task.Closed.IsZero() || !task.Accepted.IsZero() || task.Redone != 1 {
		t.Fatalf("after the reopening: %+v, transition %+v", task, re)
	}
	if *closed.OnTime != true || !closed.Time.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("round 1's close: %+v", closed)
	}
	must(do(lifecycle.Command{Action: lifecycle.Accept, Actor: water}, time.Hour))
	must(do(lifecycle.Command{Action: lifecycle.Resolve, Actor: water, Evidence: []string{"q.jpg"}}, time.Hour))
	must(do(lifecycle.Command{Action: lifecycle.Feedback, Actor: center, Result: "dissatisfied", Channel: "web"}, time.Hour))
	re = must(do(lifecycle.Command{Action: lifecycle.Reopen, Actor: center, Reason: lifecycle.ReasonDissatisfied, Department: "center"}, 0))
	if re.To != cityops.StatusRegistered || task.DepartmentID != "center" || !task.Arbitration || re.Department != "water" {
		t.Fatalf("the second dissatisfied reopening: %+v, transition %+v", task, re)
	}
	must(do(lifecycle.Command{Action: lifecycle.Arbitrate, Actor: center, Department: "jj"}, time.Hour))
	if task.Status != cityops.StatusDispatched || task.DepartmentID != "jj" || !task.Final || task.Round() != 3 {
		t.Fatalf("after arbitration: %+v", task)
	}
}
