package open311

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/ingest"
)

func postForm(t *testing.T, u string, form url.Values) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v: %s", u, err, b)
		}
	}
	return resp.StatusCode
}

// TestCreateFollowAndPrivacy creates a request with a caller, checks that
// the raw events topic holds it once with the caller masked and sealed, and
// follows it through GET requests, its token and the status the pipeline
// reports.
func TestCreateFollowAndPrivacy(t *testing.T) {
	env := newTestEnv(t, nil)
	base := env.http.URL + "/open311/v2/"
	form := url.Values{
		"api_key": {"dev-key"}, "service_code": {"06010"}, "lat": {"30.61"}, "long": {"117.05"},
		"description": {"垃圾堆了三天, 回电13812345678"},
		"first_name":  {"三丰"}, "last_name": {"张"}, "phone": {"13912345678"}, "email": {"zhang.sanfeng@example.com"},
		"address_string": {"鼓楼街 12 号"},
	}
	code, _, body := postForm(t, base+"requests.json", form)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var created []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(body, &created); err != nil || len(created) != 1 || created[0].ID == "" {
		t.Fatalf("create answered %s (%v)", body, err)
	}
	id := created[0].ID
	// The same form again is the same request, published once.
	if code, _, body := postForm(t, base+"requests.json", form); code != http.StatusCreated || !strings.Contains(string(body), id) {
		t.Fatalf("second create: %d %s, want id %s", code, body, id)
	}
	msgs := env.published(t, time.Second)
	if len(msgs) != 1 {
		t.Fatalf("topic holds %d records, want 1", len(msgs))
	}
	m := msgs[0]
	for _, secret := range []string{"13912345678", "13812345678", "zhang.sanfeng", "三丰"} {
		if strings.Contains(string(m.Value), secret) {
			t.Errorf("event on the topic holds %q: %s", secret, m.Value)
		}
		for _, h := range m.Headers {
			if strings.Contains(string(h.Value), secret) {
				t.Errorf("header %s holds %q", h.Key, secret)
			}
		}
	}
	var ev cityops.Event
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != id || ev.Source != cityops.SourceHotline || !strings.Contains(ev.Text, "138****5678") || ev.Lat != 30.61 {
		t.Errorf("published %+v", ev)
	}
	hdr := map[string]string{}
	for _, h := range m.Headers {
		hdr[h.Key] = string(h.Value)
	}
	if hdr[HeaderCallerMasked] != `{"name":"三***","phone":"139****5678","email":"z***@example.com"}` {
		t.Errorf("masked caller header %q", hdr[HeaderCallerMasked])
	}
	c, err := env.sealer.Open(id, []byte(hdr[HeaderCallerSealed]))
	if err != nil || c.Phone != "13912345678" || c.Name != "三丰 张" {
		t.Errorf("sealed caller opens to %+v, %v", c, err)
	}
	if _, ok := env.vault.Get(id); !ok {
		t.Error("vault has no sealed caller")
	}

	// Before dispatch the request is open with no agency.
	var got []serviceRequest
	if code := getJSON(t, base+"requests/"+id+".json", &got); code != 200 || len(got) != 1 || got[0].Status != "open" || got[0].AgencyResponsible != "" {
		t.Fatalf("GET request: %d %+v", code, got)
	}
	if got[0].ServiceName != "暴露垃圾" || got[0].Address != "鼓楼街 12 号" || strings.Contains(got[0].Description, "13812345678") {
		t.Errorf("GET request shows %+v", got[0])
	}
	// Once dispatched and closed, it says so.
	env.status[id] = Status{Open: false, Agency: "城管执法局", Notes: "cleared", Updated: testNow.Add(3 * time.Hour), Expected: testNow.Add(24 * time.Hour)}
	if code := getJSON(t, base+"requests/"+id+".json", &got); code != 200 || got[0].Status != "closed" || got[0].AgencyResponsible != "城管执法局" ||
		got[0].Updated != "2026-07-01T05:00:00Z" || got[0].Expected != "2026-07-02T02:00:00Z" || got[0].StatusNotes != "cleared" {
		t.Fatalf("GET request after close: %d %+v", code, got)
	}
	// XML shape.
	resp, err := http.Get(base + "requests/" + id + ".xml")
	if err != nil {
		t.Fatal(err)
	}
	xb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var xr struct {
		XMLName  xml.Name         `xml:"service_requests"`
		Requests []serviceRequest `xml:"request"`
	}
	if err := xml.Unmarshal(xb, &xr); err != nil || len(xr.Requests) != 1 || xr.Requests[0].AgencyResponsible != "城管执法局" {
		t.Errorf("XML request: %v %s", err, xb)
	}

	// The token resolves to the id.
	rec, _ := env.srv.Records().Get(id)
	var toks []tokenAnswer
	if code := getJSON(t, base+"tokens/"+rec.Token+".json", &toks); code != 200 || len(toks) != 1 || toks[0].ID != id {
		t.Errorf("token: %d %+v", code, toks)
	}

	// Queries and their filters.
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"", 1},
		{"?status=closed", 1},
		{"?status=open", 0},
		{"?status=open,closed", 1},
		{"?service_code=06010,06013", 1},
		{"?service_code=06013", 0},
		{"?service_request_id=" + id + ",nope&status=open", 1}, // the id list overrides the other filters
		{"?start_date=2026-06-30T00:00:00Z&end_date=2026-07-02T00:00:00%2B08:00", 1},
		{"?start_date=2026-07-01T03:00:00Z", 0},
		{"?end_date=2026-03-01T00:00:00Z", 0},
		{"?page=2&page_size=1", 0},
	} {
		var rs []serviceRequest
		if code := getJSON(t, base+"requests.json"+tc.query, &rs); code != 200 || len(rs) != tc.n {
			t.Errorf("requests.json%s: %d, %d results, want %d", tc.query, code, len(rs), tc.n)
		}
	}
}

// TestRateLimitPerKey checks 429 with Retry-After once a key spends its burst.
func TestRateLimitPerKey(t *testing.T) {
	env := newTestEnv(t, ingest.NewKeyLimiter(0.5, 2))
	u := env.http.URL + "/open311/v2/requests.json"
	for i, want := range []int{201, 201, 429} {
		form := url.Values{"api_key": {"dev-key"}, "service_code": {"06010"}, "lat": {"30.61"}, "long": {"117.05"}, "description": {"garbage " + string(rune('a'+i))}}
		code, h, body := postForm(t, u, form)
		if code != want {
			t.Fatalf("request %d: %d %s, want %d", i, code, body, want)
		}
		if code == 429 && h.Get("Retry-After") != "2" {
			t.Errorf("Retry-After %q, want 2", h.Get("Retry-After"))
		}
	}
}
