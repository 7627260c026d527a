package open311

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/privacy"
)

// Citizen feedback, an extension beside the specification's methods:
//
//	POST /open311/v2/requests/{service_request_id}/feedback.{fmt}
//	api_key=...&result=satisfied|basically_satisfied|dissatisfied&comment=...
//
// rates how the city handled a request (回访). It reaches the dispatcher as
// the center's callback does (POST /api/v1/tasks/{id}/feedback, channel
// web), on the incident the request founded or was merged into. One rating
// per request per round: a second is 409, as is a rating of a request whose
// incident is not resolved yet.

// Feedback is a citizen's rating of a request.
type Feedback struct {
	RequestID string
	Incident  string // the incident the request belongs to
	Result    string // satisfied, basically_satisfied or dissatisfied
	Comment   string // masked
}

// FeedbackFunc hands a rating to the dispatcher. Its error matches
// cityops.ErrConflict for a second rating in a round or a task that takes
// none now, cityops.ErrNotFound for an incident the dispatcher does not
// hold, a *cityops.FieldError for a field it refuses; any other is 503.
type FeedbackFunc func(ctx context.Context, fb Feedback) error

// Feedback results and limits.
var feedbackResults = map[string]bool{"satisfied": true, "basically_satisfied": true, "dissatisfied": true}

const maxComment = 1000

// rated is the answer to a feedback.
type rated struct {
	XMLName xml.Name `xml:"feedback" json:"-"`
	ID      string   `xml:"service_request_id" json:"service_request_id"`
	Result  string   `xml:"result" json:"result"`
}

// serveFeedback serves POST requests/{id}/feedback.fmt.
func (s *Server) serveFeedback(w http.ResponseWriter, r *http.Request) {
	base, format, ok := splitFormat(r.PathValue("file"))
	if !ok || base != "feedback" {
		writeErrors(w, formatOr(format), http.StatusNotFound, apiError{Code: 404, Description: "unknown resource; POST requests/{service_request_id}/feedback.json"})
		return
	}
	if s.cfg.Feedback == nil {
		writeErrors(w, format, http.StatusNotFound, apiError{Code: 404, Description: "this city takes no feedback through Open311"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		fail(w, format, cityops.Invalid("Content-Type", "must be application/x-www-form-urlencoded, not %q", ct))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxFormBytes))
	if err != nil {
		writeErrors(w, format, http.StatusRequestEntityTooLarge, apiError{Code: 413, Description: fmt.Sprintf("body: larger than %d bytes", MaxFormBytes)})
		return
	}
	if !utf8.Valid(body) {
		fail(w, format, cityops.Invalid("body", "not valid UTF-8"))
		return
	}
	vs, err := url.ParseQuery(string(body))
	if err != nil {
		fail(w, format, cityops.Invalid("body", "malformed form: %v", err))
		return
	}
	key := vs.Get("api_key")
	if key == "" || !s.cfg.APIKeys[key] {
		fail(w, format, errForbidden)
		return
	}
	if ok, wait := s.cfg.Limiter.Allow(key, s.cfg.Now()); !ok {
		ingest.SetRetryAfter(w, wait)
		writeErrors(w, format, http.StatusTooManyRequests, apiError{Code: 429, Description: "too many requests for this api_key"})
		return
	}
	var errs []error
	for _, name := range []string{"api_key", "result", "comment"} {
		if len(vs[name]) > 1 {
			errs = append(errs, cityops.Invalid(name, "given %d times", len(vs[name])))
		}
	}
	result, comment := strings.TrimSpace(vs.Get("result")), strings.TrimSpace(vs.Get("comment"))
	switch {
	case result == "":
		errs = append(errs, cityops.Invalid("result", "required: satisfied, basically_satisfied or dissatisfied"))
	case !feedbackResults[result]:
		errs = append(errs, cityops.Invalid("result", "%q is not satisfied, basically_satisfied or dissatisfied", result))
	}
	if utf8.RuneCountInString(comment) > maxComment {
		errs = append(errs, cityops.Invalid("comment", "longer than %d characters", maxComment))
	}
	if htmlTag.MatchString(comment) {
		errs = append(errs, cityops.Invalid("comment", "must not contain HTML"))
	}
	id := r.PathValue("id")
	st, found, ferr := s.stored(r.Context(), id)
	switch {
	case ferr != nil:
		errs = append(errs, ferr)
	case !found:
		errs = append(errs, notFound("service_request_id %q is unknown", id))
	case st.Incident == "":
		errs = append(errs, fmt.Errorf("%w: service_request_id %s is not handled yet; rate it once it is resolved", cityops.ErrConflict, id))
	}
	if len(errs) > 0 {
		fail(w, format, errors.Join(errs...))
		return
	}
	fb := Feedback{RequestID: id, Incident: st.Incident, Result: result, Comment: privacy.MaskText(comment)}
	if err := s.cfg.Feedback(r.Context(), fb); err != nil {
		if statusOf(err) == http.StatusBadRequest && !isField(err) {
			err = fmt.Errorf("%w: %v", errUnavailable, err)
		}
		fail(w, format, err)
		return
	}
	write(w, format, http.StatusCreated, "feedback", []rated{{ID: id, Result: result}})
}

func isField(err error) bool {
	var fe *cityops.FieldError
	return errors.As(err, &fe)
}

// stored finds one request with its incident: from the store when the
// endpoint has one, else from this process's records and Status.
func (s *Server) stored(ctx context.Context, id string) (Stored, bool, error) {
	if s.cfg.Find != nil {
		m, err := s.cfg.Find(ctx, []string{id})
		if err != nil {
			return Stored{}, false, errStore(err)
		}
		if st, ok := m[id]; ok {
			return st, true, nil
		}
		rec, ok := s.cfg.Records.Get(id) // created here, not stored yet: nothing to rate
		return Stored{Record: rec}, ok, nil
	}
	rec, ok := s.find(ctx, id)
	if !ok {
		return Stored{}, false, nil
	}
	st := Stored{Record: rec}
	if status, known := s.cfg.Status(ctx, id); known {
		st.Incident, st.Known = status.Incident, true
		if st.Incident == "" {
			st.Incident = "INC-" + id
		}
	}
	return st, true, nil
}
