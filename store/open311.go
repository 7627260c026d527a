package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops"
)

// Open311 read paths: the public GeoReport v2 endpoint of every intake
// replica answers from these, so that a list or a request reads the same on
// every replica and after a restart. Migration 0011 keeps the requests in
// open311_requests, sorted by (time, service_code, id) for lists, and in
// open311_request_ids, sorted by id for lookups.

// Open311 limits of one read.
const (
	MaxOpen311IDs  = 100  // ids of one RequestsByID
	MaxOpen311Page = 1000 // requests of one page
	// MaxStepsPerIncident is how many of an incident's latest steps Steps
	// reads: status notes tell the latest few.
	MaxStepsPerIncident = 30
)

// RequestFilter selects a page of Open311 requests.
type RequestFilter struct {
	From, To time.Time // requested within [From, To]; both required
	Codes    []string  // service codes; any when empty
	Open     bool      // only requests whose incident is open (or not yet known)
	Closed   bool      // only requests whose incident is closed or cancelled; neither or both: any
	Offset   int
	Limit    int // 1..MaxOpen311Page
}

// Request is a stored Open311 request and the incident it belongs to: the
// one it founded or the one it was merged into.
type Request struct {
	ID          string
	ServiceCode string
	Text        string // "service name: description", masked at intake
	Lat, Lon    float64
	Requested   time.Time
	IncidentID  string
	// The incident's latest state, when the store has it (Known).
	Known        bool
	Status       cityops.Status
	DepartmentID string
	Updated      time.Time
	Deadline     time.Time
}

// Step is one stored transition of an incident, as a citizen's status notes
// tell it.
type Step struct {
	Version    uint64
	Action     string
	From, To   cityops.Status
	Department string
	Reason     string
	Note       string
	Time       time.Time
}

// Requests returns a page of the Open311 requests that f selects, newest
// first (ties by id), with their incidents' state.
func (s *Store) Requests(ctx context.Context, f RequestFilter) ([]Request, error) {
	if f.From.IsZero() || f.To.IsZero() || f.To.Before(f.From) {
		return nil, fmt.Errorf("reading open311 requests: %w", cityops.Invalid("end_date", "the span is empty"))
	}
	if f.Limit < 1 || f.Limit > MaxOpen311Page || f.Offset < 0 {
		return nil, fmt.Errorf("reading open311 requests: %w", cityops.Invalid("page_size", "must be between 1 and %d", MaxOpen311Page))
	}
	query, args := requestsQuery(s.db, f)
	return s.readRequests(ctx, query, args)
}

// RequestsByID returns the stored Open311 requests with ids (at most
// MaxOpen311IDs), by id, with their incidents' state, in one query.
func (s *Store) RequestsByID(ctx context.Context, ids []string) (map[string]Request, error) {
	out := map[string]Request{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > MaxOpen311IDs {
		return nil, fmt.Errorf("reading %d open311 requests: more than %d", len(ids), MaxOpen311IDs)
	}
	query, args := requestsByIDQuery(s.db, ids)
	rs, err := s.readRequests(ctx, query, args)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if _, seen := out[r.ID]; !seen {
			out[r.ID] = r
		}
	}
	return out, nil
}

func (s *Store) readRequests(ctx context.Context, query string, args []any) ([]Request, error) {
	rows, err := s.conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading open311 requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var (
			r                 Request
			timeMs            uint64
			found             uint8
			status            string
			updated, deadline uint32
		)
		if err := rows.Scan(&r.ID, &r.ServiceCode, &timeMs, &r.Text, &r.Lat, &r.Lon, &r.IncidentID,
			&found, &status, &r.DepartmentID, &updated, &deadline); err != nil {
			return nil, fmt.Errorf("reading open311 requests: %w", err)
		}
		r.Requested = fromMilli(timeMs)
		r.Known, r.Status = found != 0, cityops.Status(status)
		if updated != 0 {
			r.Updated = time.Unix(int64(updated), 0).UTC()
		}
		if deadline != 0 {
			r.Deadline = time.Unix(int64(deadline), 0).UTC()
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading open311 requests: %w", err)
	}
	return out, nil
}

// RequestByToken returns the id of the stored Open311 request whose token
// is token (GET tokens/{token}), through the table sorted by token.
func (s *Store) RequestByToken(ctx context.Context, token string) (string, bool, error) {
	rows, err := s.conn.Query(ctx, requestByTokenQuery(s.db), token)
	if err != nil {
		return "", false, fmt.Errorf("reading an open311 token: %w", err)
	}
	defer rows.Close()
	var id string
	found := rows.Next()
	if found {
		if err := rows.Scan(&id); err != nil {
			return "", false, fmt.Errorf("reading an open311 token: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return "", false, fmt.Errorf("reading an open311 token: %w", err)
	}
	return id, found, nil
}

func requestByTokenQuery(db string) string {
	return "SELECT id FROM " + db + ".open311_request_tokens WHERE token = ? ORDER BY id LIMIT 1"
}

// Steps returns the latest MaxStepsPerIncident stored transitions of each
// incident, by incident, in the order of their versions.
func (s *Store) Steps(ctx context.Context, incidentIDs []string) (map[string][]Step, error) {
	out := map[string][]Step{}
	if len(incidentIDs) == 0 {
		return out, nil
	}
	if len(incidentIDs) > MaxOpen311Page {
		return nil, fmt.Errorf("reading the steps of %d incidents: more than %d", len(incidentIDs), MaxOpen311Page)
	}
	rows, err := s.conn.Query(ctx, stepsQuery(s.db, len(incidentIDs)), anys(incidentIDs)...)
	if err != nil {
		return nil, fmt.Errorf("reading incident steps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, from, to string
			st           Step
			timeMs       uint64
		)
		if err := rows.Scan(&id, &st.Version, &st.Action, &from, &to, &st.Department, &st.Reason, &st.Note, &timeMs); err != nil {
			return nil, fmt.Errorf("reading incident steps: %w", err)
		}
		st.From, st.To, st.Time = cityops.Status(from), cityops.Status(to), fromMilli(timeMs)
		out[id] = append(out[id], st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading incident steps: %w", err)
	}
	for _, steps := range out { // read newest first
		slices.Reverse(steps)
	}
	return out, nil
}

func anys(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// requestColumns are what both request reads return, in readRequests' order.
const requestColumns = "id, service_code, time_ms, text, lat, lon, incident_id, inc_found, inc_status, inc_department, inc_updated, inc_deadline"

// incidentStateJoin joins the latest state of the incidents that requests
// (a SELECT of incident_id) name; the incidents are looked up by their
// sorting key.
func incidentStateJoin(db, requests string) string {
	return "ANY LEFT JOIN\n(\n" +
		"    SELECT id AS incident_id, toUInt8(1) AS inc_found, CAST(status AS String) AS inc_status,\n" +
		"        CAST(department_id AS String) AS inc_department, toUInt32(updated) AS inc_updated, toUInt32(deadline) AS inc_deadline\n" +
		"    FROM " + db + ".incidents FINAL\n" +
		"    WHERE id IN (" + requests + ")\n" +
		") AS i USING incident_id"
}

// requestsQuery reads one page of a list: the span is a range of the
// sorting key's first column, the codes a filter on its second. Without a
// status filter the page is cut before the join, so that only its own
// incidents are looked up; with one, the requests of the span are joined
// and then cut.
func requestsQuery(db string, f RequestFilter) (string, []any) {
	where := "time >= toDateTime(?) AND time <= toDateTime(?)"
	args := []any{uint32(f.From.Unix()), uint32(f.To.Unix())}
	if len(f.Codes) > 0 {
		where += " AND service_code IN (" + placeholders(len(f.Codes)) + ")"
		args = append(args, anys(f.Codes)...)
	}
	order := "ORDER BY time_ms DESC, id"
	limit := "LIMIT " + strconv.Itoa(f.Offset) + ", " + strconv.Itoa(f.Limit)
	closed := "inc_status IN ('" + string(cityops.StatusClosed) + "', '" + string(cityops.StatusCancelled) + "')"
	filter := ""
	switch {
	case f.Open && !f.Closed:
		filter = "WHERE NOT (" + closed + ")\n"
	case f.Closed && !f.Open:
		filter = "WHERE " + closed + "\n"
	}
	requests := "SELECT id, service_code, time_ms, text, lat, lon, incident_id\n" +
		"    FROM " + db + ".open311_requests FINAL\n" +
		"    WHERE " + where
	if filter == "" {
		requests += "\n    " + order + "\n    " + limit
	}
	q := "SELECT " + requestColumns + "\nFROM\n(\n    " + requests + "\n) AS r\n" +
		incidentStateJoin(db, "SELECT incident_id FROM ("+requests+")") + "\n" + filter + order
	if filter != "" {
		q += "\n" + limit
	}
	return q, append(args, args...)
}

// requestsByIDQuery reads requests by id, through the table sorted by id.
func requestsByIDQuery(db string, ids []string) (string, []any) {
	where := "id IN (" + placeholders(len(ids)) + ")"
	q := "SELECT " + requestColumns + "\nFROM\n(\n" +
		"    SELECT id, service_code, time_ms, text, lat, lon, incident_id\n" +
		"    FROM " + db + ".open311_request_ids FINAL\n" +
		"    WHERE " + where + "\n) AS r\n" +
		incidentStateJoin(db, "SELECT incident_id FROM "+db+".open311_request_ids WHERE "+where) + "\n" +
		"ORDER BY id, time_ms"
	args := append(anys(ids), anys(ids)...)
	return q, args
}

// stepsQuery reads the transitions of n incidents by the sorting key's
// first column.
func stepsQuery(db string, n int) string {
	return "SELECT incident_id, version, CAST(action AS String), CAST(from_status AS String), CAST(to_status AS String),\n" +
		"    CAST(department_id AS String), reason, note, time_ms\n" +
		"FROM " + db + ".transitions FINAL\n" +
		"WHERE incident_id IN (" + placeholders(n) + ")\n" +
		"ORDER BY incident_id, version DESC\n" +
		"LIMIT " + strconv.Itoa(MaxStepsPerIncident) + " BY incident_id"
}
