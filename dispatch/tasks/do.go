package tasks

import (
	"context"
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/segmentio/kafka-go"
)

// Do takes one step on the task with id and returns the task after it. An
// illegal step returns an error matching a lifecycle sentinel and changes
// nothing. A verification that passes also closes the task.
func (s *Service) Do(ctx context.Context, id string, cmd lifecycle.Command) (lifecycle.Task, error) {
	if !s.Ready() {
		return lifecycle.Task{}, ErrNotReady
	}
	st := s.stripe(id)
	st.mu.Lock()
	defer st.mu.Unlock()
	if !s.Owns(id) {
		return lifecycle.Task{}, s.notOwned(id)
	}
	t, ok := st.tasks[id]
	if !ok {
		return lifecycle.Task{}, fmt.Errorf("task %s: %w", id, cityops.ErrNotFound)
	}
	if err := s.doLocked(ctx, t, cmd); err != nil {
		return *t, err
	}
	switch {
	case cmd.Action == lifecycle.Verify:
		if err := s.doLocked(ctx, t, lifecycle.Command{Action: lifecycle.Close, Actor: cmd.Actor}); err != nil {
			return *t, err
		}
	case cmd.Action == lifecycle.Feedback && cmd.Result == lifecycle.ResultDissatisfied &&
		!t.Resolved.IsZero() && !s.cfg.Now().After(t.Resolved.Add(s.cfg.Policy.Callback.Window)):
		// Dissatisfied within the window: rework (重办) by the same
		// department, or the center's arbitration after too many.
		if err := s.doLocked(ctx, t, lifecycle.Command{Action: lifecycle.Reopen, Actor: cmd.Actor, Reason: lifecycle.ReasonDissatisfied}); err != nil {
			return *t, err
		}
	}
	return *t, nil
}

func (s *Service) doLocked(ctx context.Context, t *lifecycle.Task, cmd lifecycle.Command) error {
	if cmd.Action == lifecycle.Return || cmd.Action == lifecycle.Reopen {
		cmd.Department = s.cfg.Center // where a return, or a reopening the center arbitrates, goes
	}
	now := s.cfg.Now()
	tr, err := s.cfg.Machine.Step(t, cmd, now)
	if err != nil {
		return err
	}
	s.clock(t, &tr, now)
	return s.recordLocked(ctx, t, tr)
}

// clock sets the deadline a step leaves: the clock starts at the first
// dispatch and keeps running through returns; extensions and pauses move it.
func (s *Service) clock(t *lifecycle.Task, tr *cityops.Transition, now time.Time) {
	p := s.cfg.Policy
	switch lifecycle.Action(tr.Action) {
	case lifecycle.Dispatch, lifecycle.Arbitrate:
		if t.Dispatched.IsZero() {
			category := t.Category
			if tr.Category != "" {
				category = tr.Category
			}
			if d := p.Deadline(category, now); !d.IsZero() {
				tr.Deadline = d
			}
		}
	case lifecycle.Reopen:
		// A new round: its own deadline from now.
		if d := p.Deadline(t.Category, now); !d.IsZero() {
			tr.Deadline = d
		}
	case lifecycle.Extend:
		if !t.Deadline.IsZero() {
			tr.Deadline = p.Extend(t.Category, t.Deadline, tr.Hours)
			tr.Level = lifecycle.LevelNone // a new deadline starts escalation over
		}
	case lifecycle.Resume:
		if !t.Deadline.IsZero() {
			tr.Deadline = p.Resumed(t.Category, t.Deadline, t.PausedAt, now)
		}
	}
}

// recordLocked writes tr to the transitions topic, applies it, and writes
// the incident's new state to the changes topic. A failed write of the
// transition changes nothing.
func (s *Service) recordLocked(ctx context.Context, t *lifecycle.Task, tr cityops.Transition) error {
	v, err := bus.EncodeJSON(tr)
	if err != nil {
		return fmt.Errorf("encoding transition of %s: %w", tr.IncidentID, err)
	}
	if err := s.cfg.Transitions(ctx, kafka.Message{Key: []byte(tr.IncidentID), Value: v}); err != nil {
		return fmt.Errorf("recording %s of %s: %w", tr.Action, tr.IncidentID, err)
	}
	s.applyLocked(t, tr)
	c, err := bus.EncodeJSON(cityops.Change{Kind: cityops.ChangeUpdated, Incident: t.Incident})
	if err != nil {
		return fmt.Errorf("encoding change of %s: %w", tr.IncidentID, err)
	}
	msgs := []kafka.Message{{Key: []byte(tr.IncidentID), Value: c}}
	if s.cfg.Fanout != nil {
		msgs = append(msgs, s.cfg.Fanout(t, tr)...)
	}
	s.counts.count(t, tr)
	if err := s.cfg.Changes(ctx, msgs...); err != nil {
		return fmt.Errorf("publishing change of %s (the transition is recorded): %w", tr.IncidentID, err)
	}
	s.cfg.Notify(t, tr)
	return nil
}

// applyLocked applies a recorded transition and schedules the next escalation.
func (s *Service) applyLocked(t *lifecycle.Task, tr cityops.Transition) {
	s.cfg.Machine.Apply(t, tr)
	if tr.Merge != nil {
		tr.Merge.Apply(&t.Incident)
	}
	if tr.Category != "" && t.CategoryName == "" {
		t.CategoryName = s.cfg.CategoryNames[t.Category]
	}
	t.Category = s.intern.str(t.Category)
	t.CategoryName = s.intern.str(t.CategoryName)
	t.DepartmentID = s.intern.str(t.DepartmentID)
	t.Status = cityops.Status(s.intern.str(string(t.Status)))
	if tr.Action == string(lifecycle.Adopt) {
		s.intern.incident(&t.Incident)
	}
	s.schedule(t)
}
