package taskapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/tasks"
)

// The headers of a request forwarded to the replica that holds the task.
const (
	HeaderOwner     = "X-Cityops-Owner"     // on the answer: the base URL of the replica that took the step
	HeaderForwarded = "X-Cityops-Forwarded" // on the forwarded request: it is not forwarded again
)

// elsewhere serves a request about a task this replica does not hold by
// forwarding it to the replica that does, signed for actor (see Sign)
// instead of with the caller's token, and passes the answer back with
// X-Cityops-Owner naming that replica. While the
// partition moves and nobody holds it (or the request was forwarded here
// already), it answers 503 with Retry-After and the partition; when the
// owner cannot be reached, 502 naming the owner.
func (a *API) elsewhere(w http.ResponseWriter, r *http.Request, actor lifecycle.Actor, id string) {
	p := a.svc.Partition(id)
	owner, ok := "", false
	// A request forwarded once already is not forwarded again, so that
	// two replicas that disagree on the owner cannot pass it back and forth;
	// intake's, which reached this replica through the service, may take
	// the one hop to the owner.
	if from := r.Header.Get(HeaderForwarded); a.owners != nil && (from == "" || from == FromIntake) {
		owner, ok = a.owners.Owner(p)
	}
	target, err := url.Parse(owner)
	if !ok || owner == a.owners.Self() || err != nil {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"error": fmt.Sprintf("task %s is in partition %d, which is moving between replicas; try again", id, p), "partition": p})
		return
	}
	raw, rerr := readBody(w, r)
	if rerr != nil {
		writeError(w, rerr.code, rerr.msg)
		return
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			Sign(pr.Out, raw, a.secret, Forward{From: a.owners.Self(), To: owner, Actor: actor, Time: time.Now()})
		},
		Transport: a.client.Transport,
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set(HeaderOwner, owner)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set(HeaderOwner, owner)
			writeJSON(w, http.StatusBadGateway, map[string]any{
				"error": fmt.Sprintf("task %s is held by the replica at %s, which did not answer: %v", id, owner, err), "owner": owner, "partition": p})
		},
	}
	proxy.ServeHTTP(w, r)
}

// listAll lists the tasks of every replica: its own, and those the other
// replicas answer for the same filter with scope=local, asked for actor
// with a signed request (see Sign), merged in the list's order. A replica that does not answer fails
// the request rather than give a page with holes.
func (a *API) listAll(w http.ResponseWriter, r *http.Request, actor lifecycle.Actor, f tasks.Filter) {
	want := min(f.Offset+max(f.Limit, 0), 1000)
	if f.Limit == 0 {
		want = min(f.Offset+50, 1000)
	}
	local := f
	local.Offset, local.Limit = 0, want
	page, total := a.svc.List(local)
	views := make([]taskView, len(page))
	for i, t := range page {
		views[i] = a.view(t)
	}
	for _, peer := range a.owners.Peers() {
		q := r.URL.Query()
		q.Set("scope", "local")
		q.Set("offset", "0")
		q.Set("limit", strconv.Itoa(want))
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, strings.TrimSuffix(peer, "/")+r.URL.Path+"?"+q.Encode(), nil)
		if err != nil {
			writeError(w, http.StatusBadGateway, "listing the tasks of "+peer+": "+err.Error())
			return
		}
		Sign(req, nil, a.secret, Forward{From: a.owners.Self(), To: peer, Actor: actor, Time: time.Now()})
		resp, err := a.client.Do(req)
		if err != nil {
			writeError(w, http.StatusBadGateway, "listing the tasks of "+peer+": "+err.Error())
			return
		}
		var out struct {
			Tasks []taskView `json:"tasks"`
			Total int        `json:"total"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			writeError(w, http.StatusBadGateway, fmt.Sprintf("listing the tasks of %s: %s %v", peer, resp.Status, err))
			return
		}
		views = append(views, out.Tasks...)
		total += out.Total
	}
	slices.SortFunc(views, func(x, y taskView) int {
		if c := y.Reported.Compare(x.Reported); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	if f.Offset >= len(views) {
		views = nil
	} else {
		views = views[f.Offset:min(len(views), f.Offset+limit)]
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": views, "total": total, "offset": f.Offset, "limit": len(views)})
}
