package cityops

import "time"

// Merge says what the processor's merge stage folded into an existing
// incident: a hotline report merged into it, a sensor alarm fused with it,
// or an update or clear of one of its alarms. It travels on a ChangeMerged or
// ChangeCleared change and, once the dispatcher applied it to the task, on
// the transition that records it.
type Merge struct {
	Signal    string    `json:"signal"`               // the report's event id or the alarm's id
	Seq       uint64    `json:"seq"`                  // grows with every merge of the incident; a repeat is not applied twice
	Reports   int       `json:"reports"`              // hotline reports in the incident
	ReportIDs []string  `json:"report_ids,omitempty"` // the first of them (bounded by the pack)
	Signals   []string  `json:"signals,omitempty"`    // the sensor alarms fused into it
	First     time.Time `json:"first,omitzero"`       // its first and last signal, absent when unknown
	Last      time.Time `json:"last,omitzero"`
	Alarm     string    `json:"alarm,omitempty"` // for an alarm update or clear: the alarm type
	Count     int       `json:"count,omitempty"` // the alarm's readings over its raise condition
	Value     float64   `json:"value,omitempty"` // the alarm's last reading
	Peak      float64   `json:"peak,omitempty"`  // the alarm's highest reading
	// Repeat: the report matched the incident after it was resolved or
	// closed, within the pack's reopen window: a repeat complaint that
	// reopens it.
	Repeat bool `json:"repeat,omitempty"`
}

// Apply copies the merge's counters to inc.
func (m *Merge) Apply(inc *Incident) {
	inc.Reports = m.Reports
	inc.ReportIDs = append(inc.ReportIDs[:0:0], m.ReportIDs...)
	inc.Signals = append(inc.Signals[:0:0], m.Signals...)
	inc.LastSignal = m.Last
	inc.MergeSeq = m.Seq
}
