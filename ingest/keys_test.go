package ingest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

func TestParseKeys(t *testing.T) {
	ks, err := ParseKeys("city=s3cret;sources=hotline\ngw=gw-key;sources=iot;devices=water-001,water-002, hot=h-key")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ks.Names(), " "); got != "city gw hot" {
		t.Fatalf("names %q", got)
	}
	gw := ks.bySecret[sha("gw-key")]
	if !gw.Devices["water-001"] || !gw.Devices["water-002"] || len(gw.Devices) != 2 || !gw.Sources[cityops.SourceIoT] {
		t.Errorf("gw = %+v", gw)
	}
	for spec, want := range map[string]string{
		"nokey":                               "is not name=key",
		"=x":                                  "is not name=key",
		"a=x;colour=red":                      "unknown option",
		"a=x;sources=fax":                     `source "fax"`,
		"a=x;devices=":                        "devices is empty",
		"a:b=x":                               "may have letters",
		"a=x,a=y":                             "used twice",
		"a=x,b=x":                             "another key's",
		"a=has space":                         "printable",
		"a=x;sources=hotline;oops":            "not option=value",
		"toolongname0123456789012345678901=x": "1 to 32",
	} {
		_, err := ParseKeys(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", spec, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "=x") {
			t.Errorf("%q: the error quotes the key: %v", spec, err)
		}
	}
}

func sha(s string) [32]byte {
	ks, _ := NewKeys([]Key{{Name: "x", Secret: s}})
	for h := range ks.bySecret {
		return h
	}
	return [32]byte{}
}

func TestHasPersonalData(t *testing.T) {
	for s, want := range map[string]bool{
		"13812345678":        true,
		"call-138-1234-5678": true,
		"+8613812345678":     true,
		"８６１３８１２３４５６７８": true,
		"a@b.cn":                   true,
		"11010519491231002X":       true,
		"110105 19491231 002X":     true,
		"complaint":                false,
		"bench-12345":              false,
		"20261203T083000":          false,
		"1733212345678901234":      false,
		"a1b2c3d4e5f60718293a4b5c": false,
		"12812345678":              false,
	} {
		if got := HasPersonalData(s); got != want {
			t.Errorf("HasPersonalData(%q) = %v, want %v", s, got, want)
		}
	}
}

// intakeTest is an events handler with keys and an id memory whose
// published events it records.
type intakeTest struct {
	h   *Handler
	mu  sync.Mutex
	out []cityops.Event
}

func newIntakeTest(t *testing.T, ids *IDs) *intakeTest {
	t.Helper()
	keys, err := ParseKeys("city=city-key;sources=hotline,gw=gw-key;sources=iot;devices=water-001,all=all-key,other=other-key")
	if err != nil {
		t.Fatal(err)
	}
	it := &intakeTest{}
	if ids == nil {
		ids = NewIDs(0)
		ids.MarkReady()
	}
	it.h = &Handler{Validator: testValidator, Keys: keys, Devices: testDevices, IDs: ids,
		Publish: func(_ context.Context, msgs ...kafka.Message) error {
			it.mu.Lock()
			defer it.mu.Unlock()
			for _, m := range msgs {
				var ev cityops.Event
				if err := json.Unmarshal(m.Value, &ev); err != nil {
					return err
				}
				it.out = append(it.out, ev)
			}
			return nil
		}}
	return it
}

func (it *intakeTest) post(key, ctype, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/api/v1/events", strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	it.h.ServeHTTP(rec, req)
	return rec
}

const (
	hotlineEvent = `{"id":"%s","source":"hotline","type":"complaint","text":"%s","lat":30.61,"lon":117.05,"time":"2026-07-01T00:30:00Z"}`
	iotEvent     = `{"id":"w1","source":"iot","type":"water_level","value":0.5,"device_id":"%s","lat":30.61,"lon":117.05,"time":"2026-07-01T00:30:00Z"}`
)

func hotline(id, text string) string {
	return strings.Replace(strings.Replace(hotlineEvent, "%s", id, 1), "%s", text, 1)
}

// TestEventsIntakeStatus checks each answer of POST /api/v1/events in turn:
// who may write, what they may write, and what a resend gets.
func TestEventsIntakeStatus(t *testing.T) {
	it := newIntakeTest(t, nil)
	const js = "application/json"
	for _, tc := range []struct {
		name, key, ctype, body string
		want                   int
		field, id              string
	}{
		{"no key", "", js, hotline("a", "x"), 401, "", ""},
		{"unknown key", "guess", js, hotline("a", "x"), 401, "", ""},
		{"text/plain", "city-key", "text/plain", hotline("a", "x"), 415, "Content-Type", ""},
		{"no content type", "city-key", "", hotline("a", "x"), 415, "Content-Type", ""},
		{"form", "city-key", "application/x-www-form-urlencoded", hotline("a", "x"), 415, "Content-Type", ""},
		{"source not the key's", "gw-key", js, hotline("a", "x"), 403, "source", ""},
		{"device not the key's", "gw-key", js, strings.Replace(iotEvent, "%s", "water-002", 1), 403, "device_id", ""},
		{"open311 id", "city-key", js, hotline("311-0123456789abcdef0123", "x"), 400, "id", ""},
		{"reading id", "city-key", js, hotline("rd-0123", "x"), 400, "id", ""},
		{"open311 type", "city-key", js, strings.Replace(hotline("a", "x"), `"complaint"`, `"open311:06010"`, 1), 400, "type", ""},
		{"phone in id", "city-key", js, hotline("caller-13812345678", "x"), 400, "id", ""},
		{"phone in type", "city-key", js, strings.Replace(hotline("a", "x"), `"complaint"`, `"138 1234 5678"`, 1), 400, "type", ""},
		{"unregistered device", "all-key", js, strings.Replace(iotEvent, "%s", "gw-9", 1), 400, "device_id", ""},
		{"bad event", "city-key", js, `{"id":"b","source":"hotline"}`, 400, "type", ""},
		{"new", "city-key", "application/json; charset=utf-8", hotline("42", "垃圾"), 202, "", "city:42"},
		{"identical resend", "city-key", js, hotline("42", "垃圾"), 200, "", "city:42"},
		{"changed resend", "city-key", js, hotline("42", "REWRITTEN"), 409, "id", ""},
		{"another sender's 42", "other-key", js, hotline("42", "REWRITTEN"), 202, "", "other:42"},
		{"device event", "gw-key", "application/x-ndjson", strings.Replace(iotEvent, "%s", "water-001", 1), 202, "", "gw:w1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := it.post(tc.key, tc.ctype, tc.body)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			var body struct{ ID, Field string }
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			if body.Field != tc.field || body.ID != tc.id {
				t.Errorf("answer %s, want field %q id %q", rec.Body, tc.field, tc.id)
			}
			if tc.want == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
	byID := map[string]cityops.Event{}
	for _, ev := range it.out {
		if _, dup := byID[ev.ID]; dup {
			t.Errorf("%s published twice", ev.ID)
		}
		byID[ev.ID] = ev
	}
	if len(byID) != 3 || byID["city:42"].Text != "垃圾" || byID["other:42"].Text != "REWRITTEN" {
		t.Errorf("published %+v", it.out)
	}
	if ev := byID["gw:w1"]; ev.Lat != 30.6171 || ev.Lon != 117.07773 {
		t.Errorf("the device event is at %v,%v, not where the registry puts water-001", ev.Lat, ev.Lon)
	}
}

// TestReadingsIntakeStatus checks the answers of POST /api/v1/readings.
func TestReadingsIntakeStatus(t *testing.T) {
	it := newIntakeTest(t, nil)
	h := &ReadingsHandler{Validator: testValidator, Devices: testDevices, Keys: it.h.Keys, IDs: it.h.IDs, Publish: it.h.Publish}
	line := func(dev, value string) string {
		return `{"device_id":"` + dev + `","value":` + value + `,"time":"2026-07-01T00:30:00Z"}` + "\n"
	}
	for _, tc := range []struct {
		name, key, ctype, body string
		want                   int
		status                 string
	}{
		{"no key", "", "application/x-ndjson", line("water-001", "1"), 401, ""},
		{"text/plain", "gw-key", "text/plain", line("water-001", "1"), 415, ""},
		{"device not the key's", "gw-key", "application/x-ndjson", line("water-002", "1"), 403, "forbidden"},
		{"source not the key's", "city-key", "application/x-ndjson", line("water-001", "1"), 403, "forbidden"},
		{"new", "gw-key", "application/x-ndjson", line("water-001", "1"), 200, "accepted"},
		{"identical", "gw-key", "application/x-ndjson", line("water-001", "1"), 200, "accepted"},
		{"changed", "gw-key", "application/x-ndjson", line("water-001", "2"), 409, "conflict"},
		{"unregistered", "all-key", "application/x-ndjson", line("gw-9", "1"), 200, "rejected"},
		{"reserved id", "all-key", "application/x-ndjson", `{"id":"311-x","device_id":"water-003","value":1,"time":"2026-07-01T00:30:00Z"}`, 200, "rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/readings", strings.NewReader(tc.body))
			if tc.key != "" {
				req.Header.Set("Authorization", "Bearer "+tc.key)
			}
			req.Header.Set("Content-Type", tc.ctype)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if tc.status == "" {
				return
			}
			var res BatchResult
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Results) != 1 || res.Results[0].Status != tc.status {
				t.Errorf("answer %s, want status %s", rec.Body, tc.status)
			}
		})
	}
	if len(it.out) != 1 {
		t.Errorf("published %d readings, want 1", len(it.out))
	}
}

// TestIDsBounded checks the memory keeps the newest ids only.
func TestIDsBounded(t *testing.T) {
	m := NewIDs(3)
	for _, id := range []string{"a", "b", "c", "d"} {
		if m.Claim(id, "h") != ClaimNew {
			t.Fatalf("%s not new", id)
		}
	}
	if m.Len() != 3 || m.Claim("a", "h") != ClaimNew || m.Claim("d", "x") != ClaimConflict || m.Claim("c", "h") != ClaimSame {
		t.Errorf("memory of %d ids after 4", m.Len())
	}
	// A claim released (its event was not published) and made again keeps
	// its place when the slot it first had is reused.
	m = NewIDs(3)
	m.Claim("a", "h")
	m.Release("a", "h")
	m.Claim("b", "h")
	m.Claim("a", "h2")
	m.Claim("c", "h") // fills the ring: a, b, a
	m.Claim("d", "h") // reuses a's first slot
	if m.Claim("a", "h3") != ClaimConflict {
		t.Error("a re-claimed id was forgotten with the slot of its first claim")
	}
}

// TestIDsRestart stores events through one intake, then starts another
// on the same broker, as after a restart or on another replica: it loads
// the id topic, answers an identical resend as before without storing it
// again, and a changed one with 409.
func TestIDsRestart(t *testing.T) {
	brokers := startBroker(t, bus.TopicIntakeIDs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ids := bus.NewWriter(brokers, bus.TopicIntakeIDs)
	defer ids.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func() (*intakeTest, context.CancelFunc) {
		m := NewIDs(0)
		lctx, stop := context.WithCancel(ctx)
		go func() {
			if err := LoadIDs(lctx, brokers, bus.TopicIntakeIDs, m, log); err != nil {
				t.Error(err)
			}
		}()
		it := newIntakeTest(t, m)
		it.h.PublishIDs = ids.WriteMessages
		return it, stop
	}
	first, stop := start()
	if rec := first.post("city-key", "application/json", hotline("7", "路灯不亮")); rec.Code != 202 {
		t.Fatalf("first send: %d %s", rec.Code, rec.Body)
	}
	stop()

	second, stop := start()
	defer stop()
	if rec := second.post("city-key", "application/json", hotline("7", "路灯不亮")); rec.Code != 200 {
		t.Errorf("identical resend after restart: %d %s", rec.Code, rec.Body)
	}
	if rec := second.post("city-key", "application/json", hotline("7", "REWRITTEN")); rec.Code != 409 {
		t.Errorf("changed resend after restart: %d %s", rec.Code, rec.Body)
	}
	if rec := second.post("city-key", "application/json", hotline("8", "新的")); rec.Code != 202 {
		t.Errorf("new id after restart: %d %s", rec.Code, rec.Body)
	}
	if len(second.out) != 1 || second.out[0].ID != "city:8" {
		t.Errorf("the second intake published %+v", second.out)
	}
	// A replica running alongside sees what the other stores.
	third, stop3 := start()
	defer stop3()
	if err := third.h.IDs.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for third.h.IDs.Len() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if rec := third.post("city-key", "application/json", hotline("8", "changed")); rec.Code != http.StatusConflict {
		t.Errorf("another replica's id: %d %s", rec.Code, rec.Body)
	}
}
