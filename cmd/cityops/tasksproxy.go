package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// tasksProxy returns the routes through which a web server alone serves
// the tasks API of the dispatchers at base, so that the inbox, the pages
// and the API share one origin behind one load balancer. Any dispatcher
// will do: a replica forwards a request for a task it does not hold to
// the one that does. Tokens pass through untouched; the dispatchers check
// them.
func tasksProxy(base string, log *slog.Logger) (map[string]http.Handler, error) {
	if base == "" {
		return nil, nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--tasks %q: want the base URL of the dispatchers' tasks API, such as http://dispatch:8080", base)
	}
	p := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Warn("tasks API unreachable", "url", u.Redacted(), "path", r.URL.Path, "err", err)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "{\"error\":%q}\n", "the tasks API is unreachable; try again")
		},
	}
	routes := map[string]http.Handler{}
	for _, pattern := range []string{"/api/v1/tasks", "/api/v1/tasks/", "/api/v1/matrix/"} {
		routes[pattern] = p
	}
	if strings.TrimSuffix(u.Path, "/") != "" {
		return nil, fmt.Errorf("--tasks %q: give the dispatchers' base URL without a path", base)
	}
	return routes, nil
}
