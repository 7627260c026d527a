package history_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
	"github.com/cityops/cityops/store/history"
)

// now is the end of the default range in these tests.
var now = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

// newServer starts a private ClickHouse, migrates it, loads testdata (when
// load is true) and serves the history API over it.
func newServer(t *testing.T, load bool) (*store.Store, *httptest.Server) {
	t.Helper()
	_, s := openMigrated(t)
	if load {
		loadTestdata(t, s)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+history.Prefix, history.Handler(s, nil, func() time.Time { return now }, testAccess))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv
}

// openMigrated starts a private ClickHouse and returns its address and the
// store on it, migrated.
func openMigrated(t *testing.T) (string, *store.Store) {
	t.Helper()
	ctx := testContext(t)
	addr := chtest.Start(t)
	s, err := store.Open(ctx, store.Options{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return addr, s
}

func loadTestdata(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := testContext(t)
	var changes []cityops.Change
	decodeLines(t, "testdata/changes.ndjson", func(b []byte) error {
		var c cityops.Change
		err := json.Unmarshal(b, &c)
		changes = append(changes, c)
		return err
	})
	var ts []store.Transition
	decodeLines(t, "testdata/transitions.ndjson", func(b []byte) error {
		var tr store.Transition
		err := json.Unmarshal(b, &tr)
		ts = append(ts, tr)
		return err
	})
	if err := s.InsertChanges(ctx, changes); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertTransitions(ctx, ts); err != nil {
		t.Fatal(err)
	}
}

func decodeLines(t *testing.T, name string, fn func([]byte) error) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			if err := fn(line); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
}

// answer is a JSON answer of the API.
type answer struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Error   string   `json:"error"`
}

// The tokens of the tests: the center's, an inspector's and departments'.
const (
	centerToken    = "center-token"
	inspectorToken = "inspector-token"
	nypdToken      = "nypd-token"
	depToken       = "dep-token"
	dotToken       = "dot-token"
)

// testAccess knows the tests' tokens; DOT cooperates on inc-2.
var testAccess = history.Access{
	Caller: func(token string) (history.Caller, bool) {
		switch token {
		case centerToken:
			return history.Caller{Center: true}, true
		case inspectorToken:
			return history.Caller{Inspector: "inspector-1"}, true
		case nypdToken:
			return history.Caller{Department: "NYPD"}, true
		case depToken:
			return history.Caller{Department: "DEP"}, true
		case dotToken:
			return history.Caller{Department: "DOT"}, true
		}
		return history.Caller{}, false
	},
	Cooperating: func(_ context.Context, id string) []string {
		if id == "inc-2" {
			return []string{"DOT"}
		}
		return nil
	},
}

// httpGet GETs url with token as its bearer token ("" for none).
func httpGet(url, token string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return http.DefaultClient.Do(req)
}

// get GETs path below the history's prefix with the center's token.
func get(t *testing.T, srv *httptest.Server, path string) (int, answer) {
	t.Helper()
	return getAs(t, srv, path, centerToken)
}

// getAs GETs path below the history's prefix with token ("" for none).
func getAs(t *testing.T, srv *httptest.Server, path, token string) (int, answer) {
	t.Helper()
	resp, err := httpGet(srv.URL+history.Prefix+path, token)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("GET %s: decoding: %v", path, err)
	}
	return resp.StatusCode, a
}

// records returns the rows as maps by column name.
func (a answer) records() []map[string]any {
	var out []map[string]any
	for _, r := range a.Rows {
		m := map[string]any{}
		for i, c := range a.Columns {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
