package history_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/store/history"
)

func TestQueriesAnswer(t *testing.T) {
	s, srv := newServer(t, true)
	check := func(t *testing.T) {
		tests := []struct {
			path string
			want []map[string]any // the rows, by column, of the fields given
		}{
			{"heatmap?res=9&from=2026-03-01&to=2026-04-01", []map[string]any{
				{"h3": "8928308280fffff", "incidents": 3.0, "done": 2.0},
				{"h3": "892a100d2c3ffff", "incidents": 1.0, "done": 0.0},
			}},
			{"heatmap?res=7&from=2026-03-01&to=2026-04-01&category=noise&status=closed", []map[string]any{
				{"h3": "872830828ffffff", "incidents": 2.0},
			}},
			{"heatmap?res=5&source=iot&department=DEP", []map[string]any{{"incidents": 1.0}}},
			{"heatmap?from=2026-03-01&to=2026-03-02", nil},
			{"trends?bucket=week&by=category&from=2026-03-01&to=2026-04-01&category=noise", []map[string]any{
				{"bucket": "2026-03-02T00:00:00Z", "key": "noise", "incidents": 1.0},
				{"bucket": "2026-03-09T00:00:00Z", "key": "noise", "incidents": 1.0},
				{"bucket": "2026-03-16T00:00:00Z", "key": "noise", "incidents": 1.0},
			}},
			{"trends?bucket=day&by=area&from=2026-03-02&to=2026-03-04", []map[string]any{
				{"bucket": "2026-03-02T00:00:00Z", "key": "MN01", "incidents": 1.0},
				{"bucket": "2026-03-03T00:00:00Z", "key": "BK01", "incidents": 1.0},
			}},
			{"departments?from=2026-03-01&to=2026-04-01", []map[string]any{
				{"department_id": "DEP", "incidents": 1.0, "closed": 0.0, "returns": 0.0, "accept_p50_s": nil, "close_p50_s": nil},
				{"department_id": "NYPD", "incidents": 3.0, "closed": 2.0, "closed_on_time": 1.0, "on_time_rate": 0.5,
					"returns": 1.0, "reworked": 1.0, "accept_p50_s": 1800.0, "close_p50_s": 133200.0},
			}},
			{"hotspots?from=2026-03-01&to=2026-04-01", []map[string]any{
				{"h3": "8928308280fffff", "category": "noise", "weeks": 3.0, "complaints": 3.0},
			}},
			{"hotspots?from=2026-03-01&to=2026-04-01&min_weeks=4", nil},
			{"incidents/inc-2/transitions", []map[string]any{
				{"version": 2.0, "to_status": "dispatched"},
				{"version": 3.0, "from_status": "dispatched", "to_status": "registered", "reason": "not ours: street belongs to DOT"},
				{"version": 4.0}, {"version": 5.0}, {"version": 6.0},
				{"version": 7.0, "to_status": "in_progress", "time": "2026-03-11T12:00:00Z"},
				{"version": 8.0, "to_status": "closed"},
			}},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				code, a := get(t, srv, tt.path)
				if code != http.StatusOK {
					t.Fatalf("status %d: %s", code, a.Error)
				}
				got := a.records()
				if len(got) != len(tt.want) {
					t.Fatalf("%d rows, want %d:\n%v", len(got), len(tt.want), got)
				}
				for i, w := range tt.want {
					for k, v := range w {
						if got[i][k] != v {
							t.Errorf("row %d %s = %v (%T), want %v", i, k, got[i][k], got[i][k], v)
						}
					}
				}
			})
		}
	}
	t.Run("once", check)
	// A replayed batch (a crash between insert and commit) changes no answer.
	loadTestdata(t, s)
	loadTestdata(t, s)
	t.Run("after the batches were inserted three times", check)
	// Settled months are read without FINAL; a batch replayed after that
	// unsettles its months again, which are then read with FINAL.
	if _, err := s.Settle(testContext(t), 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Parts(testContext(t), "incidents"); err != nil || p.Settled[202603] == "" {
		t.Fatalf("March not settled: %v, %v", p, err)
	}
	t.Run("settled", check)
	loadTestdata(t, s)
	t.Run("replayed after settling", check)
}

func TestBadRequestsNameTheParameter(t *testing.T) {
	_, srv := newServer(t, false)
	data, err := os.ReadFile("testdata/bad_requests.txt")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		path, param, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("testdata line %q: want PATH<TAB>PARAM", line)
		}
		t.Run(path, func(t *testing.T) {
			code, a := get(t, srv, path)
			if code != http.StatusBadRequest {
				t.Fatalf("status %d (%s), want 400", code, a.Error)
			}
			if !strings.HasPrefix(a.Error, param+":") {
				t.Fatalf("error %q does not start with %q", a.Error, param+":")
			}
		})
	}
}

func TestCSVExport(t *testing.T) {
	_, srv := newServer(t, true)
	for _, path := range []string{
		"heatmap?res=9&format=csv", "trends?format=csv", "departments?format=csv",
		"hotspots?format=csv", "incidents/inc-2/transitions?format=csv",
	} {
		t.Run(path, func(t *testing.T) {
			resp, err := httpGet(srv.URL+history.Prefix+path, centerToken)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			lines := strings.Split(strings.TrimSpace(string(body)), "\n")
			if len(lines) < 2 {
				t.Fatalf("want a header and rows:\n%s", body)
			}
			if strings.Contains(string(body), "NaN") {
				t.Errorf("NaN in the export:\n%s", body)
			}
		})
	}
}

// TestSampleQueriesRunOnBothEngines runs `cityops history --print-queries`'s
// SQL on the test server (18.16) and on the current engine (ch-modern).
func TestSampleQueriesRunOnBothEngines(t *testing.T) {
	s, _ := newServer(t, true)
	ctx := testContext(t)
	sql, err := history.SampleSQL(s.Database())
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(sql, ";\n") {
		if stmt = strings.TrimSpace(stmt); stmt == "" {
			continue
		}
		rows, err := s.Query(ctx, stmt)
		if err != nil {
			t.Fatalf("on 18.16: %v\n%s", err, stmt)
		}
		rows.Close()
	}
	tool := realdata.Tool(t, "ch-modern")
	file := filepath.Join(t.TempDir(), "queries.sql")
	schema, err := exec.Command("go", "run", "../../cmd/cityops", "migrate", "--print").Output()
	if err != nil {
		t.Fatalf("printing the schema: %v", err)
	}
	if err := os.WriteFile(file, append(schema, sql...), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), " 0 failed") {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}

// TestAccess checks who may read what: every query needs a known bearer
// token, and an incident's audit trail is served to the center, inspectors,
// and the department that owns it or cooperates on it; anyone else gets the
// answer of an incident that does not exist.
func TestAccess(t *testing.T) {
	_, srv := newServer(t, true)
	tests := []struct {
		name, path, token string
		header            string // an Authorization header instead of the token's
		code              int
	}{
		{"no token", "heatmap", "", "", http.StatusUnauthorized},
		{"unknown token", "heatmap", "guess", "", http.StatusUnauthorized},
		{"empty bearer", "heatmap", "", "Bearer ", http.StatusUnauthorized},
		{"not a bearer", "heatmap", "", "Basic Y2VudGVyLXRva2VuOg==", http.StatusUnauthorized},
		{"token without Bearer", "heatmap", "", centerToken, http.StatusUnauthorized},
		{"no token, trends", "trends", "", "", http.StatusUnauthorized},
		{"no token, departments", "departments", "", "", http.StatusUnauthorized},
		{"no token, hotspots", "hotspots", "", "", http.StatusUnauthorized},
		{"no token, transitions", "incidents/inc-2/transitions", "", "", http.StatusUnauthorized},
		{"no token, csv transitions", "incidents/inc-2/transitions?format=csv", "", "", http.StatusUnauthorized},
		{"no token, unknown query", "nothing", "", "", http.StatusUnauthorized},
		{"no token, bad parameter", "heatmap?res=11", "", "", http.StatusUnauthorized},
		{"department, planner query", "heatmap", nypdToken, "", http.StatusOK},
		{"inspector, planner query", "departments", inspectorToken, "", http.StatusOK},
		{"department, bad parameter", "heatmap?res=11", depToken, "", http.StatusBadRequest},
		{"center, transitions", "incidents/inc-2/transitions", centerToken, "", http.StatusOK},
		{"inspector, transitions", "incidents/inc-2/transitions", inspectorToken, "", http.StatusOK},
		{"owner, transitions", "incidents/inc-2/transitions", nypdToken, "", http.StatusOK},
		{"owner, csv transitions", "incidents/inc-2/transitions?format=csv", nypdToken, "", http.StatusOK},
		{"cooperating, transitions", "incidents/inc-2/transitions", dotToken, "", http.StatusOK},
		{"another department", "incidents/inc-2/transitions", depToken, "", http.StatusNotFound},
		{"another department, csv", "incidents/inc-2/transitions?format=csv", depToken, "", http.StatusNotFound},
		{"owner of inc-1", "incidents/inc-1/transitions", nypdToken, "", http.StatusOK},
		{"cooperating on another incident", "incidents/inc-1/transitions", dotToken, "", http.StatusNotFound},
		{"owner of an incident without transitions", "incidents/inc-4/transitions", depToken, "", http.StatusNotFound},
		{"center, missing incident", "incidents/nope/transitions", centerToken, "", http.StatusNotFound},
		{"department, missing incident", "incidents/nope/transitions", depToken, "", http.StatusNotFound},
		{"department, bad id", "incidents/a%20b/transitions", depToken, "", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+history.Prefix+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.header != "":
				req.Header.Set("Authorization", tt.header)
			case tt.token != "":
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, body)
			}
			if tt.code == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tt.code != http.StatusOK && (strings.Contains(string(body), "officer") || strings.Contains(string(body), "DOT")) {
				t.Errorf("a refusal tells of the incident: %s", body)
			}
		})
	}

	t.Run("not yours and missing answer alike", func(t *testing.T) {
		c1, a1 := getAs(t, srv, "incidents/inc-2/transitions", depToken)
		c2, a2 := getAs(t, srv, "incidents/nope/transitions", depToken)
		c3, a3 := getAs(t, srv, "incidents/nope/transitions", centerToken)
		if c1 != c2 || c2 != c3 || a1.Error != a2.Error || a2.Error != a3.Error || a1.Error == "" {
			t.Fatalf("%d %q, %d %q, %d %q: want the same answer", c1, a1.Error, c2, a2.Error, c3, a3.Error)
		}
	})
}
