package role

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/store/history"
	"github.com/cityops/cityops/web"
)

func TestLiveTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	tk := taskapi.Tokens{Center: "c-token", Inspectors: map[string]string{"insp-1": "i-token", "blank": ""},
		Departments: map[string]string{"water": "w-token", "empty": ""}}
	if err := tk.Write(path); err != nil {
		t.Fatal(err)
	}
	auth, err := liveTokens(path, slog.New(slog.DiscardHandler))
	if err != nil || auth == nil {
		t.Fatalf("liveTokens: %v", err)
	}
	tests := []struct {
		token string
		want  web.View
		ok    bool
	}{
		{"c-token", web.View{Role: web.RoleCenter}, true},
		{"w-token", web.View{Role: web.RoleDepartment, Department: "water"}, true},
		{"i-token", web.View{Role: web.RoleInspector, Inspector: "insp-1"}, true},
		{"", web.View{}, false}, // an empty department token opens nothing
		{"c-token ", web.View{}, false},
		{"guess", web.View{}, false},
	}
	for _, tt := range tests {
		if got, ok := auth(tt.token); got != tt.want || ok != tt.ok {
			t.Errorf("auth(%q) = %+v, %v; want %+v, %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}

	cs, err := readCallers(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hist := cs.history()
	for token, want := range map[string]history.Caller{
		"c-token": {Center: true}, "i-token": {Inspector: "insp-1"}, "w-token": {Department: "water"},
	} {
		if got, ok := hist(token); !ok || got != want {
			t.Errorf("history(%q) = %+v, %v; want %+v", token, got, ok, want)
		}
	}
	for _, token := range []string{"", "guess", "c-token "} {
		if got, ok := hist(token); ok {
			t.Errorf("history(%q) = %+v, want refused", token, got)
		}
	}

	// Without a file the live map is public only, and the history closed.
	if cs, err := readCallers(filepath.Join(t.TempDir(), "missing.json"), slog.New(slog.DiscardHandler)); err != nil || cs.history() != nil || cs.live() != nil {
		t.Errorf("missing file: got a token check, err %v; want none", err)
	}
	auth, err = liveTokens(filepath.Join(t.TempDir(), "missing.json"), slog.New(slog.DiscardHandler))
	if err != nil || auth != nil {
		t.Errorf("missing file: got %v, err %v; want no token check", auth != nil, err)
	}
}
