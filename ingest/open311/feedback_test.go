package open311

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFeedback rates a request: the rating reaches the dispatcher on the
// request's incident with its comment masked, a second in the round is 409,
// and a request the pipeline has not handled yet cannot be rated.
func TestFeedback(t *testing.T) {
	env := newTestEnv(t, nil)
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		resp, err := http.PostForm(env.http.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post("/open311/v2/requests.json", url.Values{"api_key": {"dev-key"}, "service_code": {"06010"}, "lat": {"30.61"}, "long": {"117.05"}, "description": {"rubbish"}})
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	id := body[strings.Index(body, "311-") : strings.Index(body, "311-")+24]
	rate := url.Values{"api_key": {"dev-key"}, "result": {"dissatisfied"}, "comment": {"still there, call me on 13912345678"}}

	code, body = post("/open311/v2/requests/"+id+"/feedback.json", rate)
	if code != 409 || !strings.Contains(body, `[{"code":409,"description":"conflict: service_request_id `+id+` is not handled yet`) {
		t.Errorf("before the pipeline has it: %d %s", code, body)
	}
	env.status[id] = Status{Open: false, Incident: "INC-other"} // merged into another incident
	code, body = post("/open311/v2/requests/"+id+"/feedback.json", rate)
	if code != 201 || body != `[{"service_request_id":"`+id+`","result":"dissatisfied"}]` {
		t.Errorf("rating: %d %s", code, body)
	}
	if got := env.rated["INC-other"]; len(got) != 1 || got[0].RequestID != id || got[0].Result != "dissatisfied" ||
		strings.Contains(got[0].Comment, "13912345678") || !strings.Contains(got[0].Comment, "still there") {
		t.Errorf("handed over %+v", env.rated)
	}
	code, body = post("/open311/v2/requests/"+id+"/feedback.xml", rate)
	if code != 409 || !strings.Contains(body, "<errors><error><code>409</code><description>conflict: feedback already recorded for this round") {
		t.Errorf("a second rating: %d %s", code, body)
	}
}

// TestStatusNotesLanguage picks the notes' language from lang, then
// Accept-Language, then the pack's locale.
func TestStatusNotesLanguage(t *testing.T) {
	s := New(Config{Locale: "zh-CN", Agencies: map[string]Agency{"cg": {Name: "城管局", NameEN: "City Management"}}})
	st := Stored{Known: true, State: "in_progress", Agency: "cg", Steps: []Step{
		{Action: "adopt"}, {Action: "dispatch", Agency: "cg"}, {Action: "note", Note: "internal"}, {Action: "accept", Agency: "cg"},
		{Action: "reopen", Agency: "cg", Reason: "repeat"},
	}}
	for _, c := range []struct{ query, accept, want string }{
		{"", "", "已派发至城管局。城管局已受理。已重新派发至城管局办理：重复投诉。"},
		{"", "en-GB,en;q=0.8", "Dispatched to City Management. Accepted by City Management. Reopened and dispatched to City Management: a repeat complaint."},
		{"lang=zh", "en", "已派发至城管局。城管局已受理。已重新派发至城管局办理：重复投诉。"},
	} {
		r, _ := http.NewRequest("GET", "/x?"+c.query, nil)
		r.Header.Set("Accept-Language", c.accept)
		if got := s.statusNotes(st, s.language(r)); got != c.want {
			t.Errorf("%q %q: %q, want %q", c.query, c.accept, got, c.want)
		}
	}
	if got := s.statusNotes(Stored{Known: true, State: "dispatched"}, langEN); got != "dispatched" {
		t.Errorf("no steps: %q", got)
	}
}
