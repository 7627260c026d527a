package tasks

import (
	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/segmentio/kafka-go"
)

// DoneFanout is the Fanout that tells the processor's merge stage of each
// resolve and close (stateful.DoneRecords), so that a later report of the
// same place reopens the incident instead of joining it silently.
func DoneFanout(done func(stateful.Done) []kafka.Message) func(t *lifecycle.Task, tr cityops.Transition) []kafka.Message {
	return func(t *lifecycle.Task, tr cityops.Transition) []kafka.Message {
		if tr.Action != string(lifecycle.Resolve) && tr.Action != string(lifecycle.Close) || t.Category == "" {
			return nil
		}
		last := t.LastSignal
		if last.IsZero() {
			last = t.Reported
		}
		return done(stateful.Done{Incident: t.ID, Category: t.Category, Cell: t.Cell, At: tr.Time, Merge: cityops.Merge{
			Seq: t.MergeSeq, Reports: t.Reports, ReportIDs: t.ReportIDs, Signals: t.Signals, First: t.Reported, Last: last}})
	}
}
