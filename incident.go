package cityops

import "time"

// Incident is what the city acts on: one or more events classified into a
// category, placed in an area and owned by one department.
type Incident struct {
	ID           string    `json:"id"`
	EventID      string    `json:"event_id"` // the first event that raised it
	Source       Source    `json:"source"`
	Type         string    `json:"type"`
	Text         string    `json:"text,omitempty"`
	Category     string    `json:"category"`      // national part/event code
	CategoryName string    `json:"category_name"` // the category's name in the city's first language
	Severity     int       `json:"severity"`      // 1 (low) .. 4 (emergency)
	Status       Status    `json:"status"`
	Lat          float64   `json:"lat"`
	Lon          float64   `json:"lon"`
	Cell         Cell      `json:"cell"`  // resolution 9
	Cell7        Cell      `json:"cell7"` // parent at resolution 7
	Cell5        Cell      `json:"cell5"` // parent at resolution 5
	AreaID       string    `json:"area_id"`
	DistrictID   string    `json:"district_id"`
	DepartmentID string    `json:"department_id"`         // the lead department
	Cooperating  []string  `json:"cooperating,omitempty"` // departments that help the lead: they see the task and add notes
	Rules        []string  `json:"rules,omitempty"`       // ids of the rules that decided it, the explanation
	Reported     time.Time `json:"reported"`
	Updated      time.Time `json:"updated"`
	Deadline     time.Time `json:"deadline,omitzero"`
	Version      uint64    `json:"version"` // grows with every change; the latest version wins

	// What the processor merged into it (see Merge): hotline reports beyond
	// the first, sensor alarms fused with it, and its latest signal.
	Reports    int       `json:"reports,omitempty"`
	ReportIDs  []string  `json:"report_ids,omitempty"`
	Signals    []string  `json:"signals,omitempty"`
	LastSignal time.Time `json:"last_signal,omitzero"`
	MergeSeq   uint64    `json:"merge_seq,omitempty"`

	// Repeats counts the repeat complaints (重复投诉) that reopened it after
	// it was resolved or closed; Redone the reopenings for rework (重办)
	// after a dissatisfied callback. Each reopening starts a new round.
	Repeats int `json:"repeats,omitempty"`
	Redone  int `json:"redone,omitempty"`
}

// Change is one change of an incident as it travels on the changes topic: the
// incident's new state and, when the change came from an event, that event.
type Change struct {
	Kind     ChangeKind `json:"kind"`
	Incident Incident   `json:"incident"`
	Event    *Event     `json:"event,omitempty"`
	Merge    *Merge     `json:"merge,omitempty"` // on ChangeMerged and ChangeCleared
}

// ChangeKind says what happened to an incident.
type ChangeKind string

// The kinds of change.
const (
	ChangeCreated ChangeKind = "created" // a new incident
	ChangeUpdated ChangeKind = "updated" // a transition: the incident's whole new state
	// ChangeMerged: a signal joined an existing incident (a duplicate
	// report, a fused alarm, an update of its alarm). Only Incident.ID, the
	// signal's own placement and Merge are meaningful: the processor does
	// not own the incident's state, the dispatcher applies the merge.
	ChangeMerged ChangeKind = "merged"
	// ChangeCleared: an alarm of the incident cleared, as ChangeMerged.
	ChangeCleared ChangeKind = "cleared"
)
