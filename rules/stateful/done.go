package stateful

import (
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// signalDone is the kind of signal that tells the merge stage an incident
// was resolved or closed, so that a report matching it within the pack's
// reopen window reopens it as a repeat complaint, and a later one founds a
// new incident, instead of joining it silently.
const signalDone = "done"

// Done is what the merge stage needs of an incident resolved or closed.
type Done struct {
	Incident string
	Category string
	Cell     cityops.Cell
	At       time.Time     // when it was resolved or closed
	Merge    cityops.Merge // its merge counters as the dispatcher applied them last
}

// DoneRecords returns the record of the signals topic that tells the merge
// stage an incident is done, keyed by the incident's merge group like the
// reports that may match it, so that a report matching it within the
// pack's reopen window reopens it as a repeat complaint and a later one
// founds a new incident. The dispatcher writes it with the step's own
// records (tasks.Config.Fanout), so it is as durable as the step; the merge
// stage applies it whenever it comes (marking done again is harmless), and
// until then a matching report reaches the task as a merge, which the
// dispatcher reopens all the same.
func DoneRecords(merge rules.MergeConfig, topic string) func(d Done) []kafka.Message {
	groups := merge.Groups()
	return func(d Done) []kafka.Message {
		if d.Category == "" {
			return nil
		}
		v, err := bus.EncodeJSON(signal{Kind: signalDone, Cell: d.Cell, Done: &doneSignal{Incident: d.Incident, Category: d.Category, At: d.At, Merge: d.Merge}})
		if err != nil {
			return nil // a signal of plain fields always encodes
		}
		return []kafka.Message{{Topic: topic, Key: []byte(rules.Group(groups, d.Category, "")), Value: v}}
	}
}

// done marks the incident done in the Merger. It does not go through the
// raw partitions' sequence (Src): a done record comes from the dispatcher.
// An incident the Merger forgot is held again, and its counters go on from
// those the dispatcher applied last, so the next merge is not taken for a
// repeat of one already applied.
func (g *merger) done(s *signal) {
	d := s.Done
	if d == nil || d.Incident == "" || d.At.IsZero() {
		return
	}
	if _, held := g.m.Incident(d.Incident); !held && g.st.Incs[d.Incident] == nil {
		mg := d.Merge
		mg.Signal = ""
		g.st.Incs[d.Incident] = &mg
	}
	g.m.MarkDone(rules.Merged{ID: d.Incident, Category: d.Category, Cell: s.Cell, Reports: d.Merge.Reports,
		ReportIDs: d.Merge.ReportIDs, Alarms: d.Merge.Signals, First: d.Merge.First, Last: d.Merge.Last}, d.At)
}
