package taskapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/rules"
)

// TestRoles checks what a cooperating department and an inspector may do:
// the cooperating department sees the task and adds notes, nothing else; the
// inspector sees every task and verifies, nothing else. Every refusal is a
// 403 with an audit record.
func TestRoles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	if err := bus.EnsureTopics(ctx, brokers, 1, tasks.Topic, bus.TopicIncidentChanges); err != nil {
		t.Fatal(err)
	}
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	policy, err := sla.Load(demo.City(), pack.Location, pack.Categories)
	if err != nil {
		t.Fatal(err)
	}
	tw, cw := bus.NewWriter(brokers, tasks.Topic), bus.NewWriter(brokers, bus.TopicIncidentChanges)
	defer tw.Close()
	defer cw.Close()
	svc := tasks.New(tasks.Config{Machine: &lifecycle.Machine{}, Policy: policy, Center: "center",
		Transitions: tw.WriteMessages, Changes: cw.WriteMessages})
	svc.SetReady()
	tk := taskapi.NewTokens(pack.Departments)
	var mu sync.Mutex
	var audits []string
	api, err := taskapi.New(taskapi.Config{Service: svc, Tokens: tk, Audit: func(_ context.Context, r taskapi.AuditRecord) {
		mu.Lock()
		audits = append(audits, r.Actor+" "+r.Method+" "+r.Path)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range api.Routes() {
		mux.Handle(p, h)
	}
	mux.Handle("GET /center-only", api.CenterOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	now := time.Now()
	for _, inc := range []cityops.Incident{
		{ID: "INC-flood", DepartmentID: "water", Cooperating: []string{"zjw"}},
		{ID: "INC-parking", DepartmentID: "jj"},
	} {
		inc.Status, inc.Category, inc.AreaID, inc.DistrictID, inc.Reported, inc.Updated, inc.Version =
			cityops.StatusDispatched, "0111", "d1-s2", "d1", now, now, 1
		if err := svc.Adopt(ctx, inc); err != nil {
			t.Fatal(err)
		}
	}
	zjw, water, insp := tk.Departments["zjw"], tk.Departments["water"], tk.Inspectors[taskapi.DefaultInspector]
	if insp == "" {
		t.Fatal("NewTokens made no inspector token")
	}
	for _, tc := range []struct {
		who, method, path, body string
		want                    int
		total                   float64 // of a list, when > 0
	}{
		{"zjw", "GET", "/api/v1/tasks", "", 200, 1},
		{"zjw", "GET", "/api/v1/tasks/INC-flood", "", 200, 0},
		{"zjw", "GET", "/api/v1/tasks/INC-parking", "", 404, 0},
		{"zjw", "POST", "/api/v1/tasks/INC-flood/accept", "", 403, 0},
		{"zjw", "POST", "/api/v1/tasks/INC-flood/return", `{"reason":"not_responsible"}`, 403, 0},
		{"zjw", "POST", "/api/v1/tasks/INC-flood/note", `{"note":"road closed at both ends"}`, 200, 0},
		{"water", "POST", "/api/v1/tasks/INC-flood/accept", "", 200, 0},
		{"zjw", "POST", "/api/v1/tasks/INC-flood/resolve", `{"evidence":["photo://x"]}`, 403, 0},
		{"water", "POST", "/api/v1/tasks/INC-flood/resolve", `{"evidence":["photo://1"]}`, 200, 0},
		{"inspector", "GET", "/api/v1/tasks", "", 200, 2},
		{"inspector", "GET", "/api/v1/tasks/INC-parking", "", 200, 0},
		{"inspector", "POST", "/api/v1/tasks/INC-parking/accept", "", 403, 0},
		{"inspector", "POST", "/api/v1/tasks/INC-flood/note", `{"note":"x"}`, 403, 0},
		{"inspector", "POST", "/api/v1/tasks/INC-parking/dispatch", `{"department":"water"}`, 403, 0},
		{"inspector", "POST", "/api/v1/tasks/INC-parking/verify", `{"pass":true}`, 409, 0}, // not resolved
		{"inspector", "POST", "/api/v1/tasks/INC-flood/verify", `{"pass":false,"reason":"still_flooded"}`, 200, 0},
		{"water", "POST", "/api/v1/tasks/INC-flood/resolve", `{"evidence":["photo://2"]}`, 200, 0},
		{"zjw", "POST", "/api/v1/tasks/INC-flood/verify", `{"pass":true}`, 403, 0},
		{"inspector", "POST", "/api/v1/tasks/INC-flood/verify", `{"pass":true}`, 200, 0},
		{"inspector", "GET", "/center-only", "", 403, 0},
		{"center", "GET", "/center-only", "", 200, 0},
	} {
		token := map[string]string{"zjw": zjw, "water": water, "inspector": insp, "center": tk.Center}[tc.who]
		req, _ := http.NewRequestWithContext(ctx, tc.method, srv.URL+tc.path, bytes.NewBufferString(tc.body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("%s %s %s: %d %v, want %d", tc.who, tc.method, tc.path, resp.StatusCode, out, tc.want)
		}
		if tc.total > 0 && out["total"] != tc.total {
			t.Errorf("%s %s: total %v, want %v", tc.who, tc.path, out["total"], tc.total)
		}
	}
	flood, _ := svc.Get("INC-flood")
	if flood.Status != cityops.StatusClosed || flood.Reworks != 1 || flood.DepartmentID != "water" {
		t.Errorf("INC-flood: %s, %d reworks, owner %s", flood.Status, flood.Reworks, flood.DepartmentID)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"dept:zjw GET /api/v1/tasks/INC-parking",
		"dept:zjw POST /api/v1/tasks/INC-flood/accept",
		"dept:zjw POST /api/v1/tasks/INC-flood/return",
		"dept:zjw POST /api/v1/tasks/INC-flood/resolve",
		"inspector:inspector-1 POST /api/v1/tasks/INC-parking/accept",
		"inspector:inspector-1 POST /api/v1/tasks/INC-flood/note",
		"inspector:inspector-1 POST /api/v1/tasks/INC-parking/dispatch",
		"dept:zjw POST /api/v1/tasks/INC-flood/verify",
		"inspector:inspector-1 GET /center-only",
	}
	if got := strings.Join(audits, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("audits:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
