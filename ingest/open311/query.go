package open311

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops"
)

// Query limits, as the specification sets them.
const (
	maxSpan     = 90 * 24 * time.Hour
	maxResults  = 1000 // the largest page_size
	defaultPage = 50   // page_size when none is given
	maxPage     = 100_000
	maxIDsAsked = 50 // each one not in memory is read from the store: bound what one public GET costs
)

// serviceRequest is one item of GET requests.
type serviceRequest struct {
	XMLName           xml.Name `xml:"request" json:"-"`
	ID                string   `xml:"service_request_id" json:"service_request_id"`
	Status            string   `xml:"status" json:"status"`
	StatusNotes       string   `xml:"status_notes,omitempty" json:"status_notes,omitempty"`
	ServiceName       string   `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       string   `xml:"description,omitempty" json:"description,omitempty"`
	AgencyResponsible string   `xml:"agency_responsible,omitempty" json:"agency_responsible,omitempty"`
	ServiceNotice     string   `xml:"service_notice,omitempty" json:"service_notice,omitempty"`
	Requested         string   `xml:"requested_datetime" json:"requested_datetime"`
	Updated           string   `xml:"updated_datetime,omitempty" json:"updated_datetime,omitempty"`
	Expected          string   `xml:"expected_datetime,omitempty" json:"expected_datetime,omitempty"`
	Address           string   `xml:"address,omitempty" json:"address,omitempty"`
	AddressID         string   `xml:"address_id,omitempty" json:"address_id,omitempty"`
	Lat               float64  `xml:"lat" json:"lat"`
	Long              float64  `xml:"long" json:"long"`
	MediaURL          string   `xml:"media_url,omitempty" json:"media_url,omitempty"`
}

// view joins a record with the pipeline's status of it.
func (s *Server) view(r *http.Request, rec Record) serviceRequest {
	sr := serviceRequest{
		ID: rec.ID, Status: "open", ServiceName: rec.ServiceName, ServiceCode: rec.ServiceCode,
		Description: rec.Description, Requested: rec.Requested.Format(time.RFC3339),
		Address: rec.Address, AddressID: rec.AddressID, Lat: rec.Lat, Long: rec.Long, MediaURL: rec.MediaURL,
	}
	st, ok := s.cfg.Status(r.Context(), rec.ID)
	if !ok {
		return sr
	}
	if !st.Open {
		sr.Status = "closed"
	}
	sr.AgencyResponsible, sr.StatusNotes = st.Agency, st.Notes
	if !st.Updated.IsZero() {
		sr.Updated = st.Updated.UTC().Format(time.RFC3339)
	}
	if !st.Expected.IsZero() {
		sr.Expected = st.Expected.UTC().Format(time.RFC3339)
	}
	return sr
}

// serveRequest serves GET requests/{id}.fmt: from the store when the
// endpoint has one (a request just created here and not stored yet comes
// from this process's records).
func (s *Server) serveRequest(w http.ResponseWriter, r *http.Request) {
	id, format, ok := s.resource(w, r)
	if !ok {
		return
	}
	if s.cfg.Find != nil {
		m, err := s.cfg.Find(r.Context(), []string{id})
		if err != nil {
			fail(w, format, errStore(err))
			return
		}
		if st, ok := m[id]; ok {
			write(w, format, http.StatusOK, "service_requests", []serviceRequest{s.storedView(st, s.language(r))})
			return
		}
		rec, ok := s.cfg.Records.Get(id) // created here, not stored yet
		if !ok {
			fail(w, format, notFound("service_request_id %q is unknown", id))
			return
		}
		write(w, format, http.StatusOK, "service_requests", []serviceRequest{s.view(r, rec)})
		return
	}
	rec, ok := s.find(r.Context(), id)
	if !ok {
		fail(w, format, notFound("service_request_id %q is unknown", id))
		return
	}
	write(w, format, http.StatusOK, "service_requests", []serviceRequest{s.view(r, rec)})
}

// tokenAnswer is one item of GET tokens/{token}.
type tokenAnswer struct {
	XMLName xml.Name `xml:"request" json:"-"`
	ID      string   `xml:"service_request_id" json:"service_request_id"`
	Token   string   `xml:"token" json:"token"`
}

// serveToken serves GET tokens/{token}.fmt.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	tok, format, ok := s.resource(w, r)
	if !ok {
		return
	}
	id, ok := s.cfg.Records.ByToken(tok)
	if !ok && s.cfg.Token != nil {
		var err error
		if id, ok, err = s.cfg.Token(r.Context(), tok); err != nil {
			fail(w, format, errStore(err))
			return
		}
	}
	if !ok {
		fail(w, format, notFound("token %q is unknown", tok))
		return
	}
	write(w, format, http.StatusOK, "service_requests", []tokenAnswer{{ID: id, Token: tok}})
}

// serveQuery serves GET requests.fmt with its filters, checking every
// argument and answering every error at once.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, format string) {
	q := r.URL.Query()
	var errs []error
	statuses, err := statusFilter(q.Get("status"))
	errs = append(errs, err)
	page, size, err := paging(q)
	errs = append(errs, err)
	ids := commaList(q.Get("service_request_id"))
	if len(ids) > maxIDsAsked {
		errs = append(errs, cityops.Invalid("service_request_id", "more than %d ids", maxIDsAsked))
	}
	var from, to time.Time
	if len(ids) == 0 {
		from, to, err = s.span(q)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		fail(w, format, err)
		return
	}
	if s.cfg.List != nil && s.cfg.Find != nil {
		s.serveStoredQuery(w, r, format, storedQuery{ids: ids, statuses: statuses, from: from, to: to, page: page, size: size})
		return
	}
	var recs []Record
	if len(ids) > 0 {
		recs = s.findAll(r.Context(), ids) // the id list overrides every other filter
		statuses = nil
	} else {
		recs = s.cfg.Records.Between(from, to, commaList(q.Get("service_code")))
	}
	out := []serviceRequest{}
	skip := (page - 1) * size
	for _, rec := range recs {
		sr := s.view(r, rec)
		if statuses != nil && !statuses[sr.Status] {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(out) == size {
			break
		}
		out = append(out, sr)
	}
	write(w, format, http.StatusOK, "service_requests", out)
}

type storedQuery struct {
	ids        []string
	statuses   map[string]bool
	from, to   time.Time
	page, size int
}

// serveStoredQuery answers GET requests.fmt from the store: an id list
// with one read by id, anything else one page of the list the filters
// select, in the store's order (newest first), the same on every replica.
func (s *Server) serveStoredQuery(w http.ResponseWriter, r *http.Request, format string, sq storedQuery) {
	lang := s.language(r)
	out := []serviceRequest{}
	if len(sq.ids) > 0 { // the id list overrides every other filter
		m, err := s.cfg.Find(r.Context(), sq.ids)
		if err != nil {
			fail(w, format, errStore(err))
			return
		}
		seen := map[string]bool{}
		var missing []string
		for _, id := range sq.ids {
			if _, ok := m[id]; !ok && !seen[id] {
				missing = append(missing, id)
			}
			seen[id] = true
		}
		local := map[string]Record{}
		for _, id := range missing { // created here, not stored yet
			if rec, ok := s.cfg.Records.Get(id); ok {
				local[id] = rec
			}
		}
		seen = map[string]bool{}
		for _, id := range sq.ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if st, ok := m[id]; ok {
				out = append(out, s.storedView(st, lang))
			} else if rec, ok := local[id]; ok {
				out = append(out, s.view(r, rec))
			}
		}
		write(w, format, http.StatusOK, "service_requests", out)
		return
	}
	q := Query{Codes: commaList(r.URL.Query().Get("service_code")), From: sq.from, To: sq.to,
		Open: sq.statuses["open"], Closed: sq.statuses["closed"], Offset: (sq.page - 1) * sq.size, Limit: sq.size}
	page, err := s.cfg.List(r.Context(), q)
	if err != nil {
		fail(w, format, errStore(err))
		return
	}
	for _, st := range page {
		out = append(out, s.storedView(st, lang))
	}
	write(w, format, http.StatusOK, "service_requests", out)
}

// span reads start_date and end_date: at most 90 days apart, the last 90
// days when neither is given.
func (s *Server) span(q url.Values) (from, to time.Time, err error) {
	parse := func(name string) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return t, cityops.Invalid(name, "%q is not a W3C datetime with a time zone", v)
		}
		return t, nil
	}
	if from, err = parse("start_date"); err != nil {
		return
	}
	if to, err = parse("end_date"); err != nil {
		return
	}
	switch {
	case from.IsZero() && to.IsZero():
		to = s.cfg.Now()
		from = to.Add(-maxSpan)
	case from.IsZero():
		from = to.Add(-maxSpan)
	case to.IsZero():
		to = from.Add(maxSpan)
	}
	switch {
	case to.Before(from):
		err = cityops.Invalid("end_date", "is before start_date")
	case to.Sub(from) > maxSpan:
		err = cityops.Invalid("end_date", "more than 90 days after start_date")
	}
	return
}

// statusFilter reads status: open, closed or both; nil means any.
func statusFilter(v string) (map[string]bool, error) {
	ss := commaList(v)
	if len(ss) == 0 {
		return nil, nil
	}
	m := map[string]bool{}
	for _, s := range ss {
		if s != "open" && s != "closed" {
			return nil, cityops.Invalid("status", "%q is not open or closed", s)
		}
		m[s] = true
	}
	return m, nil
}

// paging reads the widely implemented page and page_size extension:
// pages of 50 unless page_size says otherwise, at most 1000.
func paging(q url.Values) (page, size int, err error) {
	page, size = 1, defaultPage
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > maxPage {
			return 0, 0, cityops.Invalid("page", "must be between 1 and %d", maxPage)
		}
	}
	if v := q.Get("page_size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > maxResults {
			return 0, 0, cityops.Invalid("page_size", "must be between 1 and %d", maxResults)
		}
	}
	return page, size, nil
}

// commaList splits a comma-separated argument, dropping empty items.
func commaList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
