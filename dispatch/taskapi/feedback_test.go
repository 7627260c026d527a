package taskapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// TestFeedback records callbacks (回访) through the API: malformed bodies are
// refused with 400 naming the field, only the center records one, only
// after resolution and once per round; a dissatisfied one reopens the task
// for rework by the same department, with the comment masked on the
// transition, and the callbacks and reopenings are counted per department.
func TestFeedback(t *testing.T) {
	c := newCluster(t)
	r := c.replica(t)
	r.adopt(t, c.ctx, "INC-f", "water")
	r.adopt(t, c.ctx, "INC-open", "water")
	center, water := c.tk.Center, c.tk.Departments["water"]
	step := func(id, action, token, body string, want int) answer {
		t.Helper()
		a := call(t, c.ctx, "POST", r.srv.URL+"/api/v1/tasks/"+id+"/"+action, token, body, nil)
		if a.code != want {
			t.Fatalf("%s %s: %d %s, want %d", action, id, a.code, a.body, want)
		}
		return a
	}
	step("INC-f", "accept", water, ``, 200)
	step("INC-f", "resolve", water, `{"evidence":["https://photos/1"]}`, 200)

	for _, tc := range []struct {
		name, action, token, body string
		want                      int
		field                     string // the error starts with it
	}{
		{"no result", "feedback", center, `{"channel":"phone"}`, 400, "result: is required"},
		{"unknown result", "feedback", center, `{"result":"happy","channel":"phone"}`, 400, "result:"},
		{"no channel", "feedback", center, `{"result":"satisfied"}`, 400, "channel: is required"},
		{"unknown channel", "feedback", center, `{"result":"satisfied","channel":"fax"}`, 400, "channel:"},
		{"result not a string", "feedback", center, `{"result":1,"channel":"sms"}`, 400, "result:"},
		{"unknown field", "feedback", center, `{"result":"satisfied","channel":"sms","stars":5}`, 400, "stars: unknown field"},
		{"a note instead of a comment", "feedback", center, `{"result":"satisfied","channel":"sms","note":"x"}`, 400, "note:"},
		{"a reason", "feedback", center, `{"result":"satisfied","channel":"sms","reason":"x"}`, 400, "reason:"},
		{"comment over the limit", "feedback", center, `{"result":"satisfied","channel":"sms","comment":"` + strings.Repeat("x", taskapi.MaxNote+1) + `"}`, 413, "comment:"},
		{"a result on another step", "note", water, `{"note":"x","result":"satisfied"}`, 400, "result: only feedback"},
		{"no body", "feedback", center, ``, 400, "result: is required"},
		{"by the department", "feedback", water, `{"result":"satisfied","channel":"phone"}`, 403, ""},
		{"before resolution", "feedback", center, `{"result":"satisfied","channel":"phone"}`, 409, ""},
		{"reopen is not an API step", "reopen", center, `{"reason":"repeat"}`, 404, "no action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "INC-f"
			if tc.name == "before resolution" {
				id = "INC-open"
			}
			a := call(t, c.ctx, "POST", r.srv.URL+"/api/v1/tasks/"+id+"/"+tc.action, tc.token, tc.body, nil)
			msg, _ := a.json["error"].(string)
			if a.code != tc.want || !strings.HasPrefix(msg, tc.field) {
				t.Errorf("%d %q, want %d and an error starting %q", a.code, msg, tc.want, tc.field)
			}
		})
	}
	if task, _ := r.svc.Get("INC-f"); task.Version != 4 || task.Rated != 0 { // adopted, accepted, resolved
		t.Fatalf("the refused callbacks changed the task: version %d rated %d", task.Version, task.Rated)
	}

	// Dissatisfied within the window: back to water for rework.
	a := step("INC-f", "feedback", center, `{"result":"dissatisfied","channel":"phone","comment":"still flooded, call me on 13812341234"}`, 200)
	if a.json["status"] != "dispatched" || a.json["department_id"] != "water" || a.json["redone"] != 1.0 || a.json["rated"] != 1.0 {
		t.Fatalf("after a dissatisfied callback: %s", a.body)
	}
	step("INC-f", "feedback", center, `{"result":"satisfied","channel":"sms"}`, 409) // not resolved again yet
	step("INC-f", "accept", water, ``, 200)
	step("INC-f", "resolve", water, `{"evidence":["https://photos/2"]}`, 200)
	a = step("INC-f", "feedback", center, `{"result":"basically_satisfied","channel":"web"}`, 200)
	if a.json["status"] != "resolved" || a.json["rated"] != 2.0 {
		t.Fatalf("after a satisfied callback: %s", a.body)
	}
	a = step("INC-f", "feedback", center, `{"result":"dissatisfied","channel":"web"}`, 409) // once per round
	if msg, _ := a.json["error"].(string); !strings.Contains(msg, "feedback already recorded") {
		t.Fatalf("a second callback: %s", a.body)
	}

	// The transitions carry the callback, its comment masked.
	var fb []cityops.Transition
	for _, tr := range readTransitions(t, c.ctx, c.brokers, "INC-f") {
		if tr.Action == "feedback" || tr.Action == "reopen" {
			fb = append(fb, tr)
		}
	}
	if len(fb) != 3 || fb[0].Result != "dissatisfied" || fb[0].Channel != "phone" || strings.Contains(fb[0].Note, "13812341234") ||
		!strings.Contains(fb[0].Note, "still flooded") || fb[1].Action != "reopen" || fb[1].Reason != "dissatisfied" ||
		fb[1].Department != "water" || fb[2].Result != "basically_satisfied" {
		t.Fatalf("transitions: %+v", fb)
	}

	// Counted per department.
	reg := prometheus.NewRegistry()
	reg.MustRegister(r.svc.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			k := mf.GetName()
			for _, l := range m.GetLabel() {
				k += "," + l.GetName() + "=" + l.GetValue()
			}
			if m.Counter != nil {
				got[k] = m.Counter.GetValue()
			}
		}
	}
	for k, want := range map[string]float64{
		"cityops_task_feedback_total,department=water,result=dissatisfied":        1,
		"cityops_task_feedback_total,department=water,result=basically_satisfied": 1,
		"cityops_task_reopens_total,department=water,reason=dissatisfied":         1,
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], want, got)
		}
	}
}

// readTransitions reads the transitions of incident id from the topic.
func readTransitions(t *testing.T, ctx context.Context, brokers []string, id string) []cityops.Transition {
	t.Helper()
	var out []cityops.Transition
	for p := 0; p < 2; p++ {
		conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], tasks.Topic, p)
		if err != nil {
			t.Fatal(err)
		}
		end, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			continue
		}
		rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: tasks.Topic, Partition: p, MaxWait: 50 * time.Millisecond})
		for {
			m, err := rd.ReadMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var tr cityops.Transition
			if err := json.Unmarshal(m.Value, &tr); err != nil {
				t.Fatal(err)
			}
			if tr.IncidentID == id {
				out = append(out, tr)
			}
			if m.Offset >= end-1 {
				break
			}
		}
		rd.Close()
	}
	return out
}
