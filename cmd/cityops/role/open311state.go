package role

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/ingest/open311"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
)

// The Open311 endpoint's durable state: every GET of requests reads the
// store (store.Requests, store.RequestsByID), with the incident each request
// founded or was merged into and that incident's steps, so that every
// replica answers alike, before and after a restart.

// storedRequestList reads a page of requests from the store.
func storedRequestList(s *store.Store) open311.ListFunc {
	return func(ctx context.Context, q open311.Query) ([]open311.Stored, error) {
		rs, err := s.Requests(ctx, store.RequestFilter{From: q.From, To: q.To, Codes: q.Codes,
			Open: q.Open, Closed: q.Closed, Offset: q.Offset, Limit: q.Limit})
		if err != nil {
			return nil, err
		}
		return withSteps(ctx, s, rs)
	}
}

// storedRequestsByID reads requests by id from the store.
func storedRequestsByID(s *store.Store) open311.FindFunc {
	return func(ctx context.Context, ids []string) (map[string]open311.Stored, error) {
		var asked []string
		for _, id := range ids {
			if strings.HasPrefix(id, "311-") {
				asked = append(asked, id)
			}
		}
		m, err := s.RequestsByID(ctx, asked)
		if err != nil {
			return nil, err
		}
		rs := make([]store.Request, 0, len(m))
		for _, r := range m {
			rs = append(rs, r)
		}
		sts, err := withSteps(ctx, s, rs)
		if err != nil {
			return nil, err
		}
		out := make(map[string]open311.Stored, len(sts))
		for _, st := range sts {
			out[st.ID] = st
		}
		return out, nil
	}
}

// withSteps turns stored requests into the endpoint's, with the steps of
// their incidents read in one query.
func withSteps(ctx context.Context, s *store.Store, rs []store.Request) ([]open311.Stored, error) {
	var incs []string
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Known && !seen[r.IncidentID] {
			seen[r.IncidentID] = true
			incs = append(incs, r.IncidentID)
		}
	}
	steps, err := s.Steps(ctx, incs)
	if err != nil {
		return nil, err
	}
	out := make([]open311.Stored, 0, len(rs))
	for _, r := range rs {
		_, desc, _ := strings.Cut(r.Text, ": ")
		st := open311.Stored{
			Record:   open311.Record{ID: r.ID, ServiceCode: r.ServiceCode, Description: desc, Lat: r.Lat, Long: r.Lon, Requested: r.Requested},
			Incident: r.IncidentID, Known: r.Known, State: r.Status, Agency: r.DepartmentID,
			Updated: r.Updated, Expected: r.Deadline,
		}
		for _, x := range steps[r.IncidentID] {
			st.Steps = append(st.Steps, open311.Step{Action: x.Action, To: x.To, Agency: x.Department,
				Reason: x.Reason, Note: x.Note, Time: x.Time})
		}
		out = append(out, st)
	}
	return out, nil
}

// agencies names the pack's departments for Open311 answers.
func agencies(p *rules.Pack) map[string]open311.Agency {
	m := make(map[string]open311.Agency, len(p.Departments))
	for _, d := range p.Departments {
		m[d.ID] = open311.Agency{Name: d.Name, NameEN: d.NameEN}
	}
	return m
}

// locale is the pack's first language.
func locale(p *rules.Pack) string {
	if len(p.Languages) > 0 {
		return p.Languages[0]
	}
	return ""
}

// citizenFeedback hands a citizen's Open311 rating to the dispatcher as the
// center's callback: POST /api/v1/tasks/{incident}/feedback with channel
// web, signed with the cluster secret the dispatch replicas share, in the
// form a replica forwards a request it authenticated (taskapi.Sign). So
// every write path stays authenticated: the citizen proves an Open311
// api_key to intake, intake vouches to the dispatcher with the secret, and
// no center token is handed to intake. The request is signed to no replica
// in particular, so base may be the dispatchers' service: the replica that
// answers forwards it to the one that holds the task. Bases are tried in
// turn while one cannot be reached or answers 5xx.
func citizenFeedback(bases []string, secret []byte, client *http.Client) open311.FeedbackFunc {
	return func(ctx context.Context, fb open311.Feedback) error {
		body, err := json.Marshal(map[string]string{"result": fb.Result, "comment": fb.Comment, "channel": "web"})
		if err != nil {
			return err
		}
		var last error
		for _, base := range bases {
			base = strings.TrimSuffix(strings.TrimSpace(base), "/")
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/tasks/"+url.PathEscape(fb.Incident)+"/feedback", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			taskapi.Sign(req, body, secret, taskapi.Forward{From: taskapi.FromIntake, Actor: lifecycle.Actor{Center: true}, Time: time.Now()})
			resp, err := client.Do(req)
			if err != nil {
				last = err
				continue
			}
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			var e struct {
				Error string `json:"error"`
			}
			_ = json.Unmarshal(msg, &e)
			switch {
			case resp.StatusCode/100 == 2:
				return nil
			case resp.StatusCode == http.StatusConflict:
				return fmt.Errorf("%w: %s", cityops.ErrConflict, e.Error)
			case resp.StatusCode == http.StatusNotFound:
				return fmt.Errorf("%w: service request %s: the city has no task for it (%s)", cityops.ErrNotFound, fb.RequestID, e.Error)
			case resp.StatusCode == http.StatusBadRequest:
				field, text, ok := strings.Cut(e.Error, ": ")
				if !ok {
					field, text = "result", e.Error
				}
				return cityops.Invalid(field, "%s", text)
			}
			last = fmt.Errorf("the dispatcher at %s answered %d: %s", base, resp.StatusCode, e.Error)
		}
		if last == nil {
			last = errors.New("no dispatcher is configured")
		}
		return last
	}
}
