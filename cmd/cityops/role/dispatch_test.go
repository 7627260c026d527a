package role

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/dispatch/feed"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/webhook"
	"github.com/cityops/cityops/geo"
	"github.com/segmentio/kafka-go"
)

// TestTaskLoop runs the pipeline with the dispatcher as dev wires it: an
// event posted to intake becomes a task of the water authority, which
// accepts, starts and resolves it through the tasks API; the center
// verifies it, and ClickHouse ends up with the closed incident.
func TestTaskLoop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_tasks"}})
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	tokensPath := filepath.Join(t.TempDir(), "tokens.json")
	o.Tokens = tokensPath // which also open the history API
	// The water authority takes webhooks too.
	var mu sync.Mutex
	var hooked []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var del webhook.Delivery
		if r.Header.Get(webhook.HeaderSignature) != webhook.Sign("water-secret", body) || json.Unmarshal(body, &del) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		hooked = append(hooked, del.Transition.Action)
		mu.Unlock()
	}))
	defer hook.Close()
	hooksPath := filepath.Join(t.TempDir(), "webhooks.json")
	if err := os.WriteFile(hooksPath, []byte(`{"water": {"url": "`+hook.URL+`", "secret": "water-secret"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	reg := newRegistry()
	d, err := newDispatcher(ctx, o, pack, DispatchFiles{Webhooks: hooksPath, Feeds: true}, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() }) // after the roles stop: cleanups run last-registered first
	tk, err := taskapi.ReadTokens(tokensPath)
	if err != nil || tk.Center == "" || tk.Departments["water"] == "" {
		t.Fatalf("tokens.json: %v %+v", err, tk)
	}

	e.run(ctx, t,
		func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) },
		func(ctx context.Context) error { return sink(ctx, o, s, log) },
		d.Run,
		func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, reg, log, d.Routes()) },
	)
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")

	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := roletest.PointIn(t, areas, "d1-s2")
	roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":"loop-water","source":"iot","type":"water_level","value":0.5,"unit":"m","device_id":"water-001","lat":%v,"lon":%v,"time":"%s"}`,
		p[0], p[1], time.Now().Format(time.RFC3339)), http.StatusAccepted)

	call := func(method, path, token, body string, want int) map[string]any {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
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
	water := tk.Departments["water"]
	roletest.WaitFor(t, 30*time.Second, func() error {
		if call("GET", "/api/v1/tasks", water, "", http.StatusOK)["total"].(float64) != 1 {
			return fmt.Errorf("the water authority has no task yet")
		}
		return nil
	})
	const id = "INC-" + roletest.IntakeName + ":loop-water"
	call("GET", "/api/v1/tasks/"+id, tk.Departments["jj"], "", http.StatusNotFound) // another department's task is no task to it
	call("POST", "/api/v1/tasks/"+id+"/accept", water, "", http.StatusOK)
	call("POST", "/api/v1/tasks/"+id+"/start", water, "", http.StatusOK)
	call("POST", "/api/v1/tasks/"+id+"/resolve", water, `{"evidence":["photo://after.jpg"],"note":"pumped out"}`, http.StatusOK)
	got := call("POST", "/api/v1/tasks/"+id+"/verify", tk.Center, `{"pass":true}`, http.StatusOK)
	if got["status"] != "closed" {
		t.Fatalf("after verification: %v", got["status"])
	}
	version := uint64(got["version"].(float64))

	roletest.WaitFor(t, 30*time.Second, func() error {
		inc, err := s.Incident(ctx, id)
		if err != nil {
			return err
		}
		if inc.Status != cityops.StatusClosed || inc.Version != version {
			return fmt.Errorf("stored incident is %s version %d, want closed version %d", inc.Status, inc.Version, version)
		}
		return nil
	})
	// The audit trail reaches ClickHouse, and planners read it back in order.
	trailURL := base + "/api/v1/history/incidents/" + id + "/transitions"
	getTrail := func(token string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, trailURL, nil)
		if err != nil {
			return nil, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return http.DefaultClient.Do(req)
	}
	roletest.WaitFor(t, 30*time.Second, func() error {
		resp, err := getTrail(tk.Center)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var trail struct {
			Columns []string `json:"columns"`
			Rows    [][]any  `json:"rows"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&trail); err != nil {
			return err
		}
		col := slices.Index(trail.Columns, "to_status")
		if col < 0 {
			return fmt.Errorf("the trail has no to_status column: %v", trail.Columns)
		}
		var to []string
		for _, row := range trail.Rows {
			to = append(to, fmt.Sprint(row[col]))
		}
		if got, want := strings.Join(to, " "), "dispatched accepted in_progress resolved verified closed"; got != want {
			return fmt.Errorf("stored trail goes %q, want %q", got, want)
		}
		return nil
	})
	// Who may read it: the owner too; no one without a token; another
	// department gets the answer of an incident that does not exist.
	for _, tt := range []struct {
		who, token string
		code       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"unknown token", "guess", http.StatusUnauthorized},
		{"the owner", water, http.StatusOK},
		{"another department", tk.Departments["jj"], http.StatusNotFound},
	} {
		resp, err := getTrail(tt.token)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.code {
			t.Errorf("the trail for %s: status %d, want %d", tt.who, resp.StatusCode, tt.code)
		}
	}
	metrics, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(metrics.Body)
	metrics.Body.Close()
	if !strings.Contains(string(text), `cityops_task_closure_ratio{area="d2",department="water"} 1`) { // water-001 is in d2 by the registry
		t.Errorf("/metrics has no closure ratio of the water authority")
	}
	want := "adopt accept start resolve verify close"
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: o.Brokers(), Topic: feed.Topic("water"), GroupID: "test-feed", StartOffset: kafka.FirstOffset})
	defer r.Close()
	var fed []string
	for len(fed) < 6 {
		rctx, rcancel := context.WithTimeout(ctx, 20*time.Second)
		m, err := r.ReadMessage(rctx)
		rcancel()
		if err != nil {
			t.Fatalf("reading the water authority's feed after %v: %v", fed, err)
		}
		var rec feed.Record
		if err := json.Unmarshal(m.Value, &rec); err != nil {
			t.Fatal(err)
		}
		fed = append(fed, rec.Transition.Action)
	}
	if got := strings.Join(fed, " "); got != want {
		t.Errorf("feed %q, want %q", got, want)
	}
	roletest.WaitFor(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if got := strings.Join(hooked, " "); got != want {
			return fmt.Errorf("webhooks delivered %q, want %q", got, want)
		}
		return nil
	})
}
