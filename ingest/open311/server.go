package open311

import (
	"context"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/privacy"
)

// Status is where a request stands, as the pipeline knows it.
type Status struct {
	Open     bool      // false once the incident is closed or cancelled
	Agency   string    // the department responsible
	Notes    string    // status_notes
	Updated  time.Time // last change; the close time when closed
	Expected time.Time // the deadline, when there is one
	Incident string    // the incident's id, when the lookup knows it
}

// StatusFunc looks up the state of the incident a request raised, by the
// request's id (the event id). ok=false means the pipeline has not got to it
// yet; the request is then reported open with no agency.
type StatusFunc func(ctx context.Context, eventID string) (s Status, ok bool)

// LookupFunc finds a request that is not in this process's records: one
// created by another replica, or before a restart, read back from the
// store. The record's ServiceName may be empty; the catalogue fills it.
type LookupFunc func(ctx context.Context, id string) (Record, bool)

// LookupManyFunc finds many requests that are not in this process's records
// at once, with one read of the store; the answer holds the ones found.
type LookupManyFunc func(ctx context.Context, ids []string) map[string]Record

// KeepFunc makes a sealed caller durable, keyed by the request's id, before
// the request is published.
type KeepFunc func(ctx context.Context, id string, sealed []byte) error

// Config is what the endpoint serves and where it sends requests.
type Config struct {
	Categories   []cityops.Category     // the services
	Attributes   map[string][]Attribute // extra attributes by service code, optional
	Jurisdiction string                 // when set, another non-empty jurisdiction_id is 404
	APIKeys      map[string]bool        // keys allowed to create requests
	Validator    *ingest.Validator
	Publish      bus.Publish
	Status       StatusFunc         // nil reports every request open
	Records      *Records           // nil makes a new one
	Lookup       LookupFunc         // finds requests this process did not create; optional
	LookupMany   LookupManyFunc     // finds many of them in one read; optional (Lookup one by one without it)
	IDs          *ingest.IDs        // the ids intake stored, over restarts and replicas; nil: this process's records only
	PublishIDs   bus.Publish        // keeps new ids on bus.TopicIntakeIDs; optional
	Limiter      *ingest.KeyLimiter // per api key; nil means no limit
	Sealer       *privacy.Sealer    // seals callers; nil drops the originals after masking
	KeepSealed   KeepFunc           // keeps sealed callers for the authorized endpoint; optional
	Now          func() time.Time

	// Durable state. With List and Find every GET of requests answers from
	// the store: the same on every replica and after a restart. Without
	// them it answers from Records, Lookup and Status.
	List     ListFunc          // pages of requests by date, service and status
	Find     FindFunc          // requests by id
	Token    TokenFunc         // the request id of a token
	Agencies map[string]Agency // department names for agency_responsible and status_notes
	Locale   string            // the language of status notes when the request names none (zh, en, zh-CN, ...)

	// Feedback takes a citizen's rating of a request; nil answers 404 to
	// POST requests/{id}/feedback.
	Feedback FeedbackFunc

	// The discovery document's contact and key service; BaseURL is the
	// endpoint's public URL (without /open311), else the request's host.
	Contact    string
	KeyService string
	BaseURL    string
	Changeset  time.Time
}

// Server is the Open311 endpoint.
type Server struct {
	cfg Config
	cat *catalogue
}

// New returns an endpoint serving cfg.
func New(cfg Config) *Server {
	if cfg.Records == nil {
		cfg.Records = NewRecords()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Status == nil {
		cfg.Status = func(context.Context, string) (Status, bool) { return Status{}, false }
	}
	return &Server{cfg: cfg, cat: newCatalogue(cfg.Categories, cfg.Attributes)}
}

// Records returns the requests the endpoint created.
func (s *Server) Records() *Records { return s.cfg.Records }

// Routes returns the endpoint's routes under prefix (normally
// "/open311/v2"), as patterns for an http.ServeMux.
func (s *Server) Routes(prefix string) map[string]http.Handler {
	root := path.Dir(prefix) // /open311
	return map[string]http.Handler{
		"GET " + prefix + "/{file}":                http.HandlerFunc(s.serveList),
		"POST " + prefix + "/{file}":               http.HandlerFunc(s.serveCreate),
		"GET " + prefix + "/services/{file}":       http.HandlerFunc(s.serveDefinition),
		"GET " + prefix + "/requests/{file}":       http.HandlerFunc(s.serveRequest),
		"GET " + prefix + "/tokens/{file}":         http.HandlerFunc(s.serveToken),
		"POST " + prefix + "/requests/{id}/{file}": http.HandlerFunc(s.serveFeedback),
		"GET " + root + "/{file}":                  http.HandlerFunc(s.serveDiscovery),
		prefix + "/{file}":                         notAllowed("GET, HEAD, POST"),
		prefix + "/services/{file}":                notAllowed("GET, HEAD"),
		prefix + "/requests/{file}":                notAllowed("GET, HEAD"),
		prefix + "/tokens/{file}":                  notAllowed("GET, HEAD"),
		prefix + "/requests/{id}/{file}":           notAllowed("POST"),
		root + "/{file}":                           notAllowed("GET, HEAD"),
	}
}

// notAllowed answers a method the resource does not take with 405 in the
// specification's error format, naming the methods it takes in Allow.
func notAllowed(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, format, _ := splitFormat(r.PathValue("file"))
		w.Header().Set("Allow", allow)
		writeErrors(w, format, http.StatusMethodNotAllowed,
			apiError{Code: http.StatusMethodNotAllowed, Description: r.Method + " is not allowed here; use " + allow})
	})
}

// Handler returns the routes on a mux of their own, for tests and benchmarks.
func (s *Server) Handler(prefix string) http.Handler {
	mux := http.NewServeMux()
	for p, h := range s.Routes(prefix) {
		mux.Handle(p, h)
	}
	return mux
}

// resource splits a GET request's {file} into its name and format and checks
// its jurisdiction_id. When either is wrong it has answered with the error
// and ok is false.
func (s *Server) resource(w http.ResponseWriter, r *http.Request) (name, f string, ok bool) {
	name, f, ok = splitFormat(r.PathValue("file"))
	if !ok {
		writeErrors(w, formatXML, http.StatusNotFound, apiError{Code: 404, Description: "unknown resource; use a .xml or .json extension"})
		return "", f, false
	}
	if err := s.jurisdiction(r.URL.Query().Get("jurisdiction_id")); err != nil {
		fail(w, f, err)
		return "", f, false
	}
	return name, f, true
}

// jurisdiction checks the jurisdiction_id argument.
func (s *Server) jurisdiction(got string) error {
	if got != "" && s.cfg.Jurisdiction != "" && got != s.cfg.Jurisdiction {
		return notFound("jurisdiction_id %q is not served here", got)
	}
	return nil
}

// serveList routes GET services.fmt and GET requests.fmt.
func (s *Server) serveList(w http.ResponseWriter, r *http.Request) {
	base, format, ok := s.resource(w, r)
	if !ok {
		return
	}
	switch base {
	case "services":
		write(w, format, http.StatusOK, "services", s.cat.list)
	case "requests":
		s.serveQuery(w, r, format)
	default:
		writeErrors(w, format, http.StatusNotFound, apiError{Code: 404, Description: "unknown resource " + base})
	}
}

// serveDefinition serves GET services/{code}.fmt.
func (s *Server) serveDefinition(w http.ResponseWriter, r *http.Request) {
	code, format, ok := s.resource(w, r)
	if !ok {
		return
	}
	if _, ok := s.cat.byID[code]; !ok {
		fail(w, format, notFound("service_code %q is not a service of this city", code))
		return
	}
	def, ok := s.cat.defs[code]
	if !ok {
		def = Definition{Code: code, Attributes: []Attribute{}}
	}
	writeOne(w, format, def)
}

// find returns the request with id from the records, or else from Lookup.
func (s *Server) find(ctx context.Context, id string) (Record, bool) {
	if rec, ok := s.cfg.Records.Get(id); ok {
		return rec, true
	}
	if s.cfg.Lookup == nil {
		return Record{}, false
	}
	rec, ok := s.cfg.Lookup(ctx, id)
	if !ok {
		return rec, false
	}
	return s.fill(rec), true
}

// fill completes a record read from the store.
func (s *Server) fill(rec Record) Record {
	if svc, known := s.cat.byID[rec.ServiceCode]; known && rec.ServiceName == "" {
		rec.ServiceName = svc.Name
	}
	if rec.Token == "" {
		rec.Token = tokenOf(rec.ID)
	}
	return rec
}

// findAll returns the requests with ids, in their order, from the records
// and then with one LookupMany (or Lookup for each, without it).
func (s *Server) findAll(ctx context.Context, ids []string) []Record {
	found := map[string]Record{}
	var missing []string
	for _, id := range ids {
		if rec, ok := s.cfg.Records.Get(id); ok {
			found[id] = rec
		} else if strings.HasPrefix(id, ingest.PrefixOpen311) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 && s.cfg.LookupMany != nil {
		for id, rec := range s.cfg.LookupMany(ctx, missing) {
			found[id] = s.fill(rec)
		}
	} else {
		for _, id := range missing {
			if rec, ok := s.find(ctx, id); ok {
				found[id] = rec
			}
		}
	}
	out := make([]Record, 0, len(found))
	seen := map[string]bool{}
	for _, id := range ids {
		if rec, ok := found[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, rec)
		}
	}
	return out
}
