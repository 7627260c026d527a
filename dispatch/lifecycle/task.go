package lifecycle

import (
	"time"

	"github.com/cityops/cityops"
)

// Task is an incident with the state of its loop.
type Task struct {
	cityops.Incident
	Dispatched  time.Time `json:"dispatched,omitzero"` // the clock's start: the first dispatch
	Accepted    time.Time `json:"accepted,omitzero"`   // the first acceptance
	Closed      time.Time `json:"closed,omitzero"`
	Resolved    time.Time `json:"resolved,omitzero"`  // the last resolution of the round
	Since       time.Time `json:"since,omitzero"`     // when the task entered its status or its owner took it
	PausedAt    time.Time `json:"paused_at,omitzero"` // set while the clock is paused
	Returns     int       `json:"returns"`
	Reworks     int       `json:"reworks"`
	Level       int       `json:"level"`       // escalation level reached
	Arbitration bool      `json:"arbitration"` // waiting for the center to name the owner
	Final       bool      `json:"final"`       // the owner was named by arbitration
	Evidence    []string  `json:"evidence,omitempty"`
	Rated       int       `json:"rated,omitempty"` // the last round that got its callback (Round)

	// The figures of every round, for the three rates (see docs/planners.md):
	// accepts and those within the response time; closes, those by their
	// deadline and reopenings of a closed task; callbacks by result.
	Responses          int `json:"responses,omitempty"`
	OnTimeResponses    int `json:"on_time_responses,omitempty"`
	Closes             int `json:"closes,omitempty"`
	ClosesOnTime       int `json:"closes_on_time,omitempty"`
	ReopenedClosed     int `json:"reopened_closed,omitempty"`
	Satisfied          int `json:"satisfied,omitempty"`
	BasicallySatisfied int `json:"basically_satisfied,omitempty"`
	Dissatisfied       int `json:"dissatisfied,omitempty"`
}

// Round is the task's round: 1, and one more after each reopening.
func (t *Task) Round() int { return 1 + t.Repeats + t.Redone }

// Actor is who asks for a step: the center, a department, an inspector, or
// the system.
type Actor struct {
	Center     bool
	Department string
	Inspector  string // an inspector's id: verifies resolved tasks, nothing else
	System     bool
}

// String is the actor as transitions record it.
func (a Actor) String() string {
	switch {
	case a.System:
		return "system"
	case a.Center:
		return "center"
	case a.Inspector != "":
		return "inspector:" + a.Inspector
	default:
		return "dept:" + a.Department
	}
}

// Command asks for one step.
type Command struct {
	Action     Action
	Actor      Actor
	Reason     string   // coded reason: return, cancel, rework
	Note       string   // free text
	Evidence   []string // resolve
	Department string   // the owner named by dispatch or arbitrate; the center on return
	Category   string   // register, dispatch: the center classifies or reclassifies
	Hours      float64  // extend
	Result     string   // feedback: satisfied, basically_satisfied or dissatisfied
	Channel    string   // feedback: phone, sms or web; the comment is Note
}
