package web

import (
	"net/http"
	"net/url"
	"strings"
)

// originChecker allows websocket upgrades from the server's own host and from
// the configured origins. A request without an Origin header does not come
// from a browser page and is allowed.
func originChecker(allowed []string) func(r *http.Request) bool {
	ok := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		ok[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return func(r *http.Request) bool {
		o := r.Header.Get("Origin")
		if o == "" {
			return true
		}
		u, err := url.Parse(o)
		if err != nil || u.Host == "" {
			return false
		}
		return strings.EqualFold(u.Host, r.Host) || ok[strings.ToLower(u.Scheme+"://"+u.Host)]
	}
}
