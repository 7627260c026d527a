package main

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/web"
)

func TestLiveTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	tk := taskapi.Tokens{Center: "c-token", Departments: map[string]string{"water": "w-token", "empty": ""}}
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
		{"", web.View{}, false}, // an empty department token opens nothing
		{"c-token ", web.View{}, false},
		{"guess", web.View{}, false},
	}
	for _, tt := range tests {
		if got, ok := auth(tt.token); got != tt.want || ok != tt.ok {
			t.Errorf("auth(%q) = %+v, %v; want %+v, %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}

	// Without a file the live map is public only.
	auth, err = liveTokens(filepath.Join(t.TempDir(), "missing.json"), slog.New(slog.DiscardHandler))
	if err != nil || auth != nil {
		t.Errorf("missing file: got %v, err %v; want no token check", auth != nil, err)
	}
}
