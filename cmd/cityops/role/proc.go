package role

import (
	"context"
)

// proc is the roles one process runs: their settings, and what they share
// at run time, which no setting says.
type proc struct {
	Config
	hooks stageHooks // the metrics and the intake gate of instrument
	// cooperating returns the departments cooperating on an incident, from
	// the dispatcher of this process when there is one: the history API
	// shows them its audit trail. Nil knows none.
	cooperating func(ctx context.Context, incidentID string) []string
}
