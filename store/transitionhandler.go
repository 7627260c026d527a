package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
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

// auditFields are the fields of a cityops.Transition the audit trail
// keeps. The json v2 decoder skips the others unread: the incident on an
// adoption, the report ids of a merge (up to a hundred on each signal).
type auditFields struct {
	IncidentID string         `json:"incident_id"`
	Version    uint64         `json:"version"`
	Action     string         `json:"action"`
	From       cityops.Status `json:"from,omitempty"`
	To         cityops.Status `json:"to"`
	Actor      string         `json:"actor"`
	Time       time.Time      `json:"time"`
	Entered    time.Time      `json:"entered,omitzero"`
	Reason     string         `json:"reason,omitempty"`
	Note       string         `json:"note,omitempty"`
	Department string         `json:"department_id,omitempty"`
	OnTime     *bool          `json:"on_time,omitempty"`
	Round      int            `json:"round,omitempty"`
	Started    time.Time      `json:"started,omitzero"`
	Result     string         `json:"result,omitempty"`
}

// decodeTransition turns one record of the transitions topic into a row of
// the audit trail. Its errors match cityops.ErrInvalid. It decodes with
// json v2 and the options that read as encoding/json does; a record v2
// refuses is decoded again by encoding/json, so the trail takes what it
// took before (but for the fields it does not keep, which v2 skips).
func decodeTransition(value []byte) (Transition, error) {
	var f auditFields
	if bus.ReadJSON(value, &f) != nil {
		var tr cityops.Transition
		if err := json.Unmarshal(value, &tr); err != nil {
			return Transition{}, fmt.Errorf("decoding transition: %w", cityops.Invalid("body", "%v", err))
		}
		f = auditFields{IncidentID: tr.IncidentID, Version: tr.Version, Action: tr.Action, From: tr.From, To: tr.To, Actor: tr.Actor,
			Time: tr.Time, Entered: tr.Entered, Reason: tr.Reason, Note: tr.Note, Department: tr.Department,
			OnTime: tr.OnTime, Round: tr.Round, Started: tr.Started, Result: tr.Result}
	}
	if f.IncidentID == "" {
		return Transition{}, fmt.Errorf("decoding transition: %w", cityops.Invalid("incident_id", "required"))
	}
	return Transition{
		IncidentID:   f.IncidentID,
		Version:      f.Version,
		Action:       f.Action,
		From:         f.From,
		To:           f.To,
		Actor:        f.Actor,
		DepartmentID: f.Department,
		Reason:       f.Reason,
		Note:         f.Note,
		Time:         f.Time,
		Entered:      f.Entered,
		OnTime:       f.OnTime,
		Round:        f.Round,
		Started:      f.Started,
		Result:       f.Result,
	}, nil
}
