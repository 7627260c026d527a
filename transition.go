package cityops

import "time"

// Transition is one recorded step of an incident's closed loop: who moved it
// from which status to which, when and why. Transitions travel on the
// transitions topic keyed by incident id; replaying them in order rebuilds
// every incident's state.
type Transition struct {
	IncidentID string    `json:"incident_id"`
	Version    uint64    `json:"version"` // the incident's version after this step
	Action     string    `json:"action"`  // what was done: accept, return, escalate, ...
	From       Status    `json:"from,omitempty"`
	To         Status    `json:"to"`
	Actor      string    `json:"actor"` // "center", "dept:ID" or "system"
	Time       time.Time `json:"time"`
	Entered    time.Time `json:"entered,omitzero"`        // when the incident entered From (or its owner took it): Time-Entered is how long it stayed in From
	Reason     string    `json:"reason,omitempty"`        // a coded reason (return, cancel, verify failure)
	Note       string    `json:"note,omitempty"`          // free text: progress note, evidence description
	Evidence   []string  `json:"evidence,omitempty"`      // references to photos or documents
	Department string    `json:"department_id,omitempty"` // the department the step counts for: the owner after it, or the department that returned the task
	Owner      string    `json:"owner,omitempty"`         // the owner after this step when it is not Department: the center a returned task goes back to
	Category   string    `json:"category,omitempty"`      // a category the center set when registering or dispatching
	Deadline   time.Time `json:"deadline,omitzero"`       // the deadline after this step
	Level      int       `json:"level,omitempty"`         // escalation level after this step
	Hours      float64   `json:"hours,omitempty"`         // an extension's length
	OnTime     *bool     `json:"on_time,omitempty"`       // on close: whether it closed by its deadline (true when it had none); on accept: whether the department responded within the response time
	Round      int       `json:"round,omitempty"`         // on close, reopen and feedback: the round of the loop the step ends, starts or rates (1, and one more after each reopening)
	Started    time.Time `json:"started,omitzero"`        // on close: when its round began (the report for the first, the reopening for later ones)
	Result     string    `json:"result,omitempty"`        // on feedback: the citizen's satisfaction (satisfied, basically_satisfied, dissatisfied)
	Channel    string    `json:"channel,omitempty"`       // on feedback: how it was collected (phone, sms, web); the comment is Note
	Incident   *Incident `json:"incident,omitempty"`      // the incident as adopted, on the first step only
	Merge      *Merge    `json:"merge,omitempty"`         // a signal the processor merged into it
}
