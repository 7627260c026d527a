package taskapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

func TestAPI(t *testing.T) {
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
	svc := tasks.New(tasks.Config{Machine: &lifecycle.Machine{MaxReturns: 2}, Policy: policy, Center: "center",
		Transitions: tw.WriteMessages, Changes: cw.WriteMessages})
	tk := taskapi.NewTokens(pack.Departments)
	var mu sync.Mutex
	var audits []taskapi.AuditRecord
	api, err := taskapi.New(taskapi.Config{Service: svc, Tokens: tk, Audit: func(_ context.Context, r taskapi.AuditRecord) {
		mu.Lock()
		audits = append(audits, r)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range api.Routes() {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	do := func(method, path, token, body string, want int) map[string]any {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, srv.URL+path, bytes.NewBufferString(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %v, want %d", method, path, resp.StatusCode, out, want)
		}
		return out
	}
	water, jj, center := tk.Departments["water"], tk.Departments["jj"], tk.Center

	// Until the log is replayed nothing is served.
	do("GET", "/api/v1/tasks", water, "", 503)
	do("POST", "/api/v1/tasks/INC-a/accept", water, "", 503)
	if _, err := svc.Load(ctx, brokers, tasks.Topic); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, d := range []string{"water", "jj", "water"} {
		inc := cityops.Incident{ID: "INC-" + string(rune('a'+i)), Status: cityops.StatusDispatched, Category: "0111",
			DepartmentID: d, AreaID: "d1-s2", DistrictID: "d1", Reported: now.Add(time.Duration(i) * time.Minute), Updated: now, Version: 1}
		if err := svc.Adopt(ctx, inc); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		method, path, token, body string
		want                      int
	}{
		{"GET", "/api/v1/tasks", "", "", 401},
		{"GET", "/api/v1/tasks", "wrong", "", 401},
		{"GET", "/api/v1/tasks/INC-b", water, "", 404}, // jj's: answered as if it did not exist
		{"GET", "/api/v1/tasks?department=jj", water, "", 403},
		{"POST", "/api/v1/tasks/INC-b/accept", water, "", 404},
		{"GET", "/api/v1/tasks/INC-zzz", water, "", 404},
		{"POST", "/api/v1/tasks/INC-a/fly", water, "", 404},
		{"GET", "/api/v1/tasks?limit=x", water, "", 400},
		{"POST", "/api/v1/tasks/INC-a/accept", water, `{"bogus":1}`, 400},
		{"POST", "/api/v1/tasks/INC-a/accept", water, "", 200},
		{"POST", "/api/v1/tasks/INC-a/accept", water, "", 409},
		{"POST", "/api/v1/tasks/INC-a/note", water, `{"note":"pumps on site"}`, 200},
		{"POST", "/api/v1/tasks/INC-a/resolve", water, `{}`, 400},
		{"POST", "/api/v1/tasks/INC-a/resolve", water, `{"evidence":["https://photos/1.jpg"],"note":"drained"}`, 200},
		{"POST", "/api/v1/tasks/INC-a/verify", water, `{"pass":true}`, 403},
		{"POST", "/api/v1/tasks/INC-a/verify", center, `{"pass":false,"reason":"still_flooded"}`, 200},
		{"POST", "/api/v1/tasks/INC-a/resolve", water, `{"evidence":["https://photos/2.jpg"]}`, 200},
		{"POST", "/api/v1/tasks/INC-a/verify", center, `{"pass":true}`, 200},
		{"POST", "/api/v1/tasks/INC-c/return", water, `{"reason":"nope"}`, 400},
		{"POST", "/api/v1/tasks/INC-c/return", water, `{"reason":"wrong_location"}`, 200},
		{"POST", "/api/v1/tasks/INC-c/dispatch", center, `{"department":"jj"}`, 200},
		{"POST", "/api/v1/tasks/INC-c/extend", center, `{"hours":2}`, 200},
		{"POST", "/api/v1/tasks/INC-b/accept", jj, "", 200},
	} {
		do(tc.method, tc.path, tc.token, tc.body, tc.want)
	}
	a := do("GET", "/api/v1/tasks/INC-a", center, "", 200)
	if a["status"] != "closed" || a["reworks"].(float64) != 1 || a["version"].(float64) != 9 {
		t.Errorf("INC-a: status %v reworks %v version %v", a["status"], a["reworks"], a["version"])
	}
	list := do("GET", "/api/v1/tasks?limit=1", jj, "", 200)
	if list["total"].(float64) != 2 || len(list["tasks"].([]any)) != 1 {
		t.Errorf("jj's list: %v", list)
	}
	if got := do("GET", "/api/v1/tasks?open=true", center, "", 200)["total"]; got.(float64) != 2 {
		t.Errorf("open tasks: %v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	// Both 404s for INC-b, the one for INC-zzz, the list of jj's tasks and
	// the verify are audited.
	if len(audits) != 5 || audits[0].Actor != "dept:water" || audits[0].Incident != "INC-b" || audits[2].Incident != "INC-b" ||
		audits[3].Incident != "INC-zzz" || audits[3].Reason != "no such task" {
		t.Errorf("audits: %+v", audits)
	}
}
