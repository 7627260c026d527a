package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cityops/cityops"
)

// Transition is one step of an incident through its loop, as the audit trail
// keeps it: who moved it from which status to which, when and why. The
// incident's id and the version the step produced identify it.
type Transition struct {
	IncidentID   string         `json:"incident_id"`
	Version      uint64         `json:"version"`
	Action       string         `json:"action,omitempty"` // what was done: accept, return, escalate, note, ...
	From         cityops.Status `json:"from"`
	To           cityops.Status `json:"to"`
	Actor        string         `json:"actor"`         // a person's or a system's id
	DepartmentID string         `json:"department_id"` // who owned the incident at the time
	Reason       string         `json:"reason,omitempty"`
	Note         string         `json:"note,omitempty"` // the actor's free text
	Time         time.Time      `json:"time"`
	// Entered is when the incident entered From: the time of the previous
	// transition. Time - Entered is how long it stayed in From; the time to
	// accept is that of dispatched -> accepted. Zero when unknown.
	Entered time.Time `json:"entered,omitzero"`
	// OnTime: on an accept, whether it came within the response time; on a
	// close, whether it was by the deadline; nil when not known.
	OnTime  *bool     `json:"on_time,omitempty"`
	Round   int       `json:"round,omitempty"`  // on close, reopen and feedback: the round of the loop
	Started time.Time `json:"started,omitzero"` // on close: when the round began
	Result  string    `json:"result,omitempty"` // on feedback: the callback's result
}

// transitionColumns names the columns of transitions in the order
// transitionBatch.values gives them.
var transitionColumns = []string{
	"incident_id", "version", "from_status", "to_status", "actor", "department_id", "reason", "time", "time_ms", "entered",
	"action", "note", "on_time", "round", "started", "result",
}

type transitionBatch struct {
	incidentID       []string
	version          []uint64
	from, to         []string
	actor, dept, why []string
	time             []time.Time
	timeMs           []uint64
	entered          []time.Time
	action, note     []string
	onTime           []int8
	round            []uint16
	started          []time.Time
	result           []string
}

func (b *transitionBatch) add(t *Transition) {
	b.incidentID = append(b.incidentID, t.IncidentID)
	b.version = append(b.version, t.Version)
	b.from = append(b.from, string(t.From))
	b.to = append(b.to, string(t.To))
	b.actor = append(b.actor, t.Actor)
	b.dept = append(b.dept, t.DepartmentID)
	b.why = append(b.why, t.Reason)
	b.time = append(b.time, dateTime(t.Time))
	b.timeMs = append(b.timeMs, unixMilli(t.Time))
	b.entered = append(b.entered, dateTime(t.Entered))
	b.action = append(b.action, t.Action)
	b.note = append(b.note, t.Note)
	onTime := int8(-1)
	if t.OnTime != nil {
		onTime = 0
		if *t.OnTime {
			onTime = 1
		}
	}
	b.onTime = append(b.onTime, onTime)
	b.round = append(b.round, uint16(min(max(t.Round, 0), 65535)))
	b.started = append(b.started, dateTime(t.Started))
	result := t.Result
	if result == "" && t.Action == "feedback" {
		result = t.Reason // the dispatcher also writes the result as the reason
	}
	b.result = append(b.result, result)
}

func (b *transitionBatch) values() []any {
	return []any{b.incidentID, b.version, b.from, b.to, b.actor, b.dept, b.why, b.time, b.timeMs, b.entered, b.action, b.note,
		b.onTime, b.round, b.started, b.result}
}

// validateTransition checks that t can be stored; the error is a
// *cityops.FieldError.
func validateTransition(t Transition) error {
	switch {
	case t.IncidentID == "":
		return cityops.Invalid("incident_id", "must not be empty")
	case t.Version == 0:
		return cityops.Invalid("version", "must be at least 1")
	case !t.To.Valid():
		return cityops.Invalid("to", "%q is not a status", t.To)
	case t.From != "" && !t.From.Valid():
		return cityops.Invalid("from", "%q is not a status", t.From)
	case t.Time.IsZero():
		return cityops.Invalid("time", "must be set")
	}
	if err := checkTime("time", t.Time); err != nil {
		return err
	}
	if err := checkTime("started", t.Started); err != nil {
		return err
	}
	return checkTime("entered", t.Entered)
}

// InsertTransitions stores a batch of transitions in one insert. A batch with
// an invalid transition is refused whole, with an error matching
// cityops.ErrInvalid, before anything is written. Inserting the same
// transitions again leaves no visible repeats: (incident_id, version) is the
// table's key, and the reads collapse repeats.
func (s *Store) InsertTransitions(ctx context.Context, ts []Transition) error {
	for i, t := range ts {
		if err := validateTransition(t); err != nil {
			return fmt.Errorf("inserting transitions: transition %d of incident %q: %w", i, t.IncidentID, err)
		}
	}
	if len(ts) == 0 {
		return nil
	}
	var b transitionBatch
	for i := range ts {
		b.add(&ts[i])
	}
	err := s.insertColumns(ctx, "transitions", transitionColumns, b.values())
	s.noteInsert(err)
	if err != nil {
		return fmt.Errorf("inserting transitions: %w", err)
	}
	return nil
}
