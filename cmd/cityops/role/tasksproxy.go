package role

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/cityops/cityops/dispatch/taskapi"
)

// tasksProxy returns the routes through which a web server alone serves
// the tasks API of the dispatchers at bases (comma-separated base URLs), so
// that the inbox, the pages and the API share one origin behind one load
// balancer. Any dispatcher will do: a replica forwards a request for a task
// it does not hold to the one that does. Requests go to the dispatchers in
// turn, and to the next one when a dispatcher cannot be reached, so a
// dispatcher that is down costs nothing but the attempt. Tokens pass through
// untouched; the dispatchers check them.
func tasksProxy(bases string, log *slog.Logger) (map[string]http.Handler, error) {
	if strings.TrimSpace(bases) == "" {
		return nil, nil
	}
	var targets []*url.URL
	for _, base := range strings.Split(bases, ",") {
		base = strings.TrimSpace(base)
		u, err := url.Parse(base)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			return nil, fmt.Errorf("--tasks %q: want the base URLs of the dispatchers' tasks API, such as http://dispatch:8081", base)
		case strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "":
			return nil, fmt.Errorf("--tasks %q: give the dispatchers' base URLs without a path", base)
		}
		targets = append(targets, u)
	}
	p := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetXForwarded() },
		Transport: &failover{targets: targets, next: http.DefaultTransport},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			status, msg := http.StatusBadGateway, "the tasks API is unreachable; try again"
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				status, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", taskapi.MaxBody)
			} else {
				log.Warn("tasks API unreachable", "path", r.URL.Path, "err", err)
				w.Header().Set("Retry-After", "2")
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, "{\"error\":%q}\n", msg)
		},
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, taskapi.MaxBody)
		p.ServeHTTP(w, r)
	})
	return map[string]http.Handler{"/api/v1/tasks": h, "/api/v1/tasks/": h, "/api/v1/matrix/": h}, nil
}

// failover sends each request to the targets in turn, starting with the
// one after the last it started with, and moves on when a target cannot be
// dialled: such a request never reached it, so sending it again is safe.
type failover struct {
	targets []*url.URL
	next    http.RoundTripper
	turn    atomic.Uint64
}

func (f *failover) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
	}
	start := f.turn.Add(1)
	var errs []error
	for i := range f.targets {
		u := f.targets[(start+uint64(i))%uint64(len(f.targets))]
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host, out.Host = u.Scheme, u.Host, ""
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
		resp, err := f.next.RoundTrip(out)
		if err == nil {
			return resp, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", u.Host, err))
		if op, ok := errors.AsType[*net.OpError](err); !ok || op.Op != "dial" {
			break // it may have reached the dispatcher: not sent twice
		}
	}
	return nil, errors.Join(errs...)
}
