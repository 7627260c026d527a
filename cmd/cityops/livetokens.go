package main

import (
	"crypto/subtle"
	"errors"
	"io/fs"
	"log/slog"

	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/web"
)

// liveTokens returns the live map's token check over the task API's tokens
// file: the center's token opens the center view, a department's token that
// department's view. Without a file (no dispatch role has written one yet)
// every live client gets the public view.
func liveTokens(path string, log *slog.Logger) (web.Authenticate, error) {
	if path == "" {
		return nil, nil
	}
	tk, err := taskapi.ReadTokens(path)
	if errors.Is(err, fs.ErrNotExist) {
		log.Warn("no tokens file: the live map serves the public view only", "tokens", path)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return func(token string) (web.View, bool) {
		if tk.Center != "" && subtle.ConstantTimeCompare([]byte(token), []byte(tk.Center)) == 1 {
			return web.View{Role: web.RoleCenter}, true
		}
		for dept, t := range tk.Departments {
			if t != "" && subtle.ConstantTimeCompare([]byte(token), []byte(t)) == 1 {
				return web.View{Role: web.RoleDepartment, Department: dept}, true
			}
		}
		return web.View{}, false
	}, nil
}
