package history

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
)

// Prefix is where Handler serves.
const Prefix = "/api/v1/history/"

// queryTimeout bounds one planner query.
const queryTimeout = 30 * time.Second

// Handler serves the planner queries over s:
//
//	GET /api/v1/history/heatmap       incidents by H3 cell (res 5, 7 or 9)
//	GET /api/v1/history/trends        incidents per hour, day or week by category, area or district
//	GET /api/v1/history/departments   closure, on-time, returns, rework, time to accept and close
//	GET /api/v1/history/hotspots      cells with complaints of one category in many weeks
//	GET /api/v1/history/devices       every device's last minute of readings (the live map's colours)
//	GET /api/v1/history/readings      a device's series, or an area's of one metric (see series.go)
//	GET /api/v1/history/incidents/{id}/transitions   the audit trail of one incident
//
// Each answers JSON {"columns": [...], "rows": [[...], ...]}, or CSV with
// ?format=csv. Mount it at "GET /api/v1/history/". now gives the end of the
// default range; nil means time.Now. access says who may ask what (see
// Access): a request without a known bearer token is answered 401 before
// anything else is looked at.
func Handler(s *store.Store, log *slog.Logger, now func() time.Time, access Access) http.Handler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.HandleFunc("GET "+Prefix+r.name, func(w http.ResponseWriter, req *http.Request) {
			at := now()
			serve(w, req, s, log, r.tables, func(l layout) (query, error) {
				v, err := parseQuery(req.URL.RawQuery)
				if err != nil {
					return query{}, err
				}
				return build(s.Database(), r.name, v, at, l)
			})
		})
	}
	mux.HandleFunc("GET "+Prefix+"incidents/{id}/transitions", func(w http.ResponseWriter, req *http.Request) {
		id := req.PathValue("id")
		serveTransitions(w, req, s, log, access, id, func(layout) (query, error) {
			v, err := parseQuery(req.URL.RawQuery)
			if err != nil {
				return query{}, err
			}
			p, err := newParams(v, now())
			if err != nil {
				return query{}, err
			}
			return buildTransitions(s.Database(), id, p)
		})
	})
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusNotFound, "no such history query; see /api/v1/history/{heatmap,trends,departments,hotspots,devices,readings,incidents/ID/transitions}")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, ok := access.caller(req)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cityops"`)
			writeError(w, http.StatusUnauthorized, "the history needs a known token: Authorization: Bearer <token>")
			return
		}
		mux.ServeHTTP(w, req.WithContext(withCaller(req.Context(), c)))
	})
}

// noIncident is the answer for an incident that does not exist and for one
// whose audit trail the caller may not read: the same, so that ids cannot
// be probed.
const noIncident = "no such incident"

// serveTransitions serves the audit trail of incident id to a caller who may
// read it, and 404 to anyone else and for an incident without one.
func serveTransitions(w http.ResponseWriter, req *http.Request, s *store.Store, log *slog.Logger, access Access, id string, mk func(layout) (query, error)) {
	format, ok := checkRequest(w, req, mk)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), queryTimeout)
	defer cancel()
	if c := callerOf(ctx); !c.seesEvery() {
		lead, found, err := leadOf(ctx, s, id)
		if err != nil {
			log.Error("history query failed", "path", req.URL.Path, "err", err)
			writeError(w, http.StatusServiceUnavailable, "the history store did not answer; try again")
			return
		}
		if !found || !access.member(ctx, c.Department, lead, id) {
			writeError(w, http.StatusNotFound, noIncident)
			return
		}
	}
	t, err := answer(ctx, s, nil, mk)
	if err != nil {
		log.Error("history query failed", "path", req.URL.Path, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the history store did not answer; try again")
		return
	}
	if len(t.Rows) == 0 {
		writeError(w, http.StatusNotFound, noIncident)
		return
	}
	writeTable(w, req, log, format, t)
}

// leadOf returns the department that owns incident id now: that of its
// latest row in incidents, or, when it has none yet, of its latest
// transition. found is false when neither knows the incident. Both are
// always asked, so that an incident of another department and a missing one
// take the same time to refuse.
func leadOf(ctx context.Context, s *store.Store, id string) (lead string, found bool, err error) {
	for _, q := range leadQueries(s.Database(), id) {
		t, err := run(ctx, s, q)
		if err != nil {
			return "", false, err
		}
		if len(t.Rows) > 0 && !found {
			lead, _ = t.Rows[0][0].(string)
			found = true
		}
	}
	return lead, found, nil
}

// checkRequest checks the format and every parameter before ClickHouse is
// asked anything, answering 400 when one is unusable. It returns the format.
func checkRequest(w http.ResponseWriter, req *http.Request, mk func(layout) (query, error)) (string, bool) {
	v, _ := parseQuery(req.URL.RawQuery) // mk reports a malformed query
	format := v.Get("format")
	if format != "" && format != "json" && format != "csv" {
		writeError(w, http.StatusBadRequest, cityops.Invalid("format", "%q: want json or csv", truncate(format)).Error())
		return "", false
	}
	if _, err := mk(nil); err != nil {
		var fe *cityops.FieldError
		if errors.As(err, &fe) {
			writeError(w, http.StatusBadRequest, fe.Error())
			return "", false
		}
		writeError(w, http.StatusInternalServerError, "building the query failed")
		return "", false
	}
	return format, true
}

func serve(w http.ResponseWriter, req *http.Request, s *store.Store, log *slog.Logger, tables []string, mk func(layout) (query, error)) {
	format, ok := checkRequest(w, req, mk)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), queryTimeout)
	defer cancel()
	var headers map[string]string // of the query that answered
	t, err := answer(ctx, s, tables, func(l layout) (query, error) {
		q, err := mk(l)
		headers = q.headers
		return q, err
	})
	if err != nil {
		log.Error("history query failed", "path", req.URL.Path, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the history store did not answer; try again")
		return
	}
	for k, v := range headers {
		w.Header().Set(k, v)
	}
	writeTable(w, req, log, format, t)
}

// writeTable writes t as CSV or JSON.
func writeTable(w http.ResponseWriter, req *http.Request, log *slog.Logger, format string, t *table) {
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+exportName(req)+`.csv"`)
		if err := t.writeCSV(w); err != nil {
			log.Warn("writing csv", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := t.writeJSON(w); err != nil {
		log.Warn("writing json", "err", err)
	}
}

// tries is how often answer reads settled months plainly before it falls back
// to FINAL everywhere: a try fails only when a part was merged or written in
// a settled month while the query ran.
const tries = 3

// answer runs the query that mk builds for the parts of tables as they are
// now, reading settled months without FINAL. When the parts changed while
// the query ran, a plain read may have seen a repeat or missed a month, so it
// tries again; after tries attempts it reads everything with FINAL.
func answer(ctx context.Context, s *store.Store, tables []string, mk func(layout) (query, error)) (*table, error) {
	if len(tables) > 0 {
		for range tries {
			before, err := readLayout(ctx, s, tables)
			if err != nil {
				return nil, err
			}
			q, err := mk(before)
			if err != nil {
				return nil, err
			}
			t, err := run(ctx, s, q)
			if err != nil {
				return nil, err
			}
			after, err := readLayout(ctx, s, tables)
			if err != nil {
				return nil, err
			}
			if before.same(after) {
				return t, nil
			}
		}
	}
	q, err := mk(nil)
	if err != nil {
		return nil, err
	}
	return run(ctx, s, q)
}

// exportName is the CSV file's name: the query's name, or "transitions".
func exportName(req *http.Request) string {
	for _, r := range routes {
		if req.URL.Path == Prefix+r.name {
			return r.name
		}
	}
	return "transitions"
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
