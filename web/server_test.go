package web

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cityops/cityops"
)

func get(t *testing.T, url string, h http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if r, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestRoutes(t *testing.T) {
	_, ts, _ := newTestServer(t, func(c *Config) {
		c.API = map[string]http.Handler{"POST /api/v1/events": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
		})}
	})
	gz := http.Header{"Accept-Encoding": {"gzip"}}
	tests := []struct {
		path       string
		header     http.Header
		wantStatus int
		wantType   string
		wantBody   string
		wantGzip   bool
	}{
		{"/", nil, 200, "text/html", `<div id="map"`, false},
		{"/", gz, 200, "text/html", `<div id="map"`, true},
		{"/inbox", nil, 200, "text/html", `/ui/inbox.js`, false},
		{"/planner", nil, 200, "text/html", `/ui/planner.js`, false},
		{"/ui/map.js", gz, 200, "javascript", "pickHexagons", true},
		{"/ui/maplibre-worker.js", gz, 200, "javascript", "", true},
		{"/ui/app.css", nil, 200, "text/css", "--bg", false},
		{"/ui/nothing.js", nil, 404, "", "", false},
		{"/static/app.js", nil, 404, "", "", false},
		{"/api/v1/city/areas.geojson", nil, 200, "application/geo+json", `"FeatureCollection"`, false},
		{"/healthz", nil, 200, "text/plain", "ok", false},
		{"/readyz", nil, 200, "text/plain", "ok", false},
		{"/metrics", nil, 200, "text/plain", "cityops_web_live_clients 0", false},
		{"/ws/live", nil, 400, "", "", false}, // not an upgrade
		{"/nowhere", nil, 404, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := get(t, ts.URL+tt.path, tt.header)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, tt.wantType) {
				t.Errorf("content type %q, want %q in it", ct, tt.wantType)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body does not hold %q", tt.wantBody)
			}
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tt.wantGzip {
				t.Errorf("gzip %v, want %v", got, tt.wantGzip)
			}
		})
	}

	resp, err := http.Post(ts.URL+"/api/v1/events", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("extra route: status %d, want %d", resp.StatusCode, http.StatusAccepted)
	}
}

func TestETag(t *testing.T) {
	_, ts, _ := newTestServer(t, nil)
	resp, _ := get(t, ts.URL+"/api/v1/city", nil)
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	resp, _ = get(t, ts.URL+"/api/v1/city", http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("status %d with a matching ETag, want 304", resp.StatusCode)
	}
}

func TestCityShape(t *testing.T) {
	_, ts, _ := newTestServer(t, nil)
	resp, body := get(t, ts.URL+"/api/v1/city", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "name_en", "time_zone", "center", "bbox", "areas", "departments", "categories", "devices", "alarms"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no key %q in %s", k, body)
		}
	}
	var got struct {
		Name     string     `json:"name"`
		NameEN   string     `json:"name_en"`
		TimeZone string     `json:"time_zone"`
		Center   [2]float64 `json:"center"`
		BBox     [4]float64 `json:"bbox"`
		Areas    []map[string]string
		Depts    []map[string]string `json:"departments"`
		Cats     []map[string]any    `json:"categories"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	c := testCity()
	if got.Name != c.Name || got.NameEN != c.NameEN || got.TimeZone != c.TimeZone || got.Center != c.Center || got.BBox != c.BBox {
		t.Errorf("city header %+v", got)
	}
	// Every area has all five keys, even when a value is empty.
	wantArea := map[string]string{"id": "s1", "name": "北街道", "name_en": "", "level": "street", "parent_id": "d1"}
	if len(got.Areas) != 4 || !reflect.DeepEqual(got.Areas[2], wantArea) {
		t.Errorf("areas %v, want the third to be %v", got.Areas, wantArea)
	}
	wantDept := map[string]string{"id": "sanitation", "name": "环卫局", "name_en": "Sanitation"}
	if len(got.Depts) != 1 || !reflect.DeepEqual(got.Depts[0], wantDept) {
		t.Errorf("departments %v, want [%v]", got.Depts, wantDept)
	}
	if len(got.Cats) != 1 || got.Cats[0]["code"] != "010101" || got.Cats[0]["name_en"] != "Manhole cover" {
		t.Errorf("categories %v", got.Cats)
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		ready      func(context.Context) error
		wantStatus int
		wantBody   string
	}{
		{"no check", nil, 200, "ok"},
		{"ready", func(context.Context) error { return nil }, 200, "ok"},
		{"not ready", func(context.Context) error { return errors.New("kafka: connection refused") }, 503, "not ready: kafka: connection refused"},
		{"deadline", func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			return nil
		}, 200, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts, _ := newTestServer(t, func(c *Config) { c.Ready = tt.ready })
			resp, body := get(t, ts.URL+"/readyz", nil)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	ok := http.NotFoundHandler()
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no city name", func(c *Config) { c.City.Name = "" }, "city.name"},
		{"areas not JSON", func(c *Config) { c.AreasGeoJSON = []byte("{") }, "areas GeoJSON"},
		{"areas not a collection", func(c *Config) { c.AreasGeoJSON = []byte(`{"type":"Feature"}`) }, "FeatureCollection"},
		{"clashing route", func(c *Config) { c.API = map[string]http.Handler{"GET /healthz": ok} }, `"GET /healthz"`},
		{"bad pattern", func(c *Config) { c.API = map[string]http.Handler{"GET /{": ok} }, "mounting route"},
		{"nil handler", func(c *Config) { c.API = map[string]http.Handler{"POST /x": nil} }, `"POST /x"`},
		{"bad origin", func(c *Config) { c.AllowedOrigins = []string{"ops.example.org"} }, "ops.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{City: testCity()}
			tt.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestNewTwiceOnOneRegistry(t *testing.T) {
	_, _, reg := newTestServer(t, nil)
	if _, err := New(Config{City: testCity(), Registry: reg}); err == nil {
		t.Fatal("a second server registered its metrics in the same registry")
	}
}

// TestCityDevicesAndAlarms: the devices and the alarms' limits reach the
// pages through /api/v1/city.
func TestCityDevicesAndAlarms(t *testing.T) {
	high := 0.15
	_, ts, _ := newTestServer(t, func(c *Config) {
		c.Devices = []cityops.Device{{ID: "water-001", Type: "water_level", Unit: "m", Lat: 31.2, Lon: 121.4, Department: "sanitation"}}
		c.Alarms = []Alarm{{ID: "water_level.high", Kind: "threshold", Types: []string{"water_level"}, Raise: "value >= 0.15", RaiseAt: &high, Severity: 3}}
	})
	_, body := get(t, ts.URL+"/api/v1/city", nil)
	var got struct {
		Devices []cityops.Device `json:"devices"`
		Alarms  []map[string]any
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Devices) != 1 || got.Devices[0].ID != "water-001" || got.Devices[0].Lat != 31.2 {
		t.Errorf("devices %v", got.Devices)
	}
	if len(got.Alarms) != 1 || got.Alarms[0]["raise_at"] != 0.15 || got.Alarms[0]["clear_at"] != nil {
		t.Errorf("alarms %v", got.Alarms)
	}
}
