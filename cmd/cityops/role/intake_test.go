package role

import (
	"context"
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
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/ingest"
	"github.com/cityops/cityops/ingest/open311"
	"github.com/cityops/cityops/store"
	"github.com/segmentio/kafka-go"
)

// TestIntakeEndToEnd runs the real pipeline and sends the same Open311
// request twice, the same readings several times over HTTP and over the
// readings topic, and checks that ClickHouse holds each once (the request
// among the events, the readings in readings, raising nothing), that the
// citizen can follow the request to the department it went to, and that the
// caller's phone is only readable through the audited endpoint.
func TestIntakeEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_intake"},
		Intake: IntakeConfig{APIKeys: []string{"test-key"}, Officers: []string{"tok=officer li"}}}, TopicAudit)
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	e.run(ctx, t,
		func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) },
		func(ctx context.Context) error { return sink(ctx, o, s, log) },
		func(ctx context.Context) error { return readingsPath(ctx, o, pack, s, log) },
		func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, newRegistry(), log) },
	)
	base := "http://" + o.HTTP.Listen
	roletest.WaitHTTP(t, base+"/healthz")
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}

	// The same Open311 request twice: one id.
	p := roletest.PointIn(t, areas, "d2-s1")
	form := url.Values{"api_key": {"test-key"}, "service_code": {"06010"}, "lat": {fmt.Sprint(p[0])}, "long": {fmt.Sprint(p[1])},
		"description": {"垃圾堆了三天"}, "first_name": {"三"}, "last_name": {"张"}, "phone": {"13912345678"}}
	var ids []string
	for range 2 {
		resp, err := http.PostForm(base+"/open311/v2/requests.json", form)
		if err != nil {
			t.Fatal(err)
		}
		var created []struct {
			ID string `json:"service_request_id"`
		}
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &created); err != nil || resp.StatusCode != 201 || len(created) != 1 {
			t.Fatalf("create: %d %v %s", resp.StatusCode, err, b)
		}
		resp.Body.Close()
		ids = append(ids, created[0].ID)
	}
	if ids[0] != ids[1] {
		t.Fatalf("the same request got ids %v", ids)
	}
	reqID := ids[0]

	// The same readings over HTTP twice, and over the readings topic twice.
	at := time.Now().UTC().Truncate(time.Second)
	line := fmt.Sprintf(`{"device_id":"water-001","value":0.5,"time":"%s"}`, at.Format(time.RFC3339))
	for range 2 {
		roletest.Post(t, base+"/api/v1/readings", line+"\n"+line+"\n", http.StatusOK)
	}
	gw := bus.NewWriter(o.Brokers(), bus.TopicReadingsRaw)
	defer gw.Close()
	viaTopic := fmt.Sprintf(`{"device_id":"water-002","value":0.6,"time":"%s"}`, at.Format(time.RFC3339))
	for range 2 {
		if err := gw.WriteMessages(ctx, kafka.Message{Key: []byte("water-002"), Value: []byte(viaTopic)}); err != nil {
			t.Fatal(err)
		}
	}
	r1 := ingest.ReadingID(cityops.Event{DeviceID: "water-001", Time: at})
	r2 := ingest.ReadingID(cityops.Event{DeviceID: "water-002", Time: at})

	for _, id := range []string{reqID} {
		roletest.WaitFor(t, 30*time.Second, func() error {
			_, err := s.Incident(ctx, "INC-"+id)
			return err
		})
		var ev store.EventRecord
		roletest.WaitFor(t, 10*time.Second, func() (err error) { // events land beside incidents, not after them
			ev, err = s.EventByID(ctx, id)
			return err
		})
		if strings.Contains(ev.Text, "13912345678") {
			t.Errorf("the caller's phone reached ClickHouse: %q", ev.Text)
		}
	}
	roletest.WaitFor(t, 10*time.Second, func() error {
		n, err := s.CountEvents(ctx)
		if err == nil && n != 1 {
			err = fmt.Errorf("ClickHouse holds %d events, want 1", n)
		}
		return err
	})
	roletest.WaitFor(t, 30*time.Second, func() error {
		rows, err := s.Query(ctx, "SELECT id, count() FROM "+s.Database()+".readings FINAL GROUP BY id ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		got := map[string]uint64{}
		for rows.Next() {
			var id string
			var n uint64
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			got[id] = n
		}
		if len(got) != 2 || got[r1] != 1 || got[r2] != 1 {
			return fmt.Errorf("readings hold %v, want %s and %s once each", got, r1, r2)
		}
		return nil
	})

	// The citizen follows the request to the department it went to.
	var got []struct {
		Status string `json:"status"`
		Agency string `json:"agency_responsible"`
	}
	resp, err := http.Get(base + "/open311/v2/requests/" + reqID + ".json")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || len(got) != 1 || got[0].Status != "open" || got[0].Agency != deptName(pack.Departments, "cgzf") {
		t.Errorf("GET request: %v %+v", err, got)
	}

	// Another replica, or this one after a restart, finds it in the store.
	other := open311.New(open311.Config{Categories: pack.Categories, Status: incidentStatus(s, pack), Lookup: storedRequest(s)})
	rec := httptest.NewRecorder()
	other.Handler("/open311/v2").ServeHTTP(rec, httptest.NewRequest("GET", "/open311/v2/requests/"+reqID+".json", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"service_name":"暴露垃圾"`) || !strings.Contains(rec.Body.String(), deptName(pack.Departments, "cgzf")) {
		t.Errorf("GET request from the store: %d %s", rec.Code, rec.Body)
	}

	// The caller, only with a token and a reason.
	req, _ := http.NewRequest("GET", base+"/api/v1/callers/"+reqID+"?reason=call+back", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "13912345678") {
		t.Errorf("caller read: %d %s", resp.StatusCode, body)
	}
	// The sealed caller is on its topic, from which every replica loads it.
	cr := kafka.NewReader(kafka.ReaderConfig{Brokers: o.Brokers(), Topic: TopicCallers, GroupID: "t-callers"})
	defer cr.Close()
	sm, err := cr.ReadMessage(ctx)
	if err != nil || string(sm.Key) != reqID || strings.Contains(string(sm.Value), "13912345678") || len(sm.Value) < 30 {
		t.Errorf("sealed caller record %q %q, %v", sm.Key, sm.Value, err)
	}
	ar := kafka.NewReader(kafka.ReaderConfig{Brokers: o.Brokers(), Topic: TopicAudit, GroupID: "t-audit"})
	defer ar.Close()
	m, err := ar.ReadMessage(ctx)
	if err != nil || !strings.Contains(string(m.Value), `"officer":"officer li"`) || string(m.Key) != reqID {
		t.Errorf("audit record %s, %v", m.Value, err)
	}
}

func deptName(ds []cityops.Department, id string) string {
	for _, d := range ds {
		if d.ID == id {
			return d.Name
		}
	}
	return ""
}

// TestIntakeKeysAcrossRestart runs the intake API of one process, stops it
// and runs a new one on the same broker, as after a restart or on another
// replica: the new one answers a resent event as before without storing it
// again, refuses a changed one with 409, and takes an identical Open311 form
// again as the same request, not a new one.
func TestIntakeKeysAcrossRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_intake_restart"},
		Intake: IntakeConfig{APIKeys: []string{"test-key"}, Keys: []string{roletest.IntakeKeys, "other=other-key;sources=iot"}}}, TopicAudit, TopicCallers)
	areas, err := geo.NewIndex(e.pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := roletest.PointIn(t, areas, "d2-s1")
	at := time.Now().Format(time.RFC3339) // one time: a resend is the same event
	event := func(text string) string {
		return fmt.Sprintf(`{"id":"r-1","source":"hotline","type":"complaint","text":%q,"lat":%v,"lon":%v,"time":"%s"}`,
			text, p[0], p[1], at)
	}
	form := url.Values{"api_key": {"test-key"}, "service_code": {"06010"}, "lat": {fmt.Sprint(p[0])}, "long": {fmt.Sprint(p[1])},
		"description": {"路灯不亮"}}
	start := func() (http.Handler, func()) {
		ictx, stop := context.WithCancel(ctx)
		api, closeAPI, err := intakeAPI(ictx, &e.o, e.pack, areas, e.s, e.log)
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		for p, h := range api {
			mux.Handle(p, h)
		}
		return mux, func() { closeAPI(); stop() }
	}
	send := func(h http.Handler, key, ctype, body string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/events", strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	create := func(h http.Handler) string {
		req := httptest.NewRequest(http.MethodPost, "/open311/v2/requests.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var c []struct {
			ID string `json:"service_request_id"`
		}
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &c) != nil || len(c) != 1 {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		return c[0].ID
	}

	first, stop := start()
	for _, tc := range []struct {
		key, ctype, body string
		want             int
	}{
		{"", "application/json", event("x"), http.StatusUnauthorized},
		{"guess", "application/json", event("x"), http.StatusUnauthorized},
		{roletest.IntakeSecret, "text/plain", event("x"), http.StatusUnsupportedMediaType},
		{"other-key", "application/json", event("x"), http.StatusForbidden},
		{roletest.IntakeSecret, "application/json", strings.Replace(event("x"), `"r-1"`, `"311-abc"`, 1), http.StatusBadRequest},
		{roletest.IntakeSecret, "application/json", event("垃圾堆了三天"), http.StatusAccepted},
	} {
		if code, body := send(first, tc.key, tc.ctype, tc.body); code != tc.want {
			t.Errorf("key %q %s: %d %s, want %d", tc.key, tc.ctype, code, body, tc.want)
		}
	}
	id := create(first)
	stop()

	second, stop := start()
	defer stop()
	if code, body := send(second, roletest.IntakeSecret, "application/json", event("垃圾堆了三天")); code != http.StatusOK {
		t.Errorf("identical resend after a restart: %d %s, want 200", code, body)
	}
	if code, body := send(second, roletest.IntakeSecret, "application/json", event("REWRITTEN")); code != http.StatusConflict || !strings.Contains(body, roletest.Scoped("r-1")) {
		t.Errorf("changed resend after a restart: %d %s, want 409 naming the id", code, body)
	}
	if again := create(second); again != id {
		t.Errorf("the same form after a restart got %s, first %s", again, id)
	}
	// Each was published once.
	raw := kafka.NewReader(kafka.ReaderConfig{Brokers: e.o.Brokers(), Topic: bus.TopicEventsRaw, GroupID: "test-restart", StartOffset: kafka.FirstOffset})
	defer raw.Close()
	seen := map[string]int{}
	for {
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		m, err := raw.ReadMessage(rctx)
		rcancel()
		if err != nil {
			break
		}
		seen[string(m.Key)]++
	}
	if seen[roletest.Scoped("r-1")] != 1 || seen[id] != 1 || len(seen) != 2 {
		t.Errorf("events.raw holds %v, want %s and %s once each", seen, roletest.Scoped("r-1"), id)
	}
}
