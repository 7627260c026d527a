package taskapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cityops/cityops/dispatch/taskapi"
)

// TestMalformedSteps sends steps whose bodies are wrong: each is refused
// with 400 or 413 and an error that names the field, and the task is left
// as it was.
func TestMalformedSteps(t *testing.T) {
	c := newCluster(t)
	r := c.replica(t)
	r.adopt(t, c.ctx, "INC-w", "water")
	center, water := c.tk.Center, c.tk.Departments["water"]
	note := func(n int) string { return `{"note":"` + strings.Repeat("x", n) + `"}` }
	links := func(n int) string {
		l := make([]string, n)
		for i := range l {
			l[i] = strconv.Quote("https://photos/" + strconv.Itoa(i))
		}
		return `{"evidence":[` + strings.Join(l, ",") + `]}`
	}
	for _, tc := range []struct {
		name, action, token, body string
		want                      int
		field                     string // the error starts with it
	}{
		{"hours far too many", "extend", center, `{"hours":1e300}`, 400, "hours:"},
		{"hours over 90 days", "extend", center, `{"hours":2161}`, 400, "hours:"},
		{"hours zero", "extend", center, `{"hours":0}`, 400, "hours:"},
		{"hours negative", "extend", center, `{"hours":-3}`, 400, "hours:"},
		{"hours missing", "extend", center, `{}`, 400, "hours: is required"},
		{"hours no body", "extend", center, ``, 400, "hours: is required"},
		{"hours beyond float64", "extend", center, `{"hours":1e400}`, 400, "hours:"},
		{"hours a string", "extend", center, `{"hours":"NaN"}`, 400, "hours:"},
		{"hours on pause", "pause", center, `{"hours":5}`, 400, "hours: only extend"},
		{"hours on accept", "accept", water, `{"hours":1}`, 400, "hours: only extend"},
		{"note over the limit", "note", water, note(taskapi.MaxNote + 1), 413, "note:"},
		{"body over the limit", "note", water, note(taskapi.MaxBody), 413, "body:"},
		{"invalid UTF-8 in the note", "note", water, "{\"note\":\"pumps \xff\xfe on site\"}", 400, "note: is not valid UTF-8"},
		{"invalid UTF-8 in a link", "resolve", water, "{\"evidence\":[\"https://photos/\xc3\"]}", 400, "evidence: is not valid UTF-8"},
		{"invalid UTF-8 in a field name", "note", water, "{\"n\xffte\":\"x\"}", 400, "body: a field name is not valid UTF-8"},
		{"unknown field", "note", water, `{"note":"x","urgent":true}`, 400, "urgent: unknown field"},
		{"wrong type", "note", water, `{"note":42}`, 400, "note: number is not a string"},
		{"wrong type in a list", "resolve", water, `{"evidence":[1]}`, 400, "evidence"},
		{"not an object", "note", water, `["x"]`, 400, "body:"},
		{"two objects", "note", water, `{"note":"a"}{"note":"b"}`, 400, "body: holds more than one JSON value"},
		{"not JSON", "note", water, `{"note":`, 400, "body:"},
		{"too many links", "resolve", water, links(taskapi.MaxEvidence + 1), 400, "evidence:"},
		{"a link too long", "resolve", water, `{"evidence":["https://` + strings.Repeat("p", taskapi.MaxLink) + `"]}`, 413, "evidence[0]:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, c.ctx, "POST", r.srv.URL+"/api/v1/tasks/INC-w/"+tc.action, tc.token, tc.body, nil)
			msg, _ := a.json["error"].(string)
			if a.code != tc.want || !strings.HasPrefix(msg, tc.field) {
				t.Errorf("%d %q, want %d and an error starting %q", a.code, msg, tc.want, tc.field)
			}
		})
	}
	if task, _ := r.svc.Get("INC-w"); task.Version != 2 { // adopted, nothing since
		t.Errorf("the task changed: version %d", task.Version)
	}

	// The limits themselves are accepted.
	for _, tc := range []struct{ action, token, body string }{
		{"note", water, note(taskapi.MaxNote)},
		{"note", water, "{\"note\":\"ok \\ufffd as escaped\"}"},
		{"extend", center, `{"hours":2160}`},
		{"extend", center, `{"hours":0.5}`},
		{"pause", center, ``},
		{"resume", center, `{}`},
	} {
		if a := call(t, c.ctx, "POST", r.srv.URL+"/api/v1/tasks/INC-w/"+tc.action, tc.token, tc.body, nil); a.code != http.StatusOK {
			t.Errorf("%s %.40s: %d %s", tc.action, tc.body, a.code, a.body)
		}
	}
}

// TestUnseenTaskIsNotFound checks that a department cannot tell a task of
// another department from one that does not exist: same status, headers
// and body but for the id, for reads and for steps.
func TestUnseenTaskIsNotFound(t *testing.T) {
	c := newCluster(t)
	r := c.replica(t)
	r.adopt(t, c.ctx, "INC-jj", "jj")
	water := c.tk.Departments["water"]
	for _, tc := range []struct{ method, suffix, body string }{
		{"GET", "", ""},
		{"POST", "/accept", ""},
		{"POST", "/note", `{"note":"x"}`},
		{"POST", "/return", `{"reason":"wrong_location"}`},
	} {
		theirs := call(t, c.ctx, tc.method, r.srv.URL+"/api/v1/tasks/INC-jj"+tc.suffix, water, tc.body, nil)
		none := call(t, c.ctx, tc.method, r.srv.URL+"/api/v1/tasks/INC-no"+tc.suffix, water, tc.body, nil)
		if theirs.code != http.StatusNotFound || none.code != http.StatusNotFound {
			t.Errorf("%s %s: %d and %d, want 404 for both", tc.method, tc.suffix, theirs.code, none.code)
		}
		if got, want := strings.ReplaceAll(theirs.body, "INC-jj", "ID"), strings.ReplaceAll(none.body, "INC-no", "ID"); got != want {
			t.Errorf("%s %s: bodies differ: %q and %q", tc.method, tc.suffix, theirs.body, none.body)
		}
		theirs.header.Del("Date")
		none.header.Del("Date")
		if !equalHeaders(theirs.header, none.header) {
			t.Errorf("%s %s: headers differ: %v and %v", tc.method, tc.suffix, theirs.header, none.header)
		}
	}
	// The center still reads it.
	if a := call(t, c.ctx, "GET", r.srv.URL+"/api/v1/tasks/INC-jj", c.tk.Center, "", nil); a.code != http.StatusOK {
		t.Errorf("center: %d %s", a.code, a.body)
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, ",") != strings.Join(b[k], ",") {
			return false
		}
	}
	return true
}
