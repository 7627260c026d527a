package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest/privacy"
)

// Limits on one event.
const (
	MaxEventBytes = 64 << 10
	maxIDLen      = 128
	maxTypeLen    = 64
	maxTextLen    = 4000 // characters
	maxUnitLen    = 16
	maxFuture     = 5 * time.Minute // clock skew allowed for reporters
	maxPast       = 366 * 24 * time.Hour
)

// EventRequest is an event as a client sends it. Pointers tell a missing
// field from a zero one.
type EventRequest struct {
	ID       string   `json:"id"` // optional client id; the same id sent twice is one event
	Source   string   `json:"source"`
	Type     string   `json:"type"`
	Text     string   `json:"text"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Time     string   `json:"time"`
	Value    *float64 `json:"value"`
	Unit     string   `json:"unit"`
	DeviceID string   `json:"device_id"`
}

// Validator checks events against the running city.
type Validator struct {
	// BBox is the city's extent [min lon, min lat, max lon, max lat];
	// events outside it are refused. Zero means anywhere.
	BBox [4]float64
	// Contains, when set, says whether a point is inside the city's areas
	// (a geo index's Locate); events outside are refused.
	Contains func(lat, lon float64) bool
	// MaxAge is how old an event may be; zero means a year. Replays of
	// history set it to their span.
	MaxAge time.Duration
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// DecodeEvent decodes and validates one JSON event. It returns a
// *cityops.FieldError for the first problem it finds.
func (v *Validator) DecodeEvent(b []byte) (cityops.Event, error) {
	req, err := DecodeEventRequest(b)
	if err != nil {
		return cityops.Event{}, err
	}
	return v.validate(&req)
}

// DecodeEventRequest decodes one JSON event strictly, without validating
// it: unknown fields and trailing values are errors.
func DecodeEventRequest(b []byte) (EventRequest, error) {
	var req EventRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, jsonError(err)
	}
	if dec.More() {
		return req, cityops.Invalid("body", "more than one JSON value")
	}
	return req, nil
}

// Id and type namespaces that only intake's own paths produce: Open311
// requests (311-<hash of the form>, type open311:<code>) and readings
// (rd-<hash of device and time>). A client's own id or type may not use
// them, or it could replace a citizen's request or a device's reading.
const (
	PrefixOpen311 = "311-"
	PrefixReading = "rd-"
	TypeOpen311   = "open311:"
)

// CheckClientID refuses a client id in a reserved namespace or carrying
// personal data, naming field.
func CheckClientID(field, id string) error {
	switch {
	case strings.HasPrefix(id, PrefixOpen311):
		return cityops.Invalid(field, "ids starting with %q are Open311 requests', made by the Open311 API only", PrefixOpen311)
	case strings.HasPrefix(id, PrefixReading):
		return cityops.Invalid(field, "ids starting with %q are sensor readings', made by intake from device and time only", PrefixReading)
	case HasPersonalData(id):
		return cityops.Invalid(field, "looks like it carries personal data (a phone, ID card or e-mail); ids are public")
	}
	return nil
}

// CheckClientType refuses an event type in the Open311 namespace or
// carrying personal data.
func CheckClientType(typ string) error {
	switch {
	case strings.HasPrefix(strings.TrimSpace(typ), TypeOpen311):
		return cityops.Invalid("type", "types starting with %q are Open311 requests', made by the Open311 API only", TypeOpen311)
	case HasPersonalData(typ):
		return cityops.Invalid("type", "looks like it carries personal data (a phone, ID card or e-mail); types are public")
	}
	return nil
}

// jsonError turns a decoding error into a field error.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return cityops.Invalid(te.Field, "must be a %s, not a JSON %s", te.Type, te.Value)
	case errors.As(err, &se):
		return cityops.Invalid("body", "malformed JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.EOF):
		return cityops.Invalid("body", "empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return cityops.Invalid("body", "malformed JSON: unexpected end")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cityops.Invalid(name, "unknown field")
	}
	return cityops.Invalid("body", "malformed JSON: %v", err)
}

func (v *Validator) validate(r *EventRequest) (cityops.Event, error) {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	ev := cityops.Event{ID: r.ID, Source: cityops.Source(r.Source), Type: strings.TrimSpace(r.Type), Unit: r.Unit, DeviceID: r.DeviceID}
	switch {
	case len(r.ID) > maxIDLen:
		return ev, cityops.Invalid("id", "longer than %d bytes", maxIDLen)
	case r.ID != "" && !printable(r.ID):
		return ev, cityops.Invalid("id", "must be printable ASCII without spaces")
	case r.Source == "":
		return ev, cityops.Invalid("source", "required")
	case !ev.Source.Valid():
		return ev, cityops.Invalid("source", "must be hotline or iot, not %q", r.Source)
	case ev.Type == "":
		return ev, cityops.Invalid("type", "required")
	case len(ev.Type) > maxTypeLen:
		return ev, cityops.Invalid("type", "longer than %d bytes", maxTypeLen)
	case !utf8.ValidString(r.Text):
		return ev, cityops.Invalid("text", "not valid UTF-8")
	case utf8.RuneCountInString(r.Text) > maxTextLen:
		return ev, cityops.Invalid("text", "longer than %d characters", maxTextLen)
	case ev.Source == cityops.SourceHotline && strings.TrimSpace(r.Text) == "":
		return ev, cityops.Invalid("text", "required for hotline reports")
	case r.Lat == nil:
		return ev, cityops.Invalid("lat", "required")
	case r.Lon == nil:
		return ev, cityops.Invalid("lon", "required")
	case math.IsNaN(*r.Lat) || *r.Lat < -90 || *r.Lat > 90:
		return ev, cityops.Invalid("lat", "must be between -90 and 90")
	case math.IsNaN(*r.Lon) || *r.Lon < -180 || *r.Lon > 180:
		return ev, cityops.Invalid("lon", "must be between -180 and 180")
	case v.BBox != [4]float64{} && !inBBox(v.BBox, *r.Lat, *r.Lon):
		return ev, cityops.Invalid("lat/lon", "%.6f,%.6f is outside the city (%v)", *r.Lat, *r.Lon, v.BBox)
	case v.Contains != nil && !v.Contains(*r.Lat, *r.Lon):
		return ev, cityops.Invalid("lat/lon", "%.6f,%.6f is not inside any of the city's areas", *r.Lat, *r.Lon)
	case ev.Source == cityops.SourceIoT && r.Value == nil:
		return ev, cityops.Invalid("value", "required for sensor readings")
	case r.Value != nil && (math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0)):
		return ev, cityops.Invalid("value", "must be a finite number")
	case ev.Source == cityops.SourceIoT && r.DeviceID == "":
		return ev, cityops.Invalid("device_id", "required for sensor readings")
	case len(r.DeviceID) > maxIDLen:
		return ev, cityops.Invalid("device_id", "longer than %d bytes", maxIDLen)
	case len(r.Unit) > maxUnitLen:
		return ev, cityops.Invalid("unit", "longer than %d bytes", maxUnitLen)
	case r.Time == "":
		return ev, cityops.Invalid("time", "required")
	}
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		return ev, cityops.Invalid("time", "must be RFC 3339 with a time zone, e.g. 2026-07-01T08:30:00+08:00")
	}
	n := now()
	maxAge := maxPast
	if v.MaxAge > 0 {
		maxAge = v.MaxAge
	}
	switch {
	case t.After(n.Add(maxFuture)):
		return ev, cityops.Invalid("time", "%s is in the future", r.Time)
	case t.Before(n.Add(-maxAge)):
		return ev, cityops.Invalid("time", "%s is older than %s", r.Time, maxAge)
	}
	ev.Lat, ev.Lon, ev.Time, ev.Value = *r.Lat, *r.Lon, t.UTC(), r.Value
	ev.Text = strings.TrimSpace(r.Text)
	privacy.MaskEvent(&ev)
	ev.Received = n.UTC()
	return ev, nil
}

func inBBox(b [4]float64, lat, lon float64) bool {
	return lon >= b[0] && lat >= b[1] && lon <= b[2] && lat <= b[3]
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// NewID returns a fresh event id.
func NewID() string {
	var b [12]byte
	randRead(b[:])
	return fmt.Sprintf("%x", b[:])
}

// Check validates an event assembled by another decoder (Open311 forms,
// sensor readings, replayed CSV rows) exactly as DecodeEvent validates JSON,
// and returns it normalized and masked.
func (v *Validator) Check(r *EventRequest) (cityops.Event, error) { return v.validate(r) }
