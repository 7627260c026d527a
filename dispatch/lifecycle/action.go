package lifecycle

import "github.com/cityops/cityops"

// Action is a step of the loop.
type Action string

// The actions. Each is recorded as a transition under its own name.
const (
	Adopt     Action = "adopt"     // system: the dispatcher takes over a new incident
	Register  Action = "register"  // center: a reported incident is valid
	Cancel    Action = "cancel"    // center: invalid or duplicate
	Dispatch  Action = "dispatch"  // center: (re-)dispatch to a department
	Accept    Action = "accept"    // owner
	Start     Action = "start"     // owner: work begins
	Note      Action = "note"      // owner, cooperating department or center: a progress note
	Resolve   Action = "resolve"   // owner, with evidence
	Verify    Action = "verify"    // center or inspector: the fix holds
	Rework    Action = "rework"    // center or inspector: verification failed, back to the owner
	Close     Action = "close"     // center or inspector, after verification
	Return    Action = "return"    // owner, with a coded reason: not ours
	Arbitrate Action = "arbitrate" // center: names the final owner after too many returns
	AskMore   Action = "request_extension"
	Extend    Action = "extend" // center: approves more time
	Pause     Action = "pause"  // center: approves stopping the clock
	Resume    Action = "resume" // center: the clock runs again
	Escalate  Action = "escalate"
	// Reopen starts a new round of a resolved, verified or closed task: back
	// to the same department with a new deadline, for a repeat complaint
	// (system, reason "repeat") or a dissatisfied callback (center, reason
	// "dissatisfied"); after MaxRedos of the latter the center arbitrates.
	Reopen Action = "reopen"
	// Feedback records the callback (回访) of a resolved task: the
	// citizen's satisfaction, once per round. It changes neither status nor
	// owner nor the incident's updated time.
	Feedback Action = "feedback"
)

// Role says who may take a step.
type role int

const (
	byCenter role = 1 << iota
	byOwner
	bySystem
	byInspector   // verifies and fails verification, and closes what it verified
	byCooperating // a cooperating department of the task: notes only
)

type rule struct {
	from []cityops.Status
	to   cityops.Status // "" keeps the status
	by   role
}

var (
	working = []cityops.Status{cityops.StatusDispatched, cityops.StatusAccepted, cityops.StatusInProgress}
	rules   = map[Action]rule{
		Register:  {[]cityops.Status{cityops.StatusReported}, cityops.StatusRegistered, byCenter},
		Cancel:    {[]cityops.Status{cityops.StatusReported, cityops.StatusRegistered}, cityops.StatusCancelled, byCenter},
		Dispatch:  {[]cityops.Status{cityops.StatusRegistered}, cityops.StatusDispatched, byCenter},
		Accept:    {[]cityops.Status{cityops.StatusDispatched}, cityops.StatusAccepted, byOwner},
		Start:     {[]cityops.Status{cityops.StatusAccepted}, cityops.StatusInProgress, byOwner},
		Note:      {append(working, cityops.StatusResolved), "", byOwner | byCenter | byCooperating},
		Resolve:   {[]cityops.Status{cityops.StatusAccepted, cityops.StatusInProgress}, cityops.StatusResolved, byOwner},
		Verify:    {[]cityops.Status{cityops.StatusResolved}, cityops.StatusVerified, byCenter | byInspector},
		Rework:    {[]cityops.Status{cityops.StatusResolved}, cityops.StatusInProgress, byCenter | byInspector},
		Close:     {[]cityops.Status{cityops.StatusVerified}, cityops.StatusClosed, byCenter | byInspector},
		Return:    {[]cityops.Status{cityops.StatusDispatched, cityops.StatusAccepted}, cityops.StatusRegistered, byOwner},
		Arbitrate: {[]cityops.Status{cityops.StatusRegistered}, cityops.StatusDispatched, byCenter},
		AskMore:   {working, "", byOwner},
		Extend:    {working, "", byCenter},
		Pause:     {working, "", byCenter},
		Resume:    {working, "", byCenter},
		Escalate:  {working, "", bySystem},
		Reopen:    {done, cityops.StatusDispatched, bySystem | byCenter},
		Feedback:  {done, "", byCenter},
	}
	done = []cityops.Status{cityops.StatusResolved, cityops.StatusVerified, cityops.StatusClosed}
)

// Known reports whether a is an action a command may ask for.
func (a Action) Known() bool { _, ok := rules[a]; return ok }

// ReturnReasons are the coded reasons a department may give for returning a task.
var ReturnReasons = map[string]string{
	"not_responsible":   "not this department's responsibility",
	"wrong_location":    "the location is wrong or outside the department's area",
	"duplicate":         "the same problem is already being handled",
	"insufficient_info": "too little information to act",
	"not_actionable":    "nothing the department can do, e.g. private property",
}

// CancelReasons are the coded reasons the center may give for cancelling.
var CancelReasons = map[string]string{
	"invalid":   "not a real or not a city problem",
	"duplicate": "another incident covers it",
}

// ReopenReasons are the reasons a task is reopened.
var ReopenReasons = map[string]string{
	ReasonRepeat:       "a repeat complaint after it was resolved or closed (重复投诉)",
	ReasonDissatisfied: "the citizen was dissatisfied at the callback (不满意重办)",
}

// The reasons of a reopening.
const (
	ReasonRepeat       = "repeat"
	ReasonDissatisfied = "dissatisfied"
)

// FeedbackResults are the results of a callback (满意, 基本满意, 不满意), and
// FeedbackChannels how it was made.
var (
	FeedbackResults = map[string]string{
		"satisfied":           "the citizen is satisfied (满意)",
		"basically_satisfied": "the citizen is basically satisfied (基本满意)",
		ResultDissatisfied:    "the citizen is dissatisfied (不满意): within the callback window the task is redone",
	}
	FeedbackChannels = map[string]string{"phone": "a call back", "sms": "a text message", "web": "the web or an app"}
)

// ResultDissatisfied is the callback result that may reopen a task.
const ResultDissatisfied = "dissatisfied"

// Escalation levels, in order.
const (
	LevelNone       = 0
	LevelWarning    = 1 // the deadline is near: the owner is warned
	LevelSupervisor = 2 // breached: the department's supervisor
	LevelDistrict   = 3 // the district center
	LevelCity       = 4 // the city center
)

// LevelNames names the escalation levels.
var LevelNames = []string{"none", "warning", "supervisor", "district_center", "city_center"}
