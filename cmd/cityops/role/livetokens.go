package role

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io/fs"
	"log/slog"

	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/store/history"
	"github.com/cityops/cityops/web"
)

// caller is who a token of the task API's tokens file names: the center, an
// inspector or a department.
type caller struct {
	center     bool
	inspector  string
	department string
}

// callers are the tokens of a tokens file, by their hashes.
type callers []struct {
	hash [32]byte
	who  caller
}

// readCallers reads the task API's tokens file, which also opens the live
// map's views and the history API. Without a file (no dispatch role has
// written one yet) it returns nil, which knows no token. Empty tokens open
// nothing.
func readCallers(path string, log *slog.Logger) (callers, error) {
	if path == "" {
		return nil, nil
	}
	tk, err := taskapi.ReadTokens(path)
	if errors.Is(err, fs.ErrNotExist) {
		log.Warn("no tokens file: the live map serves the public view only, and the history API refuses every request", "tokens", path)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cs callers
	add := func(token string, who caller) {
		if token != "" {
			cs = append(cs, struct {
				hash [32]byte
				who  caller
			}{sha256.Sum256([]byte(token)), who})
		}
	}
	add(tk.Center, caller{center: true})
	for id, t := range tk.Inspectors {
		add(t, caller{inspector: id})
	}
	for dept, t := range tk.Departments {
		add(t, caller{department: dept})
	}
	return cs, nil
}

// find returns who token names. It compares every token, in constant time.
func (cs callers) find(token string) (caller, bool) {
	h := sha256.Sum256([]byte(token))
	var found caller
	hit := 0
	for _, c := range cs {
		if subtle.ConstantTimeCompare(h[:], c.hash[:]) == 1 {
			found, hit = c.who, 1
		}
	}
	return found, hit == 1
}

// live returns the live map's token check: the center's token opens the
// center view, an inspector's the inspector view (every incident), a
// department's that department's view. Nil when there are no tokens.
func (cs callers) live() web.Authenticate {
	if cs == nil {
		return nil
	}
	return func(token string) (web.View, bool) {
		c, ok := cs.find(token)
		switch {
		case !ok:
			return web.View{}, false
		case c.center:
			return web.View{Role: web.RoleCenter}, true
		case c.inspector != "":
			return web.View{Role: web.RoleInspector, Inspector: c.inspector}, true
		}
		return web.View{Role: web.RoleDepartment, Department: c.department}, true
	}
}

// history returns the history API's token check; nil, which refuses every
// request, when there are no tokens.
func (cs callers) history() func(string) (history.Caller, bool) {
	if cs == nil {
		return nil
	}
	return func(token string) (history.Caller, bool) {
		c, ok := cs.find(token)
		if !ok {
			return history.Caller{}, false
		}
		return history.Caller{Center: c.center, Inspector: c.inspector, Department: c.department}, true
	}
}

// liveTokens returns the live map's token check over the tokens file at
// path (see readCallers and callers.live).
func liveTokens(path string, log *slog.Logger) (web.Authenticate, error) {
	cs, err := readCallers(path, log)
	if err != nil {
		return nil, err
	}
	return cs.live(), nil
}
