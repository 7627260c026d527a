package open311

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/privacy"
	"github.com/segmentio/kafka-go"
)

// Headers that carry a caller on the raw events topic.
const (
	HeaderCallerMasked = "cityops-caller-masked" // JSON of the masked caller
	HeaderCallerSealed = "cityops-caller-sealed" // AES-GCM of the original, bound to the event id
)

// created is the answer to POST requests.
type created struct {
	XMLName       xml.Name `xml:"request" json:"-"`
	ID            string   `xml:"service_request_id" json:"service_request_id"`
	ServiceNotice string   `xml:"service_notice" json:"service_notice"`
	AccountID     string   `xml:"account_id,omitempty" json:"account_id,omitempty"`
}

// serveCreate serves POST requests.fmt: 403 for a missing or unknown
// api_key, 404 for an unknown service_code, 400 naming the field for
// anything else wrong, 429 over the key's rate, and 201 with the request's
// id once the raw events topic has it. The same form sent twice with the same
// key is one request: the id is derived from the form.
func (s *Server) serveCreate(w http.ResponseWriter, r *http.Request) {
	base, format, ok := splitFormat(r.PathValue("file"))
	if !ok || base != "requests" {
		writeErrors(w, formatOr(format), http.StatusNotFound, apiError{Code: 404, Description: "unknown resource"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		fail(w, format, cityops.Invalid("Content-Type", "must be application/x-www-form-urlencoded, not %q", ct))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxFormBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeErrors(w, format, http.StatusRequestEntityTooLarge, apiError{Code: 413, Description: fmt.Sprintf("body: larger than %d bytes", MaxFormBytes)})
			return
		}
		fail(w, format, cityops.Invalid("body", "reading: %v", err))
		return
	}
	f, ferr := DecodeForm(body)
	if f.Values == nil { // the body is no form at all
		fail(w, format, ferr)
		return
	}
	// The key first: a caller without one learns nothing of the form.
	if f.APIKey == "" || !s.cfg.APIKeys[f.APIKey] {
		fail(w, format, errForbidden)
		return
	}
	if ok, wait := s.cfg.Limiter.Allow(f.APIKey, s.cfg.Now()); !ok {
		ingest.SetRetryAfter(w, wait)
		writeErrors(w, format, http.StatusTooManyRequests, apiError{Code: 429, Description: "too many requests for this api_key"})
		return
	}
	rec, headers, err := s.build(r.Context(), f)
	if errors.Is(err, errSeeForm) {
		err = nil
		if ferr == nil {
			err = cityops.Invalid("lat", "a location is required: lat and long")
		}
	}
	if err = errors.Join(ferr, err); err != nil {
		fail(w, format, err)
		return
	}
	if old, ok := s.cfg.Records.Get(rec.ID); ok {
		write(w, format, http.StatusCreated, "service_requests", []created{{ID: old.ID, ServiceNotice: notice, AccountID: f.AccountID}})
		return
	}
	// The id is the hash of the form, so it is its own content hash: a
	// form sent again after a restart, or to another replica, is known.
	hash := strings.TrimPrefix(rec.ID, ingest.PrefixOpen311)
	if err := s.cfg.IDs.Wait(r.Context()); err != nil {
		fail(w, format, fmt.Errorf("%w: %v", errUnavailable, err))
		return
	}
	switch s.cfg.IDs.Claim(rec.ID, hash) {
	case ingest.ClaimSame:
		write(w, format, http.StatusCreated, "service_requests", []created{{ID: rec.ID, ServiceNotice: notice, AccountID: f.AccountID}})
		return
	case ingest.ClaimConflict:
		writeErrors(w, format, http.StatusConflict, apiError{Code: 409, Description: fmt.Sprintf("service_request_id %s exists with other content", rec.ID)})
		return
	}
	if err := s.publish(r, f, &rec, headers); err != nil {
		s.cfg.IDs.Release(rec.ID, hash)
		fail(w, format, err)
		return
	}
	if s.cfg.IDs != nil && s.cfg.PublishIDs != nil {
		if err := s.cfg.PublishIDs(r.Context(), s.cfg.IDs.Record(rec.ID, hash)); err != nil {
			slog.Error("keeping an Open311 request id", "id", rec.ID, "err", err) // the request is durable; this process remembers it
		}
	}
	s.cfg.Records.Add(rec)
	write(w, format, http.StatusCreated, "service_requests", []created{{ID: rec.ID, ServiceNotice: notice, AccountID: f.AccountID}})
}

// errSeeForm stops build on a field DecodeForm refused.
var errSeeForm = errors.New("see the form's errors")

const notice = "Received. Follow it with GET requests/{service_request_id}."

func formatOr(f string) string {
	if f == "" {
		return formatXML
	}
	return f
}

// build checks f against the service and makes the request's record and,
// for a caller, the headers that carry it masked and sealed.
func (s *Server) build(ctx context.Context, f Form) (Record, []kafka.Header, error) {
	var errs []error
	if err := s.jurisdiction(f.Jurisdiction); err != nil {
		errs = append(errs, err)
	}
	svc, known := s.cat.byID[f.ServiceCode]
	switch {
	case f.ServiceCode == "":
		errs = append(errs, cityops.Invalid("service_code", "required"))
	case !known:
		errs = append(errs, notFound("service_code %q is not a service of this city", f.ServiceCode))
	default:
		if err := checkAttributes(s.cat.defs[f.ServiceCode], f.Attributes); err != nil {
			errs = append(errs, err)
		}
	}
	latGiven, longGiven := strings.TrimSpace(f.Values.Get("lat")) != "", strings.TrimSpace(f.Values.Get("long")) != ""
	if (f.Lat == nil || f.Long == nil) && !latGiven && !longGiven {
		if f.Address != "" || f.AddressID != "" {
			errs = append(errs, cityops.Invalid("lat", "lat and long are required: this city does not geocode address_string or address_id"))
		} else {
			errs = append(errs, cityops.Invalid("lat", "a location is required: lat and long"))
		}
	} else if f.Lat == nil || f.Long == nil {
		if !latGiven {
			errs = append(errs, cityops.Invalid("lat", "required with long"))
		}
		if !longGiven {
			errs = append(errs, cityops.Invalid("long", "required with lat"))
		}
		if len(errs) == 0 { // given but not a number: DecodeForm said so
			return Record{}, nil, errSeeForm
		}
	} else if err := s.checkPlace(*f.Lat, *f.Long); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Record{}, nil, errors.Join(errs...)
	}
	id := requestID(f)
	// Every free-text field the record keeps is masked: GET requests shows
	// the record to anyone, and a media_url often carries the caller's
	// phone or e-mail in its query.
	rec := Record{
		ID: id, Token: tokenOf(id), ServiceCode: svc.Code, ServiceName: svc.Name,
		Description: privacy.MaskText(f.Description), Address: privacy.MaskText(f.Address),
		AddressID: privacy.MaskText(f.AddressID), MediaURL: privacy.MaskURL(f.MediaURL), Lat: *f.Lat, Long: *f.Long,
	}
	caller := privacy.Caller{Name: strings.TrimSpace(f.FirstName + " " + f.LastName), Phone: f.Phone, Email: f.Email}
	if caller.Empty() {
		return rec, nil, nil
	}
	masked, err := json.Marshal(privacy.Mask(caller))
	if err != nil {
		return rec, nil, fmt.Errorf("encoding masked caller: %w", err)
	}
	headers := []kafka.Header{{Key: HeaderCallerMasked, Value: masked}}
	if s.cfg.Sealer != nil {
		sealed, err := s.cfg.Sealer.Seal(id, caller)
		if err != nil {
			return rec, nil, err
		}
		headers = append(headers, kafka.Header{Key: HeaderCallerSealed, Value: sealed})
		if s.cfg.KeepSealed != nil {
			if err := s.cfg.KeepSealed(ctx, id, sealed); err != nil {
				return rec, nil, fmt.Errorf("%w: keeping the sealed caller: %v", errUnavailable, err)
			}
		}
	}
	return rec, headers, nil
}

// checkPlace checks a location as the event's validation will, so that a
// place outside the city is answered with the form's other errors.
func (s *Server) checkPlace(lat, long float64) error {
	if s.cfg.Validator == nil {
		return nil
	}
	_, err := s.cfg.Validator.Check(&ingest.EventRequest{ID: "311-place", Source: string(cityops.SourceHotline), Type: "open311:place",
		Text: "place", Lat: &lat, Lon: &long, Time: s.cfg.Now().UTC().Format(time.RFC3339)})
	var fe *cityops.FieldError
	if errors.As(err, &fe) && fe.Field == "lon" {
		fe.Field = "long"
	}
	return err
}

// publish validates the request as an event and writes it to the raw
// events topic.
func (s *Server) publish(r *http.Request, f Form, rec *Record, headers []kafka.Header) error {
	text := rec.ServiceName
	if rec.Description != "" {
		text += ": " + rec.Description
	}
	lat, lon := rec.Lat, rec.Long
	now := s.cfg.Now().UTC()
	ev, err := s.cfg.Validator.Check(&ingest.EventRequest{
		ID: rec.ID, Source: string(cityops.SourceHotline), Type: "open311:" + rec.ServiceCode,
		Text: text, Lat: &lat, Lon: &lon, Time: now.Format("2006-01-02T15:04:05.999999999Z07:00"),
	})
	if err != nil {
		var fe *cityops.FieldError
		if errors.As(err, &fe) && fe.Field == "lon" {
			fe.Field = "long"
		}
		return err
	}
	rec.Requested = ev.Time
	v, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding event: %w", err)
	}
	if err := s.cfg.Publish(r.Context(), kafka.Message{Key: []byte(ev.ID), Value: v, Headers: headers}); err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	return nil
}

// requestID derives a request's id from its api key and form, so that a
// client that sends the same request again (after a timeout, say) gets the
// same id and the city one incident.
func requestID(f Form) string {
	sum := sha256.Sum256([]byte(f.Values.Encode())) // Encode sorts by key
	return "311-" + hex.EncodeToString(sum[:10])
}

// tokenOf is the token of a request id.
func tokenOf(id string) string {
	sum := sha256.Sum256([]byte("token:" + id))
	return "tok-" + hex.EncodeToString(sum[:10])
}
