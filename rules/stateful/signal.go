package stateful

import (
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/rules"
)

// The kinds of signal the classify stage sends the merge stage.
const (
	signalReport = "report" // a classified hotline report or reading
	signalAlarm  = "alarm"  // a change of a sensor alarm
)

// signal is a record of the signals topic, keyed by merge group.
type signal struct {
	Kind   string             `json:"kind"`
	Cell   cityops.Cell       `json:"cell"`             // resolution 9, of the report or the alarm
	Change *cityops.Change    `json:"change,omitempty"` // a report: the incident it would create
	Alarm  *rules.AlarmChange `json:"alarm,omitempty"`
	Event  *cityops.Event     `json:"event,omitempty"` // an alarm's reading, if any
	Src    source             `json:"src"`
	Done   *doneSignal        `json:"done,omitempty"` // a done signal
}

// doneSignal says an incident was resolved or closed, and when, with what
// the merge stage needs to hold it again if it forgot it: its category and
// its merge counters as the dispatcher last applied them (Seq, Reports,
// ReportIDs, Signals, First, Last).
type doneSignal struct {
	Incident string        `json:"incident"`
	Category string        `json:"category"`
	At       time.Time     `json:"at"`
	Merge    cityops.Merge `json:"merge"`
}

// source is where a signal came from: the raw events partition, the offset
// of the record, and its place among that record's signals. A classify
// partition emits signals in this order, and so does its replay, so the
// merge stage drops any signal at or before the last one it applied from
// that partition: a replayed or doubled signal changes nothing.
type source struct {
	Partition int   `json:"p"`
	Offset    int64 `json:"o"`
	Index     int   `json:"i"`
}

func (s source) after(t source) bool {
	return s.Offset > t.Offset || (s.Offset == t.Offset && s.Index > t.Index)
}
