package role

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/gorilla/websocket"
)

// TestEndToEnd runs the real pipeline: the embedded broker, the processor,
// the ClickHouse sink against a private ClickHouse server, and the web server
// with its intake. It posts events over HTTP and checks that they arrive in
// ClickHouse placed, classified and assigned as the demo city says, and that
// a live-map client sees the incidents appear.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_e2e"}})
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	o.Tokens = filepath.Join(t.TempDir(), "tokens.json")
	if err := (taskapi.Tokens{Center: "e2e-center"}).Write(o.Tokens); err != nil {
		t.Fatal(err)
	}
	e.run(ctx, t,
		func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) },
		func(ctx context.Context) error { return sink(ctx, o, s, log) },
		func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, newRegistry(), log) },
	)
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")

	// The center's view of the whole demo city, zoomed in to single incidents.
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+o.HTTP.Listen+"/ws/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]string{"type": "auth", "token": "e2e-center"}); err != nil {
		t.Fatal(err)
	}
	cityAreas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteJSON(map[string]any{"type": "subscribe", "bbox": cityAreas.BBox(), "zoom": 12}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		body                       string
		category, area, department string
		status                     cityops.Status
	}{
		// Street vending in Gulou street of the old town goes to its street office.
		{`{"id":"e2e-vend","source":"hotline","type":"complaint","text":"早市小贩占道经营，电话13912345678","lat":%v,"lon":%v,"time":"%s"}`,
			"09006", "d2-s3", "so-gulou", cityops.StatusDispatched},
		// Garbage in the old town goes to enforcement, elsewhere to greening.
		{`{"id":"e2e-trash-old","source":"hotline","type":"complaint","text":"垃圾堆了三天","lat":%v,"lon":%v,"time":"%s"}`,
			"06010", "d2-s1", "cgzf", cityops.StatusDispatched},
		{`{"id":"e2e-trash-new","source":"hotline","type":"complaint","text":"garbage piled up","lat":%v,"lon":%v,"time":"%s"}`,
			"06010", "d3-s2", "lhsr", cityops.StatusDispatched},
		// A deep water reading raises a waterlogging incident for the water authority.
		// The registry puts water-001 in d2-s2, whatever position the event gives.
		{`{"id":"e2e-water","source":"iot","type":"water_level","value":0.5,"unit":"m","device_id":"water-001","lat":%v,"lon":%v,"time":"%s"}`,
			"0111", "d2-s2", "water", cityops.StatusDispatched},
		// A question no rule classifies waits at the center to be registered.
		{`{"id":"e2e-question","source":"hotline","type":"consultation","text":"请问社保卡在哪里办理","lat":%v,"lon":%v,"time":"%s"}`,
			"", "d1-s1", "center", cityops.StatusReported},
	}
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Format(time.RFC3339)
	points := map[string][2]float64{}
	for _, tc := range cases {
		p := roletest.PointIn(t, areas, tc.area)
		if strings.Contains(tc.body, `"device_id":"water-001"`) { // a sensor is where the registry puts it
			p = devicePoint(t, pack, "water-001")
		}
		id := strings.SplitN(strings.SplitN(tc.body, `"id":"`, 2)[1], `"`, 2)[0]
		points[id] = p
		roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(tc.body, p[0], p[1], now), http.StatusAccepted)
	}
	// A normal reading makes no incident, and a bad event is refused.
	roletest.Post(t, base+"/api/v1/events", fmt.Sprintf(`{"id":"e2e-dry","source":"iot","type":"water_level","value":0.01,"device_id":"water-001","lat":30.6,"lon":117.05,"time":"%s"}`, now), http.StatusAccepted)
	roletest.Post(t, base+"/api/v1/events", `{"source":"hotline","type":"complaint","text":"x","lat":95,"lon":117.05,"time":"`+now+`"}`, http.StatusBadRequest)

	// The websocket sees every incident appear.
	seen := map[string]bool{}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for len(seen) < len(cases) {
		var msg struct {
			Type      string             `json:"type"`
			Incident  *cityops.Incident  `json:"incident"`
			Incidents []cityops.Incident `json:"incidents"`
		}
		if err := ws.ReadJSON(&msg); err != nil {
			t.Fatalf("websocket: %v (saw %v)", err, seen)
		}
		incs := msg.Incidents
		if msg.Incident != nil {
			incs = append(incs, *msg.Incident)
		}
		for _, inc := range incs {
			seen[inc.EventID] = true
		}
	}

	// ClickHouse holds each one, placed and assigned.
	for _, tc := range cases {
		id := strings.SplitN(strings.SplitN(tc.body, `"id":"`, 2)[1], `"`, 2)[0]
		var inc cityops.Incident
		roletest.WaitFor(t, 30*time.Second, func() error {
			inc, err = s.Incident(ctx, "INC-"+roletest.Scoped(id))
			return err
		})
		p := points[id]
		cells, err := geo.CellsOf(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if inc.Category != tc.category || inc.AreaID != tc.area || inc.DepartmentID != tc.department || inc.Status != tc.status {
			t.Errorf("%s: got category %q area %q department %q status %q, want %q %q %q %q", id,
				inc.Category, inc.AreaID, inc.DepartmentID, inc.Status, tc.category, tc.area, tc.department, tc.status)
		}
		if inc.Cell != cells.Cell || inc.Cell7 != cells.Cell7 || inc.Cell5 != cells.Cell5 {
			t.Errorf("%s: cells %v/%v/%v, want %v/%v/%v", id, inc.Cell, inc.Cell7, inc.Cell5, cells.Cell, cells.Cell7, cells.Cell5)
		}
		// The sink inserts incidents and events at once: the event may
		// land a moment after its incident.
		var ev store.EventRecord
		roletest.WaitFor(t, 10*time.Second, func() error {
			ev, err = s.EventByID(ctx, roletest.Scoped(id))
			return err
		})
		if ev.Cell != cells.Cell || ev.AreaID != tc.area || ev.DepartmentID != tc.department {
			t.Errorf("%s: stored event cell %v area %q department %q", id, ev.Cell, ev.AreaID, ev.DepartmentID)
		}
		if strings.Contains(ev.Text, "13912345678") {
			t.Errorf("%s: the caller's phone number reached ClickHouse: %q", id, ev.Text)
		}
	}
	n, err := s.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(cases)) {
		t.Errorf("ClickHouse holds %d events, want %d", n, len(cases))
	}
}

// devicePoint is where the pack registers device id, as [lat, lon].
func devicePoint(t *testing.T, pack *rules.Pack, id string) [2]float64 {
	t.Helper()
	for _, d := range pack.Devices {
		if d.ID == id {
			return [2]float64{d.Lat, d.Lon}
		}
	}
	t.Fatalf("the pack has no device %s", id)
	return [2]float64{}
}
