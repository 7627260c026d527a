package store

import (
	"math"
	"time"

	"github.com/cityops/cityops"
)

// DateTime holds whole seconds from 1970-01-01 to 2106-02-07 UTC. The zero
// time.Time is stored as 0 (the epoch) and read back as the zero time.

// checkTime returns a field error when t cannot be stored as a DateTime.
func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if u := t.Unix(); u < 0 || u > math.MaxUint32 {
		return cityops.Invalid(field, "%s is outside 1970-01-01..2106-02-07", t.Format(time.RFC3339))
	}
	return nil
}

// dateTime is the value to store for t.
func dateTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t
}

// unixMilli is the value to store in a millisecond column for t.
func unixMilli(t time.Time) uint64 {
	if t.IsZero() || t.UnixMilli() < 0 {
		return 0
	}
	return uint64(t.UnixMilli())
}

// fromDateTime turns a DateTime read back into the time that was stored.
func fromDateTime(t time.Time) time.Time {
	if t.Unix() == 0 {
		return time.Time{}
	}
	return t.UTC()
}

// fromMilli turns a millisecond column read back into a time.
func fromMilli(ms uint64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}
