package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/geo"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// testCity is a small invented city; its areas are in testdata/areas.geojson.
func testCity() cityops.City {
	return cityops.City{
		Name: "测试市", NameEN: "Test City", TimeZone: "Asia/Shanghai",
		Center: [2]float64{31.225, 121.45},
		BBox:   [4]float64{121.40, 31.20, 121.50, 31.25},
		Areas: []cityops.Area{
			{ID: "d1", Name: "东区", NameEN: "East District", Level: cityops.LevelDistrict},
			{ID: "d2", Name: "西区", NameEN: "West District", Level: cityops.LevelDistrict},
			{ID: "s1", Name: "北街道", Level: cityops.LevelStreet, ParentID: "d1"},
			{ID: "s2", Name: "南街道", NameEN: "South Street", Level: cityops.LevelStreet, ParentID: "d1"},
		},
		Departments: []cityops.Department{{ID: "sanitation", Name: "环卫局", NameEN: "Sanitation"}},
		Categories: []cityops.Category{
			{Code: "010101", Kind: cityops.KindPart, Name: "井盖", NameEN: "Manhole cover", DeadlineHours: 24, Severity: 3},
		},
	}
}

// newTestServer starts a server on a test HTTP server; edit changes its
// config first.
func newTestServer(t testing.TB, edit func(*Config)) (*Server, *httptest.Server, *prometheus.Registry) {
	t.Helper()
	areas, err := os.ReadFile("testdata/areas.geojson")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{City: testCity(), AreasGeoJSON: areas, Registry: prometheus.NewRegistry(), Authenticate: testTokens}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts, cfg.Registry
}

// change returns a change of incident n in status st at version v, placed on
// its own resolution-9 cell inside the test city.
func change(t testing.TB, n int, kind cityops.ChangeKind, st cityops.Status, v uint64) cityops.Change {
	t.Helper()
	lat, lon := 31.205+float64(n%40)*0.001, 121.405+float64(n/40%80)*0.001
	cells, err := geo.CellsOf(lat, lon)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	return cityops.Change{Kind: kind, Incident: cityops.Incident{
		ID: fmt.Sprintf("inc-%d", n), EventID: fmt.Sprintf("ev-%d", n), Source: cityops.SourceHotline,
		Type: "manhole", Category: "010101", CategoryName: "井盖", Severity: 3, Status: st,
		Lat: lat, Lon: lon, Cell: cells.Cell, Cell7: cells.Cell7, Cell5: cells.Cell5,
		AreaID: "s1", DistrictID: "d1", DepartmentID: "sanitation",
		Reported: now, Updated: now.Add(time.Duration(v) * time.Minute), Version: v,
	}}
}

// dial opens a live connection to ts.
func dial(t testing.TB, ts *httptest.Server, d *websocket.Dialer, h http.Header) *websocket.Conn {
	t.Helper()
	if d == nil {
		d = websocket.DefaultDialer
	}
	c, resp, err := d.Dial(wsURL(ts), h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dialing the live map: %v (status %d)", err, status)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func wsURL(ts *httptest.Server) string { return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws/live" }

// testTokens are the tokens of the test city's views.
func testTokens(token string) (View, bool) {
	switch token {
	case "center-token":
		return View{Role: RoleCenter}, true
	case "sanitation-token":
		return View{Role: RoleDepartment, Department: "sanitation"}, true
	case "parks-token":
		return View{Role: RoleDepartment, Department: "parks"}, true
	case "inspector-token":
		return View{Role: RoleInspector, Inspector: "inspector-1"}, true
	}
	return View{}, false
}

// message is a live message as a client decodes it.
type message struct {
	Type       string           `json:"type"`
	Kind       string           `json:"kind"`
	Incident   wireIncidentIn   `json:"incident"`
	Incidents  []wireIncidentIn `json:"incidents"`
	ID         string           `json:"id"`
	Version    uint64           `json:"version"`
	Status     cityops.Status   `json:"status"`
	Sub        string           `json:"sub"`
	Mode       string           `json:"mode"`
	Res        int              `json:"res"`
	Cells      []cellIn         `json:"cells"`
	Field      string           `json:"field"`
	Message    string           `json:"message"`
	Reason     string           `json:"reason"`
	View       Role             `json:"view"`
	Department string           `json:"department"`
	Scope      string           `json:"scope"`
	Open       int              `json:"open"`
	Overdue    int              `json:"overdue"`
	Finished   int              `json:"finished_today"`
	OnTime     int              `json:"on_time_today"`
	Rate       *float64         `json:"on_time_rate"`
}

type cellIn struct {
	H3    string       `json:"h3"`
	Count int          `json:"count"`
	Hex   [][2]float64 `json:"hex"`
}

type wireIncidentIn struct {
	ID         string         `json:"id"`
	Status     cityops.Status `json:"status"`
	Version    uint64         `json:"version"`
	Text       string         `json:"text"`
	H3         string         `json:"h3"`
	Hex        [][2]float64   `json:"hex"`
	Department string         `json:"department_id"`
}

// connect opens a live connection, reads its hello and, with a token ("" for
// none), authenticates it and reads the hello of its view.
func connect(t testing.TB, ts *httptest.Server, token string) *websocket.Conn {
	t.Helper()
	return connectWith(t, ts, token, nil)
}

// connectWith is connect through the dialer d (nil for the default).
func connectWith(t testing.TB, ts *httptest.Server, token string, d *websocket.Dialer) *websocket.Conn {
	t.Helper()
	c := dialURL(t, wsURL(ts), d)
	if m := next(t, c); m.Type != "hello" {
		t.Fatalf("first message %+v, want hello", m)
	}
	if token != "" {
		send(t, c, `{"type":"auth","token":"`+token+`"}`)
		if m := next(t, c); m.Type != "hello" {
			t.Fatalf("after auth got %+v, want hello", m)
		}
	}
	return c
}

// dialURL opens a websocket to url.
func dialURL(t testing.TB, url string, d *websocket.Dialer) *websocket.Conn {
	t.Helper()
	if d == nil {
		d = websocket.DefaultDialer
	}
	c, resp, err := d.Dial(url, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dialing the live map: %v (status %d)", err, status)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// send writes a message given as JSON text.
func send(t testing.TB, c *websocket.Conn, text string) {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(text)); err != nil {
		t.Fatalf("sending %s: %v", text, err)
	}
}

// cityBBox is the test city's extent as a subscribe bbox.
const cityBBox = `[121.40,31.20,121.50,31.25]`

// subscribe sends a subscribe message and returns the snapshot that answers it.
func subscribe(t testing.TB, c *websocket.Conn, text string) message {
	t.Helper()
	send(t, c, text)
	m := next(t, c)
	if m.Type != "snapshot" {
		t.Fatalf("after %s got %+v, want a snapshot", text, m)
	}
	return m
}

// next reads the next live message that is not counters or a heartbeat.
func next(t testing.TB, c *websocket.Conn) message {
	t.Helper()
	for {
		m := read(t, c)
		if m.Type != "counters" && m.Type != "heartbeat" {
			return m
		}
	}
}

// read reads one live message, failing the test after a few seconds.
func read(t testing.TB, c *websocket.Conn) message {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("reading a live message: %v", err)
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return m
}

// metric returns the value of a counter or gauge in reg whose labels include
// the given name=value pairs.
func metric(t testing.TB, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s%v", name, labels)
	return 0
}

// histogramCount returns the sample count of histogram name in reg.
func histogramCount(t testing.TB, reg *prometheus.Registry, name string) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	t.Fatalf("no histogram %s", name)
	return 0
}

// eventually polls cond until it holds or a few seconds pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}
