package role

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/geo"
)

// TestDepartmentFigures drives real tasks of the water authority through
// the tasks API and reads its figures back from the planners' department
// endpoint, which computes them from what the dispatcher recorded:
//
//   - flood A is accepted, returned, re-dispatched, accepted again,
//     resolved, fails verification, is resolved again and closed on time;
//   - flood B is accepted and resolved, then closed after its 6-hour
//     deadline (the dispatcher's clock is moved 7 hours on);
//   - flood C stays open.
//
// So the water authority has 3 incidents, 2 closed (closure 2/3), 1 of them
// on time (1/2), 1 reworked (1/3) and 1 return.
func TestDepartmentFigures(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_dept_figures"}})
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	tokensPath := filepath.Join(t.TempDir(), "tokens.json")
	o.Tokens = tokensPath // which also open the history API
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	reg := newRegistry()
	d, err := newDispatcher(ctx, o, pack, DispatchFiles{now: now}, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	tk, err := taskapi.ReadTokens(tokensPath)
	if err != nil {
		t.Fatal(err)
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
	start := time.Now()
	for i, area := range []string{"d1-s2", "d2-s1", "d3-s3"} {
		p := roletest.PointIn(t, areas, area)
		roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":"flood-%c","source":"hotline","type":"complaint","text":"路口积水很深","lat":%v,"lon":%v,"time":"%s"}`,
			'a'+i, p[0], p[1], start.Format(time.RFC3339)), http.StatusAccepted)
	}
	call := func(path, token, body string, want int) map[string]any {
		t.Helper()
		method := "POST"
		if body == "GET" {
			method, body = "GET", ""
		}
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
	water, center := tk.Departments["water"], tk.Center
	roletest.WaitFor(t, 30*time.Second, func() error {
		if n := call("/api/v1/tasks", water, "GET", http.StatusOK)["total"].(float64); n != 3 {
			return fmt.Errorf("the water authority has %v tasks, want 3", n)
		}
		return nil
	})
	const a, b = "/api/v1/tasks/INC-t:flood-a/", "/api/v1/tasks/INC-t:flood-b/"
	call(a+"accept", water, "", http.StatusOK)
	call(a+"return", water, `{"reason":"wrong_location","note":"the drain is the district's"}`, http.StatusOK)
	call(a+"dispatch", center, `{"department":"water"}`, http.StatusOK)
	call(a+"accept", water, "", http.StatusOK)
	call(a+"start", water, "", http.StatusOK)
	call(a+"resolve", water, `{"evidence":["photo://a1.jpg"]}`, http.StatusOK)
	call(a+"verify", center, `{"pass":false,"reason":"still_flooded"}`, http.StatusOK)
	call(a+"resolve", water, `{"evidence":["photo://a2.jpg"]}`, http.StatusOK)
	if got := call(a+"verify", center, `{"pass":true}`, http.StatusOK); got["status"] != "closed" {
		t.Fatalf("flood A after verification: %v", got["status"])
	}
	call(b+"accept", water, "", http.StatusOK)
	call(b+"resolve", water, `{"evidence":["photo://b.jpg"]}`, http.StatusOK)
	skew.Store(int64(7 * time.Hour)) // past flood B's 6-hour deadline
	if got := call(b+"verify", center, `{"pass":true}`, http.StatusOK); got["status"] != "closed" {
		t.Fatalf("flood B after verification: %v", got["status"])
	}

	q := fmt.Sprintf("%s/api/v1/history/departments?department=water&from=%s&to=%s", base,
		start.Add(-time.Hour).UTC().Format(time.RFC3339), start.Add(24*time.Hour).UTC().Format(time.RFC3339))
	want := map[string]float64{"incidents": 3, "closed": 2, "closed_on_time": 1, "closure_rate": 2.0 / 3,
		"on_time_rate": 0.5, "returns": 1, "reworked": 1, "rework_rate": 1.0 / 3}
	roletest.WaitFor(t, 40*time.Second, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, q, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+center)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var tab struct {
			Columns []string `json:"columns"`
			Rows    [][]any  `json:"rows"`
			Error   string   `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&tab); err != nil {
			return err
		}
		if len(tab.Rows) != 1 {
			return fmt.Errorf("%d rows %s", len(tab.Rows), tab.Error)
		}
		got := map[string]any{}
		for i, c := range tab.Columns {
			got[c] = tab.Rows[0][i]
		}
		var bad []string
		for k, w := range want {
			v, ok := got[k].(float64)
			if !ok || math.Abs(v-w) > 1e-9 {
				bad = append(bad, fmt.Sprintf("%s=%v want %v", k, got[k], w))
			}
		}
		if len(bad) > 0 {
			return fmt.Errorf("water's figures: %s", strings.Join(bad, ", "))
		}
		return nil
	})
}
