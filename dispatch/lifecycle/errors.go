package lifecycle

import (
	"errors"
	"fmt"

	"github.com/cityops/cityops"
)

// Errors that callers branch on with errors.Is. Every error Step returns
// matches one of them, and the task is left as it was.
var (
	ErrIllegal       = fmt.Errorf("%w: illegal transition", cityops.ErrConflict) // the step is not allowed from the task's status
	ErrForbidden     = errors.New("forbidden")                                   // the actor may not take this step on this task
	ErrReason        = fmt.Errorf("%w: reason", cityops.ErrInvalid)              // a coded reason is missing or unknown
	ErrEvidence      = fmt.Errorf("%w: evidence required", cityops.ErrInvalid)   // resolving needs evidence
	ErrFinalOwner    = fmt.Errorf("%w: owner named by arbitration", cityops.ErrConflict)
	ErrArbitration   = fmt.Errorf("%w: arbitration required", cityops.ErrConflict) // too many returns: only arbitration may name the owner
	ErrNoArbitration = fmt.Errorf("%w: not in arbitration", cityops.ErrConflict)
	ErrDepartment    = fmt.Errorf("%w: department", cityops.ErrInvalid) // a step that names an owner names none or an unknown one
	ErrRated         = fmt.Errorf("%w: feedback already recorded for this round", cityops.ErrConflict)
)

func illegal(a Action, s cityops.Status) error {
	return fmt.Errorf("%s from %s: %w", a, s, ErrIllegal)
}
