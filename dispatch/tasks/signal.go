package tasks

import (
	"context"
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
)

// ActionSignal is the transition that records on a task a signal the
// processor merged into its incident: one more hotline report, a fused
// sensor alarm, an update of its alarm, or its alarm clearing. It changes
// neither status nor owner nor clock.
const ActionSignal = "signal"

// Signal applies a merged or cleared change to the task of its incident and
// records it as a transition, so the department sees the report count and
// the alarm's state. A change for an incident the service does not hold
// (not adopted yet, or long closed) and a repeat of one already applied
// (by the merge's sequence number) do nothing.
func (s *Service) Signal(ctx context.Context, c cityops.Change) error {
	if !s.Ready() {
		return ErrNotReady
	}
	if c.Merge == nil {
		return cityops.Invalid("merge", "a %s change needs one", c.Kind)
	}
	st := s.stripe(c.Incident.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	t, tr, ok := s.signalLocked(st, c)
	if !ok {
		return nil
	}
	return s.recordLocked(ctx, t, tr)
}

// signalLocked returns the task of c's incident and the transition that
// records c on it, or ok=false when the service does not hold the task or
// applied c already. st is the incident's stripe, locked; c has a Merge.
//
// A hotline report merged into a resolved, verified or closed task is a
// repeat complaint (重复投诉): it reopens the task for the same department
// with a new deadline, within the category's reopen window after closure,
// unless it was reported before the resolution (a late copy: recorded as a
// signal on a resolved or verified task, on a closed one not at all).
// Nothing else changes a closed task: its round's times and
// figures stay as they were when it closed.
func (s *Service) signalLocked(st *stripe, c cityops.Change) (t *lifecycle.Task, tr cityops.Transition, ok bool) {
	t, held := st.tasks[c.Incident.ID]
	if !held || (c.Merge.Seq <= t.MergeSeq && t.MergeSeq > 0) {
		return nil, tr, false
	}
	now := s.cfg.Now()
	if done(t.Status) {
		report := c.Kind == cityops.ChangeMerged && c.Merge.Alarm == ""
		late := t.Status == cityops.StatusClosed && now.After(t.Closed.Add(s.cfg.Reopen(t.Category)))
		// A report made before the resolution is a late copy of what was
		// fixed, not a repeat.
		before := !c.Incident.Reported.IsZero() && !t.Resolved.IsZero() && !c.Incident.Reported.After(t.Resolved)
		if report && !late && !before {
			return s.repeatLocked(t, c, now)
		}
		if t.Status == cityops.StatusClosed {
			if report && !before {
				s.cfg.Logger.Warn("a report merged into an incident closed before its reopen window", "incident", t.ID, "report", c.Merge.Signal)
			}
			return nil, tr, false
		}
	}
	entered := t.Since // a signal, like a note, does not restart the status's clock
	if entered.IsZero() {
		entered = t.Updated
	}
	tr = cityops.Transition{
		IncidentID: t.ID, Version: t.Version + 1, Action: ActionSignal, From: t.Status, To: t.Status,
		Actor: lifecycle.Actor{System: true}.String(), Time: now, Entered: entered,
		Note: signalNote(c), Department: t.DepartmentID, Deadline: t.Deadline, Level: t.Level, Merge: c.Merge,
	}
	return t, tr, true
}

func done(s cityops.Status) bool {
	return s == cityops.StatusResolved || s == cityops.StatusVerified || s == cityops.StatusClosed
}

// repeatLocked returns the transition that reopens t for the repeat
// complaint c, with the round's new deadline.
func (s *Service) repeatLocked(t *lifecycle.Task, c cityops.Change, now time.Time) (*lifecycle.Task, cityops.Transition, bool) {
	tr, err := s.cfg.Machine.Step(t, lifecycle.Command{Action: lifecycle.Reopen, Actor: lifecycle.Actor{System: true}, Reason: lifecycle.ReasonRepeat}, now)
	if err != nil {
		s.cfg.Logger.Error("reopening for a repeat complaint", "incident", t.ID, "err", err)
		return nil, tr, false
	}
	s.clock(t, &tr, now)
	tr.Merge, tr.Note = c.Merge, signalNote(c)
	return t, tr, true
}

func signalNote(c cityops.Change) string {
	m := c.Merge
	switch {
	case c.Kind == cityops.ChangeCleared:
		return fmt.Sprintf("alarm cleared: %s (%s, %d readings, peak %g)", m.Signal, m.Alarm, m.Count, m.Peak)
	case m.Alarm != "":
		return fmt.Sprintf("alarm %s: %d readings, last %g, peak %g", m.Signal, m.Count, m.Value, m.Peak)
	case m.Repeat:
		return fmt.Sprintf("repeat complaint %s: %d reports", m.Signal, m.Reports)
	default:
		return fmt.Sprintf("report %s merged: %d reports", m.Signal, m.Reports)
	}
}
