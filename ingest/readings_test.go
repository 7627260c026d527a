package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/segmentio/kafka-go"
)

var testDevices = NewRegistry([]cityops.Device{
	{ID: "water-001", Type: "water_level", Unit: "m", Lat: 30.6171, Lon: 117.07773},
	{ID: "water-002", Type: "water_level", Unit: "m", Lat: 30.65579, Lon: 117.06634},
	{ID: "water-003", Type: "water_level", Unit: "m", Lat: 30.62164, Lon: 117.08107},
	{ID: "water-004", Type: "water_level", Unit: "m", Lat: 30.59514, Lon: 117.07194},
	{ID: "water-005", Type: "water_level", Unit: "m", Lat: 30.63165, Lon: 117.10595},
	{ID: "noise-003", Type: "noise", Unit: "dB", Lat: 30.5956, Lon: 117.03928},
})

// startBroker starts an embedded broker with the given topics of one
// partition each.
func startBroker(t testing.TB, topics ...string) []string {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bus.EnsureTopics(ctx, []string{b.Addr()}, 1, topics...); err != nil {
		t.Fatal(err)
	}
	return []string{b.Addr()}
}

// readTopic returns what topic holds, waiting up to wait for more.
func readTopic(t *testing.T, brokers []string, topic string, wait time.Duration) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: 0, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	var out []kafka.Message
	for {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		m, err := r.ReadMessage(ctx)
		cancel()
		if err != nil {
			return out
		}
		out = append(out, m)
	}
}

// TestReadingsBatch posts testdata/readings/batch.ndjson and checks each
// line's result against batch.want, and that the topic holds the good
// readings once each.
func TestReadingsBatch(t *testing.T) {
	brokers := startBroker(t, bus.TopicReadingsRaw)
	w := bus.NewWriter(brokers, bus.TopicReadingsRaw)
	defer w.Close()
	h := &ReadingsHandler{Validator: testValidator, Devices: testDevices, Publish: w.WriteMessages}
	srv := httptest.NewServer(h)
	defer srv.Close()

	body, err := os.ReadFile("testdata/readings/batch.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL, "application/x-ndjson", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var res BatchResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	want, err := os.Open("testdata/readings/batch.want")
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	var wants []string
	for sc := bufio.NewScanner(want); sc.Scan(); {
		wants = append(wants, sc.Text())
	}
	if len(res.Results) != len(wants) {
		t.Fatalf("%d results, want %d: %+v", len(res.Results), len(wants), res.Results)
	}
	for i, lr := range res.Results {
		got := strings.TrimSpace(fmt.Sprintf("%d %s %s", lr.Line, lr.Status, lr.Field))
		if got != wants[i] {
			t.Errorf("result %d: got %q, want %q (%s)", i, got, wants[i], lr.Error)
		}
	}
	if res.Results[0].ID != res.Results[1].ID {
		t.Errorf("the same device and time got ids %s and %s", res.Results[0].ID, res.Results[1].ID)
	}
	// Lines 1 and 2 are one reading: the topic may hold it twice, and a sink
	// keeps one because the id is the same.
	ids := map[string]Reading{}
	for _, m := range readTopic(t, brokers, bus.TopicReadingsRaw, time.Second) {
		var ev Reading
		if err := json.Unmarshal(m.Value, &ev); err != nil {
			t.Fatal(err)
		}
		if string(m.Key) != ev.DeviceID {
			t.Errorf("key %s, want the device %s", m.Key, ev.DeviceID)
		}
		ids[ev.ID] = ev
	}
	if len(ids) != 2 {
		t.Errorf("topic holds %d distinct readings, want 2", len(ids))
	}
	ev := ids[res.Results[0].ID]
	if ev.Lat == nil || *ev.Lat != 30.6171 || ev.Unit != "m" || ev.Type != "water_level" {
		t.Errorf("registered device's reading normalized to %+v", ev)
	}
}

// TestReadingsLimits checks 413 for too many lines and 429 when every line
// is over its device's rate.
func TestReadingsLimits(t *testing.T) {
	h := &ReadingsHandler{Validator: testValidator, Devices: testDevices, Limiter: NewKeyLimiter(1, 1),
		Publish: func(context.Context, ...kafka.Message) error { return nil }}
	line := `{"device_id":"water-001","value":0.1,"time":"2026-07-01T00:30:00Z"}` + "\n"
	for _, tc := range []struct {
		name  string
		body  string
		want  int
		retry bool
	}{
		{"first", line, 200, false},
		{"over rate", line, 429, true},
		{"too many lines", strings.Repeat("{}\n", MaxBatchLines+1), 413, false},
		{"line too long", `{"device_id":"` + strings.Repeat("x", MaxEventBytes) + `"}`, 400, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/api/v1/readings", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-ndjson")
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if got := rec.Header().Get("Retry-After") != ""; got != tc.retry {
				t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
			}
		})
	}
}
