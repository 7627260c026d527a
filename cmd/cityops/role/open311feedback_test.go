package role

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/geo"
)

// TestOpen311Feedback runs intake and the dispatcher as cityops dev does: a
// citizen's Open311 request becomes a task, the department resolves it, and
// the citizen's dissatisfied rating through Open311 reaches the dispatcher
// as a callback (signed with the cluster secret, no center token in
// intake), which reopens the task to the same department; a second rating
// in the round is 409, and the request's status_notes tell the reopening.
func TestOpen311Feedback(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_open311_feedback"}, Intake: IntakeConfig{APIKeys: []string{"test-key"}}})
	o, s, pack, log := &e.o, e.s, e.pack, e.log
	tokensPath := filepath.Join(t.TempDir(), "tokens.json")
	o.Tokens = tokensPath
	base := "http://" + o.HTTP.Listen
	o.Tasks = base
	d, err := newDispatcher(ctx, o, pack, DispatchFiles{Advertise: base}, newRegistry(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	tk, err := taskapi.ReadTokens(tokensPath)
	if err != nil {
		t.Fatal(err)
	}
	e.run(ctx, t,
		func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) },
		func(ctx context.Context) error { return sink(ctx, o, s, log) },
		d.Run,
		func(ctx context.Context) error { return serveWeb(ctx, o, pack, s, newRegistry(), log, d.Routes()) },
	)
	roletest.WaitHTTP(t, base+"/healthz")
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := roletest.PointIn(t, areas, "d1-s2")
	resp, err := http.PostForm(base+"/open311/v2/requests.json", url.Values{"api_key": {"test-key"}, "service_code": {"0111"},
		"lat": {fmt.Sprint(p[0])}, "long": {fmt.Sprint(p[1])}, "description": {"路口积水很深"}})
	if err != nil {
		t.Fatal(err)
	}
	var created []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	id := created[0].ID
	task := "/api/v1/tasks/INC-" + id
	call := func(method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	var dep string
	roletest.WaitFor(t, 30*time.Second, func() error {
		code, got := call("GET", task, tk.Center, "")
		if code != 200 {
			return fmt.Errorf("task: %d %v", code, got)
		}
		dep, _ = got["department_id"].(string)
		if dep == "" {
			return fmt.Errorf("task without department: %v", got)
		}
		return nil
	})
	for _, step := range []string{"accept", "resolve"} {
		body := ""
		if step == "resolve" {
			body = `{"evidence":["photo://drained.jpg"],"note":"排水口已疏通"}`
		}
		if code, got := call("POST", task+"/"+step, tk.Departments[dep], body); code != 200 {
			t.Fatalf("%s: %d %v", step, code, got)
		}
	}
	rate := func(result string) (int, string) {
		resp, err := http.PostForm(base+"/open311/v2/requests/"+id+"/feedback.json", url.Values{"api_key": {"test-key"},
			"result": {result}, "comment": {"还是积水，电话13912345678"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The rating needs the request in the store, which the sink writes.
	var code int
	var body string
	roletest.WaitFor(t, 30*time.Second, func() error {
		if code, body = rate("dissatisfied"); code != 201 {
			return fmt.Errorf("rating: %d %s", code, body)
		}
		return nil
	})
	if code, got := call("GET", task, tk.Center, ""); code != 200 || got["status"] != "dispatched" || got["department_id"] != dep {
		t.Errorf("after a dissatisfied rating: %d %v", code, got)
	}
	if code, body = rate("satisfied"); code != 409 || !strings.HasPrefix(body, `[{"code":409,"description":"conflict: `) {
		t.Errorf("a second rating in the round: %d %s", code, body)
	}
	roletest.WaitFor(t, 30*time.Second, func() error {
		resp, err := http.Get(base + "/open311/v2/requests/" + id + ".json?lang=zh")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), "已办结：排水口已疏通") || !strings.Contains(string(b), "已重新派发至") || strings.Contains(string(b), "13912345678") {
			return fmt.Errorf("status notes: %s", b)
		}
		return nil
	})
}
