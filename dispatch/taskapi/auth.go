package taskapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/cityops/cityops/dispatch/lifecycle"
)

// AuditRecord is a refused attempt.
type AuditRecord struct {
	Time     time.Time `json:"time"`
	Actor    string    `json:"actor"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Incident string    `json:"incident,omitempty"`
	Reason   string    `json:"reason"`
	Remote   string    `json:"remote"`
}

// Audit files an audit record.
type Audit func(ctx context.Context, rec AuditRecord)

type principal struct {
	hash  [32]byte
	actor lifecycle.Actor
}

type authenticator []principal

func newAuthenticator(tk Tokens) authenticator {
	a := authenticator{{sha256.Sum256([]byte(tk.Center)), lifecycle.Actor{Center: true}}}
	for d, t := range tk.Departments {
		a = append(a, principal{sha256.Sum256([]byte(t)), lifecycle.Actor{Department: d}})
	}
	for id, t := range tk.Inspectors {
		a = append(a, principal{sha256.Sum256([]byte(t)), lifecycle.Actor{Inspector: id}})
	}
	return a
}

// actor returns who the request's bearer token names. Every token is
// compared in constant time.
func (a authenticator) actor(r *http.Request) (lifecycle.Actor, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return lifecycle.Actor{}, false
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	var found lifecycle.Actor
	hit := 0
	for _, p := range a {
		if subtle.ConstantTimeCompare(h[:], p.hash[:]) == 1 {
			found, hit = p.actor, 1
		}
	}
	return found, hit == 1
}
