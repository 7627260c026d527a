package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest/bus"
	"github.com/segmentio/kafka-go"
)

// TransitionHandler returns the bus.Handler of the incidents.transitions
// consumer: it stores each record, a JSON cityops.Transition, in the audit
// trail with one InsertTransitions. A record that does not decode or has no
// incident id goes to dlq after the insert succeeded, as in Handler. The
// table collapses a transition stored twice, so a replayed batch is harmless.
func (s *Store) TransitionHandler(dlq func(ctx context.Context, m kafka.Message, reason error) error) bus.Handler {
	if dlq == nil {
		panic("store.TransitionHandler: nil dead-letter func")
	}
	return func(ctx context.Context, batch []kafka.Message) error {
		ts := make([]Transition, 0, len(batch))
		type rejected struct {
			m      kafka.Message
			reason error
		}
		var bad []rejected
		for _, m := range batch {
			t, err := decodeTransition(m.Value)
			if err != nil {
				bad = append(bad, rejected{m, err})
				continue
			}
			ts = append(ts, t)
		}
		if len(ts) > 0 {
			if err := s.InsertTransitions(ctx, ts); err != nil {
				return err
			}
		}
		for _, r := range bad {
			if err := dlq(ctx, r.m, r.reason); err != nil {
				return fmt.Errorf("dead-lettering record %s/%d@%d: %w", r.m.Topic, r.m.Partition, r.m.Offset, err)
			}
		}
		return nil
	}
}

// decodeTransition turns one record of the transitions topic into a row of
// the audit trail. Its errors match cityops.ErrInvalid.
func decodeTransition(value []byte) (Transition, error) {
	var tr cityops.Transition
	if err := json.Unmarshal(value, &tr); err != nil {
		return Transition{}, fmt.Errorf("decoding transition: %w", cityops.Invalid("body", "%v", err))
	}
	if tr.IncidentID == "" {
		return Transition{}, fmt.Errorf("decoding transition: %w", cityops.Invalid("incident_id", "required"))
	}
	return Transition{
		IncidentID:   tr.IncidentID,
		Version:      tr.Version,
		From:         tr.From,
		To:           tr.To,
		Actor:        tr.Actor,
		DepartmentID: tr.Department,
		Reason:       tr.Reason,
		Time:         tr.Time,
		Entered:      tr.Entered,
	}, nil
}
