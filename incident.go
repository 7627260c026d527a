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
	Deadline     time.Time `json:"deadline,omitempty"`
	Version      uint64    `json:"version"` // grows with every change; the latest version wins
}

// Change is one change of an incident as it travels on the changes topic: the
// incident's new state and, when the change came from an event, that event.
type Change struct {
	Kind     ChangeKind `json:"kind"`
	Incident Incident   `json:"incident"`
	Event    *Event     `json:"event,omitempty"`
}

// ChangeKind says what happened to an incident.
type ChangeKind string

// The kinds of change.
const (
	ChangeCreated ChangeKind = "created" // a new incident
	ChangeUpdated ChangeKind = "updated" // a new event merged, or a transition
)
