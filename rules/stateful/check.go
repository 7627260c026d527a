package stateful

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/privacy"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The raw events topic is a contract, not trusted input: anything with the
// brokers' address can write to it, not only intake. So the classify stage
// reads each record as intake would have accepted it: decoded strictly,
// validated by the same ingest.Validator, and masked again (masking is
// idempotent). A record that fails is dead-lettered with a reason that names
// the field at fault, and nothing of it goes further.

// replayAge is how old an event's time may be. Intake refuses events older
// than a year; the processor must not, since a replay of history (cityops
// replay, a topic re-read from its start) is as valid as the day it was
// accepted. A century only refuses times that are not times (year 1).
const replayAge = 100 * 365 * 24 * time.Hour

// maxSkew is how far past its reference an event's time, or a record's
// received time, may be: the clock skew intake allows its reporters.
const maxSkew = 5 * time.Minute

// rawEvent is a record of the raw events topic as intake writes it (a
// cityops.Event). Pointers and strings tell a missing field from a zero one.
type rawEvent struct {
	ID       string   `json:"id"`
	Source   string   `json:"source"`
	Type     string   `json:"type"`
	Text     string   `json:"text"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Time     string   `json:"time"`
	Received string   `json:"received"`
	Value    *float64 `json:"value"`
	Unit     string   `json:"unit"`
	DeviceID string   `json:"device_id"`
}

// strict are the decoding options of a raw record: json v2's defaults
// refuse invalid UTF-8, a member named twice, a member in another case and
// data after the value; unknown members are refused too.
var strict = jsonv2.JoinOptions(jsonv2.RejectUnknownMembers(true))

// checker validates raw event records.
type checker struct {
	// v validates as intake does, but for the age of an event; its Now is
	// set per record.
	v ingest.Validator
	// now is the wall clock (time.Now when nil).
	now func() time.Time
}

// newChecker returns the checker of a pack's world: events outside bbox
// (the areas' extent, [min lon, min lat, max lon, max lat]) are refused
// unless bbox is zero.
func newChecker(bbox [4]float64, now func() time.Time) *checker {
	if now == nil {
		now = time.Now
	}
	return &checker{v: ingest.Validator{BBox: bbox, MaxAge: replayAge}, now: now}
}

// check decodes and validates one raw record. It returns the event
// normalized and masked, or an error that wraps a *cityops.FieldError.
func (c *checker) check(b []byte) (cityops.Event, error) {
	if len(b) > ingest.MaxEventBytes {
		return cityops.Event{}, cityops.Invalid("body", "larger than %d bytes", ingest.MaxEventBytes)
	}
	var r rawEvent
	if err := jsonv2.Unmarshal(b, &r, strict); err != nil {
		return cityops.Event{}, decodeError(err)
	}
	switch {
	case r.ID == "":
		return cityops.Event{}, cityops.Invalid("id", "required")
	case r.Lat != nil && r.Lon != nil && *r.Lat == 0 && *r.Lon == 0:
		// In range, and outside every city: a writer's zero value, not a
		// place, even for a stage that accepts any place.
		return cityops.Event{}, cityops.Invalid("lat/lon", "0,0 is not a place in a city but a position left out")
	}
	wall := c.now()
	var received time.Time
	if r.Received != "" {
		t, err := time.Parse(time.RFC3339Nano, r.Received)
		switch {
		case err != nil:
			return cityops.Event{}, cityops.Invalid("received", "must be RFC 3339 with a time zone")
		case t.After(wall.Add(maxSkew)):
			return cityops.Event{}, cityops.Invalid("received", "%s is in the future", r.Received)
		}
		received = t.UTC()
	}
	// The event's time is judged against when intake received it, as intake
	// judged it, so that a replay decides as the first reading did; a
	// record without a received time is judged against the clock.
	ref := wall
	if !received.IsZero() && received.Before(wall) {
		ref = received
	}
	v := c.v
	v.Now = func() time.Time { return ref }
	ev, err := v.Check(&ingest.EventRequest{
		ID: r.ID, Source: r.Source, Type: r.Type, Text: r.Text, Lat: r.Lat, Lon: r.Lon,
		Time: r.Time, Value: r.Value, Unit: r.Unit, DeviceID: r.DeviceID,
	})
	if err != nil {
		return cityops.Event{}, err
	}
	ev.Received = received
	return ev, nil
}

// decodeError turns a strict decoding error into a field error naming the
// member at fault, or "body" for the record as a whole.
func decodeError(err error) error {
	var se *jsonv2.SemanticError
	var ye *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		field := pointerField(se.JSONPointer)
		switch {
		case errors.Is(se.Err, jsonv2.ErrUnknownName):
			return cityops.Invalid(field, "unknown field")
		case field == "body":
			return cityops.Invalid(field, "must be a JSON object of an event, not %s", kindName(se.JSONKind))
		case se.GoType != nil:
			return cityops.Invalid(field, "must be a JSON %s, not %s", wantKind(se.GoType.String()), kindName(se.JSONKind))
		}
		return cityops.Invalid(field, "cannot be decoded: %v", se.Err)
	case errors.As(err, &ye):
		return cityops.Invalid(pointerField(ye.JSONPointer), "malformed JSON at byte %d: %v", ye.ByteOffset, ye.Err)
	}
	return cityops.Invalid("body", "malformed JSON: %v", err)
}

// pointerField returns the top-level member a JSON pointer is in, or
// "body". The name is the writer's: one that is not short valid UTF-8 is
// "body", and personal data in it is masked, as the reason is kept.
func pointerField(p jsontext.Pointer) string {
	for tok := range p.Tokens() {
		if tok == "" || len(tok) > 64 || !utf8.ValidString(tok) {
			break
		}
		return privacy.MaskText(tok)
	}
	return "body"
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "this value"
}

func wantKind(goType string) string {
	switch {
	case strings.Contains(goType, "float"):
		return "number"
	case strings.Contains(goType, "string"):
		return "string"
	}
	return goType
}
