package role

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/store"
	"github.com/segmentio/kafka-go"
)

// TestOpen311StateLasts runs the real pipeline, creates Open311 requests
// (two of them the same problem at the same spot, which the processor
// merges), closes the incident with its steps in the store, and checks that
// the merged request reports its incident's status, agency and notes, and
// that a new endpoint on the same ClickHouse, with nothing in memory (another
// replica, or this one after a restart), answers every GET byte for byte
// as the running one does.
func TestOpen311StateLasts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_open311"}, Intake: IntakeConfig{APIKeys: []string{"test-key"}}})
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	e.run(ctx, t,
		func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) },
		func(ctx context.Context) error { return sink(ctx, o, s, log) },
		func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, newRegistry(), log) },
	)
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	create := func(code string, p [2]float64, desc string) string {
		t.Helper()
		form := url.Values{"api_key": {"test-key"}, "service_code": {code}, "lat": {fmt.Sprint(p[0])}, "long": {fmt.Sprint(p[1])}, "description": {desc}}
		resp, err := http.PostForm(base+"/open311/v2/requests.json", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var created []struct {
			ID string `json:"service_request_id"`
		}
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &created); err != nil || resp.StatusCode != 201 || len(created) != 1 {
			t.Fatalf("create: %d %v %s", resp.StatusCode, err, b)
		}
		return created[0].ID
	}
	spot := roletest.PointIn(t, areas, "d2-s1")
	first := create("06010", spot, "垃圾堆了三天")
	second := create("06010", spot, "垃圾没人收，味道很大")
	other := create("06013", roletest.PointIn(t, areas, "d1-s1"), "路灯不亮")
	var merged store.Request
	roletest.WaitFor(t, 30*time.Second, func() error {
		m, err := s.RequestsByID(ctx, []string{first, second, other})
		if err != nil {
			return err
		}
		if len(m) != 3 || !m[first].Known || !m[other].Known || !m[second].Known {
			return fmt.Errorf("stored: %+v", m)
		}
		merged = m[second]
		return nil
	})
	inc := "INC-" + first
	if merged.IncidentID != inc {
		t.Fatalf("the second report was not merged into %s: %+v", inc, merged)
	}

	// The incident goes through its loop; the store keeps its steps.
	in, err := s.Incident(ctx, inc)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Second)
	dep := in.DepartmentID
	steps := []store.Transition{
		{IncidentID: inc, Version: in.Version + 1, Action: "dispatch", From: in.Status, To: cityops.StatusDispatched, Actor: "center", DepartmentID: dep, Time: at},
		{IncidentID: inc, Version: in.Version + 2, Action: "return", From: cityops.StatusDispatched, To: cityops.StatusRegistered, Actor: "dept:" + dep, DepartmentID: dep, Reason: "wrong_location", Time: at.Add(time.Minute)},
		{IncidentID: inc, Version: in.Version + 3, Action: "dispatch", From: cityops.StatusRegistered, To: cityops.StatusDispatched, Actor: "center", DepartmentID: dep, Time: at.Add(2 * time.Minute)},
		{IncidentID: inc, Version: in.Version + 4, Action: "resolve", From: cityops.StatusDispatched, To: cityops.StatusResolved, Actor: "dept:" + dep, DepartmentID: dep, Note: "垃圾已清运，联系13912345678", Time: at.Add(time.Hour)},
		{IncidentID: inc, Version: in.Version + 5, Action: "close", From: cityops.StatusResolved, To: cityops.StatusClosed, Actor: "center", DepartmentID: dep, Time: at.Add(2 * time.Hour)},
	}
	if err := s.InsertTransitions(ctx, steps); err != nil {
		t.Fatal(err)
	}
	in.Status, in.Version, in.Updated = cityops.StatusClosed, in.Version+5, at.Add(2*time.Hour)
	if err := s.InsertChanges(ctx, []cityops.Change{{Kind: cityops.ChangeUpdated, Incident: in}}); err != nil {
		t.Fatal(err)
	}

	get := func(h http.Handler, path string, header ...string) (int, string) {
		req := httptest.NewRequest("GET", path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		if h == nil {
			resp, err := http.DefaultClient.Do(mustRequest(t, base+path, req.Header))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}

	// The merged request reports its incident's status, agency and notes,
	// in Chinese and in English.
	agency := deptName(pack.Departments, dep)
	code, body := get(nil, "/open311/v2/requests/"+second+".json", "Accept-Language", "zh-CN,zh;q=0.9")
	if code != 200 || !strings.Contains(body, `"status":"closed"`) || !strings.Contains(body, `"agency_responsible":"`+agency+`"`) ||
		!strings.Contains(body, "已派发至"+agency) || !strings.Contains(body, "退回：位置不在本部门辖区") || !strings.Contains(body, "已办结：垃圾已清运") ||
		!strings.Contains(body, "已结案") || strings.Contains(body, "13912345678") {
		t.Errorf("the merged request, zh: %d %s", code, body)
	}
	code, body = get(nil, "/open311/v2/requests/"+second+".json?lang=en")
	if code != 200 || !strings.Contains(body, "Dispatched to ") || !strings.Contains(body, "Returned by ") || !strings.Contains(body, "outside the department's area") || !strings.Contains(body, "Closed.") {
		t.Errorf("the merged request, en: %d %s", code, body)
	}

	// A new endpoint on the same ClickHouse, with empty memory: every GET
	// answers as the running one does.
	s2, err := store.Open(ctx, store.Options{Addr: o.ClickHouse.Addr, Database: o.ClickHouse.Database})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	// The intake routes as the ingest and web roles assemble them.
	sec, err := newIntakeSecurity(ctx, o, log)
	if err != nil {
		t.Fatal(err)
	}
	defer sec.close()
	routes, closeRoutes, err := intakeRoutes(ctx, o, pack, areas, func(context.Context, ...kafka.Message) error { return nil }, s2, sec, log)
	if err != nil {
		t.Fatal(err)
	}
	defer closeRoutes()
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.Handle(p, h)
	}
	var fresh http.Handler = mux
	paths := []string{
		"/open311/v2/requests.json",
		"/open311/v2/requests.xml",
		"/open311/v2/requests.json?page_size=1",
		"/open311/v2/requests.json?page_size=1&page=2",
		"/open311/v2/requests.json?page_size=2&page=2",
		"/open311/v2/requests.json?service_code=06013",
		"/open311/v2/requests.json?status=closed",
		"/open311/v2/requests.json?status=open",
		"/open311/v2/requests.json?service_request_id=" + other + "," + second + ",nope",
		"/open311/v2/requests.json?start_date=" + url.QueryEscape(at.Add(-time.Hour).Format(time.RFC3339)) + "&end_date=" + url.QueryEscape(at.Add(time.Hour).Format(time.RFC3339)),
		"/open311/v2/requests/" + first + ".json",
		"/open311/v2/requests/" + second + ".xml",
		"/open311/v2/requests/" + other + ".json?lang=en",
		"/open311/v2/tokens/" + tokenOf(first) + ".json",
	}
	for _, p := range paths {
		c1, b1 := get(nil, p)
		c2, b2 := get(fresh, p)
		if c1 != 200 || c1 != c2 || b1 != b2 {
			t.Errorf("GET %s:\nrunning %d %s\nfresh   %d %s", p, c1, b1, c2, b2)
		}
	}
	count := func(body string) int { return strings.Count(body, `"service_request_id"`) }
	if _, b := get(fresh, "/open311/v2/requests.json"); count(b) != 3 || strings.Index(b, other) > strings.Index(b, first) {
		t.Errorf("the list, newest first: %s", b)
	}
	if _, b := get(fresh, "/open311/v2/requests.json?status=closed"); count(b) != 2 || strings.Contains(b, other) {
		t.Errorf("closed: %s", b)
	}
	if _, b := get(fresh, "/open311/v2/requests.json?service_code=06013"); count(b) != 1 || !strings.Contains(b, other) {
		t.Errorf("by service: %s", b)
	}
	if _, b := get(fresh, "/open311/v2/requests.json?page_size=2&page=2"); count(b) != 1 || !strings.Contains(b, first) {
		t.Errorf("page 2: %s", b)
	}
}

func mustRequest(t *testing.T, u string, h http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	return req
}

// tokenOf is the token intake gives a request id.
func tokenOf(id string) string {
	sum := sha256.Sum256([]byte("token:" + id))
	return "tok-" + hex.EncodeToString(sum[:10])
}
