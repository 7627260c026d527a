package readings

import (
	"fmt"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/rules/stateful"
	jsonv2 "github.com/go-json-experiment/json"
)

// replayAge is how old a reading may be: intake refuses readings older than
// a year, but a replay of the topic is as valid as the day it was written.
const replayAge = 100 * 365 * 24 * time.Hour

// strict are the decoding options of a record: json v2's defaults refuse
// invalid UTF-8, a member twice, a member in another case and data after
// the value; unknown members are refused too.
var strict = jsonv2.JoinOptions(jsonv2.RejectUnknownMembers(true))

// checker validates the records of the readings topic.
type checker struct {
	v   ingest.Validator
	reg ingest.Registry
}

func newChecker(bbox [4]float64, reg ingest.Registry, now func() time.Time) *checker {
	return &checker{v: ingest.Validator{BBox: bbox, MaxAge: replayAge, Now: now}, reg: reg}
}

// check decodes and validates one record. The error wraps a
// *cityops.FieldError.
func (c *checker) check(b []byte) (cityops.Event, error) {
	if len(b) > ingest.MaxEventBytes {
		return cityops.Event{}, invalid(cityops.Invalid("body", "larger than %d bytes", ingest.MaxEventBytes))
	}
	var r ingest.Reading
	if !decodeFlat(b, &r) {
		r = ingest.Reading{}
		if err := jsonv2.Unmarshal(b, &r, strict); err != nil {
			return cityops.Event{}, invalid(stateful.DecodeError(err))
		}
	}
	ev, err := c.v.CheckReading(c.reg, &r)
	if err != nil {
		return cityops.Event{}, invalid(err)
	}
	return ev, nil
}

func invalid(err error) error { return fmt.Errorf("invalid reading: %w", err) }
