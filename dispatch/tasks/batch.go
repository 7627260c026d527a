package tasks

import (
	"context"
	"fmt"
	"slices"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/segmentio/kafka-go"
)

// step is a transition applied to a task in memory whose records are not
// written yet.
type step struct {
	st     *stripe
	t      *lifecycle.Task
	prev   *lifecycle.Task // the task before the step; nil when the step adopted it
	tr     cityops.Transition
	after  lifecycle.Task  // the task after the step, for Notify
	record kafka.Message   // of the transitions topic
	fanout []kafka.Message // Config.Fanout's records, with the changes
}

// applyChanges adopts the created changes and applies the merged and
// cleared ones, in order, as Adopt and Signal would one by one, but with
// one write of all their transitions and then one of all their changes:
// a step costs a share of two acknowledged writes instead of two, and an
// incident that takes several steps gets one update, its last (writeSteps).
// The stripes of the changes' incidents stay locked from the first step to
// the last write, so no other step of those tasks comes between, and each
// incident's records keep their order. When the transitions cannot be
// written the tasks are put back as they were and nothing changed, as when
// Adopt or Signal fail; a change that fails (an incident of a partition not
// held, a merge without counters) leaves the steps before it written and
// returns its error, as one by one would.
func (s *Service) applyChanges(ctx context.Context, changes []cityops.Change) error {
	if len(changes) == 0 {
		return nil
	}
	if !s.Ready() {
		return ErrNotReady
	}
	idx := make([]int, 0, len(changes))
	for i := range changes {
		idx = append(idx, s.stripeIndex(changes[i].Incident.ID))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		s.stripes[i].mu.Lock()
	}
	defer func() {
		for _, i := range idx {
			s.stripes[i].mu.Unlock()
		}
	}()
	steps := make([]step, 0, len(changes))
	for i := range changes {
		c := &changes[i]
		var err error
		steps, err = s.stepChangeLocked(steps, c)
		if err != nil {
			if werr := s.writeSteps(ctx, steps); werr != nil {
				return werr
			}
			return err
		}
	}
	return s.writeSteps(ctx, steps)
}

// stepChangeLocked applies change c in memory and appends its step, if it
// takes one. Its incident's stripe is locked.
func (s *Service) stepChangeLocked(steps []step, c *cityops.Change) ([]step, error) {
	st := s.stripe(c.Incident.ID)
	var (
		t    *lifecycle.Task
		prev *lifecycle.Task
		tr   cityops.Transition
		ok   bool
	)
	switch c.Kind {
	case cityops.ChangeMerged, cityops.ChangeCleared:
		if c.Merge == nil {
			return steps, fmt.Errorf("applying a signal to %s: %w", c.Incident.ID, cityops.Invalid("merge", "a %s change needs one", c.Kind))
		}
		t, tr, ok = s.signalLocked(st, *c)
		if !ok {
			return steps, nil
		}
		keep := *t
		prev = &keep
	case cityops.ChangeCreated:
		var err error
		tr, ok, err = s.adoptionLocked(st, c.Incident)
		if err != nil {
			return steps, fmt.Errorf("adopting %s: %w", c.Incident.ID, err)
		}
		if !ok {
			return steps, nil
		}
		t = &lifecycle.Task{}
	default:
		return steps, nil
	}
	v, err := bus.EncodeJSON(tr)
	if err != nil {
		return steps, fmt.Errorf("encoding transition of %s: %w", tr.IncidentID, err)
	}
	s.applyLocked(t, tr)
	if prev == nil {
		st.tasks[tr.IncidentID] = t
	}
	stp := step{st: st, t: t, prev: prev, tr: tr, after: *t, record: kafka.Message{Key: []byte(tr.IncidentID), Value: v}}
	if s.cfg.Fanout != nil {
		stp.fanout = s.cfg.Fanout(t, tr)
	}
	return append(steps, stp), nil
}

// undoLocked puts the task back as it was before the step.
func (p *step) undoLocked() {
	if p.prev == nil {
		delete(p.st.tasks, p.tr.IncidentID)
		return
	}
	*p.t = *p.prev
}

// writeSteps writes the transitions of steps in one call, then their
// changes in another, and tells Notify. If the transitions cannot be
// written, every step is undone, the last first.
//
// Every step's transition and fanout records are written, but of an
// incident that took several steps only the last step's update: each
// update carries the whole incident, and its readers (the store, the live
// maps) keep the latest version, so the earlier ones would be read only to
// be replaced. Under load a few incidents take most merges (a street's
// flooding, a block's noise), and a batch held hundreds of updates of the
// same one. The update is encoded here, from the last step's copy of the
// task, which is the task as it is: its stripe stays locked until the
// write. An update that cannot be encoded undoes every step, as a failed
// write does.
func (s *Service) writeSteps(ctx context.Context, steps []step) error {
	if len(steps) == 0 {
		return nil
	}
	records := make([]kafka.Message, len(steps))
	last := make(map[string]int, len(steps)) // incident id -> its last step
	for i := range steps {
		records[i] = steps[i].record
		last[steps[i].tr.IncidentID] = i
	}
	undo := func() {
		for i := len(steps) - 1; i >= 0; i-- {
			steps[i].undoLocked()
		}
	}
	var out []kafka.Message
	for i := range steps {
		if id := steps[i].tr.IncidentID; last[id] == i {
			v, err := bus.EncodeJSON(cityops.Change{Kind: cityops.ChangeUpdated, Incident: steps[i].after.Incident})
			if err != nil {
				undo()
				return fmt.Errorf("encoding the update of %s: %w", id, err)
			}
			out = append(out, kafka.Message{Key: []byte(id), Value: v})
		}
		out = append(out, steps[i].fanout...)
	}
	if err := s.cfg.Transitions(ctx, records...); err != nil {
		undo()
		return fmt.Errorf("recording %d steps from %s on: %w", len(steps), steps[0].tr.IncidentID, err)
	}
	for i := range steps {
		s.counts.count(&steps[i].after, steps[i].tr)
	}
	if err := s.cfg.Changes(ctx, out...); err != nil {
		return fmt.Errorf("publishing the changes of %d steps (the transitions are recorded): %w", len(steps), err)
	}
	for i := range steps {
		s.cfg.Notify(&steps[i].after, steps[i].tr)
	}
	return nil
}
