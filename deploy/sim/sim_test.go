package sim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/sim"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/process"
)

// TestStreamIsValidAndMixed checks that every simulated event passes intake
// validation, that both sources appear, and that the stream raises incidents
// of several categories in several areas.
func TestStreamIsValidAndMixed(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.New(pack, 42)
	if err != nil {
		t.Fatal(err)
	}
	p, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	v := &ingest.Validator{BBox: p.Areas().BBox(), Now: func() time.Time { return now }}
	sources := map[cityops.Source]int{}
	cats, areas := map[string]bool{}, map[string]bool{}
	for i := 0; i < 3000; i++ {
		b, err := json.Marshal(s.Next(now))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := v.DecodeEvent(b)
		if err != nil {
			t.Fatalf("simulated event %s refused: %v", b, err)
		}
		sources[ev.Source]++
		c, ok, err := p.Process(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			cats[c.Incident.Category] = true
			areas[c.Incident.AreaID] = true
		}
	}
	if sources[cityops.SourceHotline] < 900 || sources[cityops.SourceIoT] < 1200 {
		t.Errorf("mix %v, want about 40%% hotline", sources)
	}
	if len(cats) < 8 || len(areas) < 6 {
		t.Errorf("incidents in %d categories and %d areas, want a varied city", len(cats), len(areas))
	}
}

// TestRunPacesAndCounts runs the simulator against a test server for a short
// while and checks that it posts to the intake path and counts the answers.
func TestRunPacesAndCounts(t *testing.T) {
	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.New(pack, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/events" || r.Method != http.MethodPost {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if got.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	st, err := sim.Run(context.Background(), s, sim.Config{Target: srv.URL, Rate: 200, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent < 20 || st.Sent > 200 {
		t.Errorf("sent %d in half a second at 200/s", st.Sent)
	}
	if st.Accepted+st.Rejected+st.Failed != st.Sent || st.Rejected == 0 {
		t.Errorf("stats do not add up: %+v", st)
	}
}
