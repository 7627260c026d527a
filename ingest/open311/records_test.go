package open311

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cityops/cityops"
)

// TestRecordsKeepNewest checks that the record set forgets its oldest
// requests past its size, by id and by token.
func TestRecordsKeepNewest(t *testing.T) {
	rs := NewRecords()
	rs.max = 3
	for i := range 5 {
		id := fmt.Sprint(i)
		if _, isNew := rs.Add(Record{ID: id, Token: "t" + id, Requested: testNow.Add(time.Duration(i) * time.Minute)}); !isNew {
			t.Fatalf("%s not new", id)
		}
	}
	if _, isNew := rs.Add(Record{ID: "4"}); isNew {
		t.Error("a record added twice was new twice")
	}
	for id, want := range map[string]bool{"0": false, "1": false, "2": true, "4": true} {
		if _, ok := rs.Get(id); ok != want {
			t.Errorf("Get(%s) = %v, want %v", id, ok, want)
		}
		if _, ok := rs.ByToken("t" + id); ok != want {
			t.Errorf("ByToken(t%s) = %v, want %v", id, ok, want)
		}
	}
	if got := rs.Between(testNow, testNow.Add(time.Hour), nil); len(got) != 3 || got[0].ID != "4" {
		t.Errorf("Between = %+v, want 4, 3, 2", got)
	}
}

// TestLookupFallback checks that a request created elsewhere is found
// through Lookup, with its service name from the catalogue.
func TestLookupFallback(t *testing.T) {
	srv := New(Config{
		Categories: []cityops.Category{{Code: "06010", Name: "暴露垃圾"}},
		Lookup: func(_ context.Context, id string) (Record, bool) {
			if id != "311-elsewhere" {
				return Record{}, false
			}
			return Record{ID: id, ServiceCode: "06010", Lat: 30.6, Long: 117.05, Requested: testNow}, true
		},
	})
	h := srv.Handler("/open311/v2")
	for _, tc := range []struct {
		path string
		code int
		n    int
	}{
		{"/open311/v2/requests/311-elsewhere.json", 200, 1},
		{"/open311/v2/requests.json?service_request_id=311-elsewhere,311-nowhere", 200, 1},
		{"/open311/v2/requests/311-nowhere.json", 404, 0},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.code {
			t.Fatalf("%s: %d, want %d", tc.path, rec.Code, tc.code)
		}
		if tc.code != 200 {
			continue
		}
		var got []serviceRequest
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != tc.n || got[0].ServiceName != "暴露垃圾" {
			t.Errorf("%s: %s (%v)", tc.path, rec.Body, err)
		}
	}
}
