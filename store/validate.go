package store

import (
	"math"

	"github.com/cityops/cityops"
)

// validate checks that a change can be stored: it names its incident, its
// event (if any) has an id, and its numbers and times fit their columns. The
// error is a *cityops.FieldError, so it matches cityops.ErrInvalid.
func validate(c cityops.Change) error {
	in := c.Incident
	if in.ID == "" {
		return cityops.Invalid("incident.id", "must not be empty")
	}
	if in.Severity < 0 || in.Severity > math.MaxUint8 {
		return cityops.Invalid("incident.severity", "%d is outside 0..255", in.Severity)
	}
	errs := []error{
		checkTime("incident.reported", in.Reported),
		checkTime("incident.updated", in.Updated),
		checkTime("incident.deadline", in.Deadline),
	}
	if e := c.Event; e != nil {
		if e.ID == "" {
			return cityops.Invalid("event.id", "must not be empty")
		}
		errs = append(errs, checkTime("event.time", e.Time), checkTime("event.received", e.Received))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
