package tasks

import (
	"context"
	"fmt"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/lifecycle"
)

// Adopt takes over a new incident from the processor. The clock of a
// dispatched incident starts at its dispatch, with the deadline the city's
// policy gives its category. Adopting an incident already held does
// nothing, so a redelivered change is harmless.
func (s *Service) Adopt(ctx context.Context, inc cityops.Incident) error {
	if !s.Ready() {
		return ErrNotReady
	}
	st := s.stripe(inc.ID)
	st.mu.Lock()
	defer st.mu.Unlock()
	tr, ok, err := s.adoptionLocked(st, inc)
	if !ok || err != nil {
		return err
	}
	t := &lifecycle.Task{}
	if err := s.recordLocked(ctx, t, tr); err != nil {
		return err
	}
	st.tasks[inc.ID] = t
	return nil
}

// adoptionLocked returns the transition that adopts inc, or ok=false when
// its task is held already. st is inc's stripe, locked.
func (s *Service) adoptionLocked(st *stripe, inc cityops.Incident) (tr cityops.Transition, ok bool, err error) {
	if _, held := st.tasks[inc.ID]; held {
		return tr, false, nil
	}
	if !s.Owns(inc.ID) {
		return tr, false, s.notOwned(inc.ID)
	}
	deadline := inc.Deadline
	if inc.Status == cityops.StatusDispatched {
		if d := s.cfg.Policy.Deadline(inc.Category, inc.Updated); !d.IsZero() {
			deadline = d
		}
	}
	return lifecycle.Adopted(inc, deadline, s.cfg.Now()), true, nil
}

// Replay applies a transition read back from the log, without writing
// anything. Transitions of an incident must come in order; one that is not
// the next version of its task is skipped.
func (s *Service) Replay(tr cityops.Transition) {
	st := s.stripe(tr.IncidentID)
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.tasks[tr.IncidentID]
	if !ok {
		if tr.Action != string(lifecycle.Adopt) || tr.Incident == nil {
			return
		}
		t = &lifecycle.Task{}
		st.tasks[tr.IncidentID] = t
	} else if tr.Version <= t.Version {
		return
	}
	s.applyLocked(t, tr)
}

// ReplayRecord decodes and replays one record of the transitions topic.
func (s *Service) ReplayRecord(value []byte) error {
	var tr cityops.Transition
	if err := bus.DecodeJSON(value, &tr); err != nil {
		return fmt.Errorf("decoding transition: %w", err)
	}
	s.Replay(tr)
	return nil
}
