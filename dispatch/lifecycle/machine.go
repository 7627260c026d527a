package lifecycle

import (
	"fmt"
	"slices"
	"time"

	"github.com/cityops/cityops"
)

// Machine holds the city's settings of the loop.
type Machine struct {
	MaxReturns int                          // returns before arbitration; 0 means 2
	MaxRedos   int                          // reopenings for dissatisfied callbacks before the center arbitrates; 0 means 2
	Response   time.Duration                // the time a department has to accept a task handed to it; 0 means 2 hours
	Known      func(department string) bool // reports whether a department exists; nil accepts any
	Category   func(code string) bool       // reports whether a category exists; nil accepts any
}

func (m *Machine) maxReturns() int {
	if m.MaxReturns <= 0 {
		return 2
	}
	return m.MaxReturns
}

func (m *Machine) response() time.Duration {
	if m.Response <= 0 {
		return 2 * time.Hour
	}
	return m.Response
}

func (m *Machine) maxRedos() int {
	if m.MaxRedos <= 0 {
		return 2
	}
	return m.MaxRedos
}

// Step checks cmd against t and returns the transition that records it. It
// does not change t; Apply does. Deadline and Level are left for the caller,
// which owns the clock.
func (m *Machine) Step(t *Task, cmd Command, now time.Time) (cityops.Transition, error) {
	r, ok := rules[cmd.Action]
	if !ok || cmd.Action == Adopt {
		return cityops.Transition{}, fmt.Errorf("unknown action %q: %w", cmd.Action, cityops.ErrInvalid)
	}
	if !slices.Contains(r.from, t.Status) {
		return cityops.Transition{}, illegal(cmd.Action, t.Status)
	}
	if err := allowed(r.by, t, cmd); err != nil {
		return cityops.Transition{}, err
	}
	tr := cityops.Transition{
		IncidentID: t.ID, Version: t.Version + 1, Action: string(cmd.Action),
		From: t.Status, To: r.to, Actor: cmd.Actor.String(), Time: now, Entered: t.entered(),
		Reason: cmd.Reason, Note: cmd.Note, Evidence: cmd.Evidence,
		Department: t.DepartmentID, Deadline: t.Deadline, Level: t.Level, Hours: cmd.Hours,
	}
	if tr.To == "" {
		tr.To = t.Status
	}
	if err := m.check(t, cmd, &tr, now); err != nil {
		return cityops.Transition{}, err
	}
	if cmd.Category != "" {
		if cmd.Action != Register && cmd.Action != Dispatch && cmd.Action != Arbitrate {
			return cityops.Transition{}, fmt.Errorf("%s with a category: %w", cmd.Action, cityops.Invalid("category", "only register, dispatch and arbitrate set it"))
		}
		if m.Category != nil && !m.Category(cmd.Category) {
			return cityops.Transition{}, fmt.Errorf("%s %s: %w", cmd.Action, t.ID, cityops.Invalid("category", "unknown category %q", cmd.Category))
		}
		tr.Category = cmd.Category
	}
	return tr, nil
}

func allowed(by role, t *Task, cmd Command) error {
	a := cmd.Actor
	switch {
	case a.System && by&bySystem != 0:
	case a.Center && by&byCenter != 0:
	case a.Inspector != "" && by&byInspector != 0:
	case !a.System && !a.Center && a.Inspector == "" && a.Department != "" &&
		(by&byOwner != 0 && a.Department == t.DepartmentID || by&byCooperating != 0 && slices.Contains(t.Cooperating, a.Department)):
	default:
		return fmt.Errorf("%s may not %s incident %s: %w", a, cmd.Action, t.ID, ErrForbidden)
	}
	return nil
}

// check applies the rules particular to an action.
func (m *Machine) check(t *Task, cmd Command, tr *cityops.Transition, now time.Time) error {
	switch cmd.Action {
	case Cancel:
		if _, ok := CancelReasons[cmd.Reason]; !ok {
			return fmt.Errorf("cancelling %s with reason %q: %w", t.ID, cmd.Reason, ErrReason)
		}
	case Return:
		if t.Final {
			return fmt.Errorf("returning %s: %w", t.ID, ErrFinalOwner)
		}
		if _, ok := ReturnReasons[cmd.Reason]; !ok {
			return fmt.Errorf("returning %s with reason %q: %w", t.ID, cmd.Reason, ErrReason)
		}
		tr.Owner = cmd.Department // back to the center; the return counts for the department that returned it
	case Rework:
		if cmd.Reason == "" {
			return fmt.Errorf("sending %s back for rework: %w", t.ID, ErrReason)
		}
	case Resolve:
		if len(cmd.Evidence) == 0 {
			return fmt.Errorf("resolving %s: %w", t.ID, ErrEvidence)
		}
	case Dispatch, Arbitrate:
		if cmd.Action == Dispatch && t.Arbitration {
			return fmt.Errorf("dispatching %s after %d returns: %w", t.ID, t.Returns, ErrArbitration)
		}
		if cmd.Action == Arbitrate && !t.Arbitration {
			return fmt.Errorf("arbitrating %s: %w", t.ID, ErrNoArbitration)
		}
		if cmd.Department == "" || m.Known != nil && !m.Known(cmd.Department) {
			return fmt.Errorf("%s %s to %q: %w", cmd.Action, t.ID, cmd.Department, ErrDepartment)
		}
		tr.Department = cmd.Department
	case Extend:
		if cmd.Hours <= 0 {
			return fmt.Errorf("extending %s by %v hours: %w", t.ID, cmd.Hours, cityops.ErrInvalid)
		}
	case Pause:
		if !t.PausedAt.IsZero() {
			return illegal(cmd.Action, "paused")
		}
	case Resume:
		if t.PausedAt.IsZero() {
			return illegal(cmd.Action, "running")
		}
	case Accept:
		// Responded in time: accepted within the response time of being
		// handed the task (a return and a new dispatch start it again).
		onTime := !now.After(t.entered().Add(m.response()))
		tr.OnTime = &onTime
	case Close:
		onTime := t.Deadline.IsZero() || !now.After(t.Deadline)
		tr.OnTime = &onTime
		// The round it closes, and when that began, so that the figures of
		// a closed round never change when the incident is reopened.
		tr.Round, tr.Started = t.Round(), t.Reported
		if tr.Round > 1 {
			tr.Started = t.Dispatched // the reopening
		}
	case Reopen:
		switch {
		case cmd.Reason == ReasonRepeat && cmd.Actor.System:
		case cmd.Reason == ReasonDissatisfied && cmd.Actor.Center:
			if t.Redone >= m.maxRedos() {
				// Reopened too often: the center names who redoes it.
				tr.To, tr.Owner = cityops.StatusRegistered, cmd.Department
			}
		default:
			return fmt.Errorf("reopening %s with reason %q by %s: %w", t.ID, cmd.Reason, cmd.Actor, ErrReason)
		}
		tr.Level = LevelNone
		tr.Round = t.Round() + 1
	case Feedback:
		if FeedbackResults[cmd.Result] == "" {
			return fmt.Errorf("feedback on %s: %w", t.ID, cityops.Invalid("result", "must be satisfied, basically_satisfied or dissatisfied, not %q", cmd.Result))
		}
		if FeedbackChannels[cmd.Channel] == "" {
			return fmt.Errorf("feedback on %s: %w", t.ID, cityops.Invalid("channel", "must be phone, sms or web, not %q", cmd.Channel))
		}
		if t.Rated >= t.Round() {
			return fmt.Errorf("feedback on %s round %d: %w", t.ID, t.Round(), ErrRated)
		}
		// The result is also the step's coded reason: the audit trail in
		// ClickHouse keeps reasons, not yet results.
		tr.Result, tr.Channel, tr.Reason = cmd.Result, cmd.Channel, cmd.Result
		tr.Round = t.Round()
	case Escalate:
		if t.Level >= LevelCity {
			return illegal(cmd.Action, "city_center")
		}
		tr.Level = t.Level + 1
	}
	return nil
}

// Adopted returns the first transition of an incident the dispatcher takes over.
func Adopted(inc cityops.Incident, deadline time.Time, now time.Time) cityops.Transition {
	inc.Version++
	inc.Deadline = deadline
	return cityops.Transition{
		IncidentID: inc.ID, Version: inc.Version, Action: string(Adopt), To: inc.Status,
		Actor: "system", Time: now, Department: inc.DepartmentID, Deadline: deadline, Incident: &inc,
	}
}

// entered is when t entered its status, or was last handed to its owner:
// notes, escalations and extensions do not restart it, so Time - Entered of
// the next step is how long the task waited in its status.
func (t *Task) entered() time.Time {
	if t.Since.IsZero() {
		return t.Updated
	}
	return t.Since
}

// Apply changes t by tr. It trusts tr: transitions come from Step or from
// the log, which only holds what Step allowed.
func (m *Machine) Apply(t *Task, tr cityops.Transition) {
	if tr.Action == string(Adopt) && tr.Incident != nil {
		*t = Task{Incident: *tr.Incident}
		t.Since = t.Updated
		if t.Status == cityops.StatusDispatched {
			t.Dispatched = t.Updated // the processor dispatched it
		}
		return
	}
	from, owner := t.Status, t.DepartmentID
	t.Status, t.Version = tr.To, tr.Version
	if tr.Action != string(Feedback) {
		t.Updated = tr.Time // a callback after closure changes none of the round's times
	}
	t.DepartmentID, t.Deadline, t.Level = tr.Department, tr.Deadline, tr.Level
	if tr.Owner != "" {
		t.DepartmentID = tr.Owner
	}
	if t.Status != from || t.DepartmentID != owner {
		t.Since = tr.Time
	}
	if tr.Category != "" && tr.Category != t.Category {
		t.Category, t.CategoryName = tr.Category, ""
	}
	switch Action(tr.Action) {
	case Dispatch, Arbitrate:
		if t.Dispatched.IsZero() {
			t.Dispatched = tr.Time
		}
		if tr.Action == string(Arbitrate) {
			t.Arbitration, t.Final = false, true
		}
	case Accept:
		if t.Accepted.IsZero() {
			t.Accepted = tr.Time
		}
		if tr.OnTime != nil {
			t.Responses++
			if *tr.OnTime {
				t.OnTimeResponses++
			}
		}
	case Resolve:
		t.Evidence = append(t.Evidence, tr.Evidence...)
		t.Resolved = tr.Time
	case Reopen:
		// A new round: its own clock from now, the last round's figures
		// stay on its transitions.
		t.Dispatched, t.Accepted, t.Closed, t.Resolved, t.PausedAt = tr.Time, time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if tr.Reason == ReasonRepeat {
			t.Repeats++
		} else {
			t.Redone++
		}
		if tr.From == cityops.StatusClosed {
			t.ReopenedClosed++
		}
		if tr.To == cityops.StatusRegistered {
			t.Arbitration, t.Final = true, false
		}
	case Feedback:
		t.Rated = t.Round()
		switch tr.Result {
		case "satisfied":
			t.Satisfied++
		case "basically_satisfied":
			t.BasicallySatisfied++
		case ResultDissatisfied:
			t.Dissatisfied++
		}
	case Rework:
		t.Reworks++
	case Return:
		t.Returns++
		t.Arbitration = t.Returns >= m.maxReturns()
	case Close, Cancel:
		t.Closed = tr.Time
		if tr.Action == string(Close) {
			t.Closes++
			if tr.OnTime == nil || *tr.OnTime {
				t.ClosesOnTime++
			}
		}
	case Pause:
		t.PausedAt = tr.Time
	case Resume:
		t.PausedAt = time.Time{}
	}
}
