package cityops

// Status is where an incident stands in its closed loop.
type Status string

// The states of an incident, in the order the loop normally visits them.
const (
	StatusReported   Status = "reported"
	StatusRegistered Status = "registered"
	StatusDispatched Status = "dispatched"
	StatusAccepted   Status = "accepted"
	StatusInProgress Status = "in_progress"
	StatusResolved   Status = "resolved"
	StatusVerified   Status = "verified"
	StatusClosed     Status = "closed"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists every status in loop order, cancelled last.
var Statuses = []Status{
	StatusReported, StatusRegistered, StatusDispatched, StatusAccepted,
	StatusInProgress, StatusResolved, StatusVerified, StatusClosed, StatusCancelled,
}

// Open reports whether an incident in status s still needs work.
func (s Status) Open() bool { return s != StatusClosed && s != StatusCancelled }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}
