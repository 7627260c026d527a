package taskapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/cityops/cityops/dispatch/lifecycle"
)

// Limits of a step's request body. A transition record carries the note and
// the evidence, and it must fit a Kafka message with room to spare, so a
// larger request is refused with 413 rather than failing at the broker.
const (
	MaxBody     = 64 << 10 // bytes of a request body
	MaxNote     = 8 << 10  // bytes of a note
	MaxEvidence = 20       // evidence links of one step
	MaxLink     = 2 << 10  // bytes of one evidence link
	// MaxExtendHours is the most one extend adds to a deadline: 90 days.
	MaxExtendHours = 24 * 90
)

// body is what a step's request may carry.
type body struct {
	Reason     string   `json:"reason"`
	Note       string   `json:"note"`
	Evidence   []string `json:"evidence"`
	Department string   `json:"department"`
	Category   string   `json:"category"`
	Hours      *float64 `json:"hours"` // extend only
	Pass       *bool    `json:"pass"`  // verify: false sends it back for rework
	// feedback only: the callback's result and channel, and the citizen's
	// comment (masked before it is recorded).
	Result  string `json:"result"`
	Channel string `json:"channel"`
	Comment string `json:"comment"`
}

// requestError is a request the API refuses before looking at the task:
// 400 or 413, with a message that names the field.
type requestError struct {
	code int
	msg  string
}

func (e *requestError) Error() string { return e.msg }

func badField(field, format string, args ...any) *requestError {
	return &requestError{http.StatusBadRequest, field + ": " + fmt.Sprintf(format, args...)}
}

func tooLarge(field, format string, args ...any) *requestError {
	return &requestError{http.StatusRequestEntityTooLarge, field + ": " + fmt.Sprintf(format, args...)}
}

// readBody reads a request body of at most MaxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *requestError) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge("body", "over %d bytes", MaxBody)
		}
		return nil, badField("body", "reading: %v", err)
	}
	return raw, nil
}

// decodeBody decodes a step's body strictly: one JSON object, valid UTF-8,
// known fields of the right type only, within the limits; an empty body is
// an empty object.
func decodeBody(raw []byte, action lifecycle.Action) (body, *requestError) {
	var b body
	if len(bytes.TrimSpace(raw)) == 0 {
		return b, checkBody(b, action)
	}
	if !utf8.Valid(raw) {
		return b, badUTF8(raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b, decodeError(err)
	}
	if dec.More() {
		return b, badField("body", "holds more than one JSON value")
	}
	return b, checkBody(b, action)
}

// badUTF8 names the field whose value is not valid UTF-8. encoding/json
// would replace the bytes silently; a json.RawMessage keeps them as sent.
func badUTF8(raw []byte) *requestError {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return badField("body", "is not valid UTF-8")
	}
	for k, v := range fields {
		if !utf8.Valid(v) {
			return badField(k, "is not valid UTF-8")
		}
	}
	return badField("body", "a field name is not valid UTF-8")
}

// decodeError turns a decoding error into one that names the field.
func decodeError(err error) *requestError {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := e.Field
		if field == "" {
			field = "body"
		}
		return badField(field, "%s is not a %s", e.Value, jsonType(e.Type.String()))
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return badField("body", "not JSON at byte %d: %v", e.Offset, e)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badField(strings.Trim(name, `"`), "unknown field")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return badField("body", "JSON ends early")
	}
	return badField("body", "%v", err)
}

func jsonType(goType string) string {
	switch goType {
	case "string":
		return "string"
	case "float64", "*float64":
		return "finite number"
	case "bool", "*bool":
		return "true or false"
	case "[]string":
		return "list of strings"
	}
	return "JSON object" // the body itself
}

// checkBody bounds what decoding cannot: sizes, and hours, which only
// extend takes, to 0 < hours <= MaxExtendHours.
func checkBody(b body, action lifecycle.Action) *requestError {
	if len(b.Note) > MaxNote {
		return tooLarge("note", "%d bytes, the limit is %d", len(b.Note), MaxNote)
	}
	if len(b.Evidence) > MaxEvidence {
		return badField("evidence", "%d links, the limit is %d", len(b.Evidence), MaxEvidence)
	}
	for i, e := range b.Evidence {
		if len(e) > MaxLink {
			return tooLarge(fmt.Sprintf("evidence[%d]", i), "%d bytes, the limit is %d", len(e), MaxLink)
		}
	}
	if err := checkFeedback(b, action); err != nil {
		return err
	}
	switch {
	case action != lifecycle.Extend:
		if b.Hours != nil {
			return badField("hours", "only extend takes hours (a pause lasts until resume)")
		}
	case b.Hours == nil:
		return badField("hours", "is required")
	case math.IsNaN(*b.Hours) || math.IsInf(*b.Hours, 0) || *b.Hours <= 0 || *b.Hours > MaxExtendHours:
		return badField("hours", "is %v, want more than 0 and at most %d", *b.Hours, MaxExtendHours)
	}
	return nil
}

// checkFeedback checks the fields of a callback: a feedback takes result
// and channel, both required, and an optional comment, nothing else; no
// other step takes them.
func checkFeedback(b body, action lifecycle.Action) *requestError {
	if action != lifecycle.Feedback {
		for field, v := range map[string]string{"result": b.Result, "channel": b.Channel, "comment": b.Comment} {
			if v != "" {
				return badField(field, "only feedback takes it")
			}
		}
		return nil
	}
	switch {
	case b.Result == "":
		return badField("result", "is required: satisfied, basically_satisfied or dissatisfied")
	case lifecycle.FeedbackResults[b.Result] == "":
		return badField("result", "is %q, want satisfied, basically_satisfied or dissatisfied", b.Result)
	case b.Channel == "":
		return badField("channel", "is required: phone, sms or web")
	case lifecycle.FeedbackChannels[b.Channel] == "":
		return badField("channel", "is %q, want phone, sms or web", b.Channel)
	case len(b.Comment) > MaxNote:
		return tooLarge("comment", "%d bytes, the limit is %d", len(b.Comment), MaxNote)
	case b.Note != "":
		return badField("note", "a feedback's text is its comment")
	case b.Reason != "":
		return badField("reason", "feedback takes result, channel and comment")
	case len(b.Evidence) > 0:
		return badField("evidence", "feedback takes result, channel and comment")
	case b.Department != "":
		return badField("department", "feedback takes result, channel and comment")
	case b.Category != "":
		return badField("category", "feedback takes result, channel and comment")
	case b.Pass != nil:
		return badField("pass", "feedback takes result, channel and comment")
	}
	return nil
}
