package history

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// Caller is who a request's bearer token names.
type Caller struct {
	Center     bool   // the operations center
	Inspector  string // an inspector's id
	Department string // a department's id
}

// seesEvery reports whether the caller may read the audit trail of every
// incident: the center and inspectors.
func (c Caller) seesEvery() bool { return c.Center || c.Inspector != "" }

// Access says who may read the history.
//
// Every query needs a bearer token that Caller knows (else 401). The audit
// trail of an incident (incidents/{id}/transitions), which names people and
// holds free-text reasons, is served to the center and inspectors, and to
// the department that owns the incident now (its latest department_id) or
// cooperates on it; anyone else is answered 404, as for an incident that
// does not exist, so ids cannot be probed.
type Access struct {
	// Caller returns who token names, and false for a token it does not
	// know. Nil knows no token: every request is refused. It must be safe
	// for concurrent use and should compare tokens in constant time.
	Caller func(token string) (Caller, bool)
	// Cooperating returns the departments that cooperate on the incident
	// with id, as far as the process knows them (the dispatcher's tasks);
	// nil knows none, and only the owner among departments is served.
	Cooperating func(ctx context.Context, incidentID string) []string
}

// caller returns who the request's bearer token names.
func (a Access) caller(r *http.Request) (Caller, bool) {
	if a.Caller == nil {
		return Caller{}, false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok = strings.TrimSpace(tok); !ok || tok == "" {
		return Caller{}, false
	}
	c, ok := a.Caller(tok)
	if !ok || !c.Center && c.Inspector == "" && c.Department == "" {
		return Caller{}, false
	}
	return c, true
}

// member reports whether dept owns the incident (lead is its department
// now) or cooperates on it.
func (a Access) member(ctx context.Context, dept, lead, incidentID string) bool {
	if dept == lead {
		return true
	}
	return a.Cooperating != nil && slices.Contains(a.Cooperating(ctx, incidentID), dept)
}

type callerKey struct{}

func withCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

func callerOf(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}
