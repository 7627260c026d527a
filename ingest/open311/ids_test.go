package open311

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
	"github.com/segmentio/kafka-go"
)

// TestResendAfterRestart sends one form to an endpoint, then the same form
// to a new endpoint (new records, as after a restart or on another replica)
// that shares the id memory: it answers with the same id and stores nothing.
func TestResendAfterRestart(t *testing.T) {
	ids := ingest.NewIDs(0)
	ids.MarkReady()
	var published, kept atomic.Int32
	newServer := func() http.Handler {
		return New(Config{
			Categories: []cityops.Category{{Code: "06010", Name: "暴露垃圾"}},
			APIKeys:    map[string]bool{"dev-key": true},
			Validator:  &ingest.Validator{},
			Publish:    func(context.Context, ...kafka.Message) error { published.Add(1); return nil },
			IDs:        ids,
			PublishIDs: func(context.Context, ...kafka.Message) error { kept.Add(1); return nil },
		}).Handler("/open311/v2")
	}
	form := url.Values{"api_key": {"dev-key"}, "service_code": {"06010"}, "lat": {"30.61"}, "long": {"117.05"}, "description": {"垃圾"}}
	var got []string
	for _, h := range []http.Handler{newServer(), newServer()} {
		req := httptest.NewRequest(http.MethodPost, "/open311/v2/requests.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var c []created
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &c) != nil || len(c) != 1 {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		got = append(got, c[0].ID)
	}
	if got[0] != got[1] || published.Load() != 1 || kept.Load() != 1 {
		t.Errorf("ids %v, published %d, kept %d: want one id, stored once", got, published.Load(), kept.Load())
	}
}

// TestQueryManyIDs checks that GET requests with service_request_id takes at
// most 50 ids and reads the ones it does not hold with one lookup.
func TestQueryManyIDs(t *testing.T) {
	var calls atomic.Int32
	srv := New(Config{
		Categories: []cityops.Category{{Code: "06010", Name: "暴露垃圾"}},
		Lookup: func(context.Context, string) (Record, bool) {
			t.Error("looked up one by one")
			return Record{}, false
		},
		LookupMany: func(_ context.Context, ids []string) map[string]Record {
			calls.Add(1)
			out := map[string]Record{}
			for _, id := range ids {
				if id != "311-nowhere" {
					out[id] = Record{ID: id, ServiceCode: "06010", Requested: testNow}
				}
			}
			return out
		},
	})
	h := srv.Handler("/open311/v2")
	get := func(ids []string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/open311/v2/requests.json?service_request_id="+strings.Join(ids, ","), nil))
		return rec
	}
	var ids []string
	for i := range 51 {
		ids = append(ids, "311-"+strings.Repeat("a", i+1))
	}
	if rec := get(ids); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "service_request_id") {
		t.Errorf("51 ids: %d %s", rec.Code, rec.Body)
	}
	rec := get(append(ids[:48:48], "311-nowhere", "other-id"))
	var got []serviceRequest
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil || len(got) != 48 || got[0].ServiceName != "暴露垃圾" {
		t.Errorf("50 ids: %d, %d requests", rec.Code, len(got))
	}
	if calls.Load() != 1 {
		t.Errorf("%d lookups, want 1", calls.Load())
	}
}
