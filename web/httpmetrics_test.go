package web

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestInstrumentHTTP counts requests by the pattern that matched, not by
// their paths, and gathers every unknown path into one series.
func TestInstrumentHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "gone" {
			http.Error(w, "gone", http.StatusGone)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	reg := prometheus.NewPedanticRegistry()
	h, err := InstrumentHTTP(reg, mux)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := InstrumentHTTP(reg, mux); err != nil { // a second server of the process
		t.Fatalf("instrumenting a second server: %v", err)
	}
	for _, path := range []string{"/items/1", "/items/2", "/items/gone", "/wp-login.php", "/.env"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	got := map[string]float64{}
	durations := 0
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range mfs {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "cityops_http_requests_total":
				l := map[string]string{}
				for _, p := range m.GetLabel() {
					l[p.GetName()] = p.GetValue()
				}
				got[l["route"]+" "+l["code"]] = m.GetCounter().GetValue()
			case "cityops_http_request_duration_seconds":
				durations++
			}
		}
	}
	want := map[string]float64{"GET /items/{id} 200": 2, "GET /items/{id} 410": 1, "unmatched 404": 2}
	if !maps.Equal(got, want) {
		t.Errorf("requests by route and code: %v, want %v", got, want)
	}
	if durations != 2 {
		t.Errorf("%d duration series, want 2 (one per route)", durations)
	}
	var w http.ResponseWriter = &statusWriter{ResponseWriter: httptest.NewRecorder()}
	if _, ok := w.(http.Hijacker); !ok {
		t.Error("the instrumented writer hides Hijack: websockets would fail")
	}
}

// TestReadyGauge follows readiness and shutdown.
func TestReadyGauge(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	draining, failing := false, false
	ready := func(context.Context) error {
		if failing {
			return errors.New("broker down")
		}
		return nil
	}
	if err := registerReady(reg, func() bool { return draining }, ready); err != nil {
		t.Fatal(err)
	}
	if err := registerReady(reg, func() bool { return draining }, ready); err != nil {
		t.Fatalf("registering twice: %v", err)
	}
	for _, tc := range []struct {
		draining, failing bool
		want              float64
	}{{false, false, 1}, {false, true, 0}, {true, false, 0}} {
		draining, failing = tc.draining, tc.failing
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		if got := mfs[0].GetMetric()[0].GetGauge().GetValue(); got != tc.want {
			t.Errorf("draining %v failing %v: cityops_ready %v, want %v", tc.draining, tc.failing, got, tc.want)
		}
	}
}
