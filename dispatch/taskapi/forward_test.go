package taskapi_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/taskapi"
)

// twoReplicas starts replicas a (partition 0) and b (partition 1) and waits
// until each knows the other from the owners topic. It returns the id of a
// water task each holds.
func twoReplicas(t *testing.T, c *cluster) (a, b *replica, onA, onB string) {
	t.Helper()
	a, b = c.replica(t, 0), c.replica(t, 1)
	for i := 0; onA == "" || onB == ""; i++ {
		id := "INC-fwd-" + strconv.Itoa(i)
		switch {
		case a.svc.Partition(id) == 0 && onA == "":
			onA = id
			a.adopt(t, c.ctx, id, "water")
		case a.svc.Partition(id) == 1 && onB == "":
			onB = id
			b.adopt(t, c.ctx, id, "water")
		}
	}
	for {
		ownerOfB, _ := a.owners.Owner(1)
		ownerOfA, _ := b.owners.Owner(0)
		if ownerOfB == b.url && ownerOfA == a.url {
			return a, b, onA, onB
		}
		select {
		case <-c.ctx.Done():
			t.Fatalf("the replicas never learned of each other: a sees %q, b sees %q", ownerOfB, ownerOfA)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestForwardCarriesNoToken asks replica a about a task replica b holds,
// and for the list of every replica's tasks: b answers, and what b received
// carries the caller's identity signed with the cluster secret, never the
// caller's token.
func TestForwardCarriesNoToken(t *testing.T) {
	c := newCluster(t)
	a, b, _, onB := twoReplicas(t, c)
	water := c.tk.Departments["water"]

	step := call(t, c.ctx, "POST", a.url+"/api/v1/tasks/"+onB+"/note", water, `{"note":"pumps on site"}`, nil)
	if step.code != http.StatusOK || step.header.Get(taskapi.HeaderOwner) != b.url {
		t.Fatalf("note through a: %d %s, owner %q", step.code, step.body, step.header.Get(taskapi.HeaderOwner))
	}
	if task, _ := b.svc.Get(onB); task.Version != 3 {
		t.Errorf("b's task is at version %d, want 3 after the note", task.Version)
	}
	list := call(t, c.ctx, "GET", a.url+"/api/v1/tasks", water, "", nil)
	if list.code != http.StatusOK || list.json["total"] != 2.0 {
		t.Errorf("list through a: %d %s", list.code, list.body)
	}

	got := b.headers()
	if len(got) != 2 {
		t.Fatalf("b received %d requests, want the note and the list", len(got))
	}
	for i, h := range got {
		for k, v := range h {
			if strings.Contains(strings.Join(v, " "), water) {
				t.Errorf("request %d to b carries the caller's token in %s", i, k)
			}
		}
		if h.Get("Authorization") != "" {
			t.Errorf("request %d to b has an Authorization header", i)
		}
		if h.Get(taskapi.HeaderIdentity) != "dept:water" || h.Get(taskapi.HeaderForwarded) != a.url ||
			len(h.Get(taskapi.HeaderSignature)) != 64 || h.Get(taskapi.HeaderTimestamp) == "" {
			t.Errorf("request %d to b: %v", i, h)
		}
	}
}

// TestForgedForwardIsRefused sends replica b requests that claim to be
// forwarded by a: without a signature, signed with another secret, too old,
// addressed to another replica, or signed for another body are 401 and take
// no step; the same request signed right is taken.
func TestForgedForwardIsRefused(t *testing.T) {
	c := newCluster(t)
	a, b, _, onB := twoReplicas(t, c)
	path := "/api/v1/tasks/" + onB + "/accept"
	body := `{"note":"on our way"}`
	signed := func(secret []byte, to, signedBody string, at time.Time) http.Header {
		req, err := http.NewRequest("POST", b.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		taskapi.Sign(req, []byte(signedBody), secret, taskapi.Forward{From: a.url, To: to, Actor: lifecycle.Actor{Department: "water"}, Time: at})
		return req.Header
	}
	other := bytes.Repeat([]byte{7}, taskapi.MinSecret)
	now := time.Now()
	for _, tc := range []struct {
		name   string
		header http.Header
		want   string // in the error
	}{
		{"no signature", http.Header{taskapi.HeaderForwarded: {a.url}, taskapi.HeaderIdentity: {"center"},
			taskapi.HeaderTimestamp: {strconv.FormatInt(now.Unix(), 10)}}, taskapi.HeaderSignature},
		{"identity alone", http.Header{taskapi.HeaderIdentity: {"center"}}, taskapi.HeaderTimestamp},
		{"another secret", signed(other, b.url, body, now), taskapi.HeaderSignature},
		{"expired", signed(c.secret, b.url, body, now.Add(-2*taskapi.MaxSkew)), taskapi.HeaderTimestamp},
		{"from the future", signed(c.secret, b.url, body, now.Add(2*taskapi.MaxSkew)), taskapi.HeaderTimestamp},
		{"addressed to a", signed(c.secret, a.url, body, now), taskapi.HeaderSignature},
		{"another body", signed(c.secret, b.url, `{"note":"never mind"}`, now), taskapi.HeaderSignature},
		{"identity changed", func() http.Header {
			h := signed(c.secret, b.url, body, now)
			h.Set(taskapi.HeaderIdentity, "center")
			return h
		}(), taskapi.HeaderSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, c.ctx, "POST", b.url+path, "", body, tc.header)
			msg, _ := r.json["error"].(string)
			if r.code != http.StatusUnauthorized || !strings.Contains(msg, tc.want) {
				t.Errorf("%d %q, want 401 naming %s", r.code, msg, tc.want)
			}
		})
	}
	// A forged forward with a token: the forward headers are what counts.
	r := call(t, c.ctx, "POST", b.url+path, c.tk.Departments["water"], body, signed(other, b.url, body, now))
	if r.code != http.StatusUnauthorized {
		t.Errorf("forged forward with a token: %d %s", r.code, r.body)
	}
	if task, _ := b.svc.Get(onB); task.Status != "dispatched" {
		t.Fatalf("a forged forward took a step: %s", task.Status)
	}
	if r := call(t, c.ctx, "POST", b.url+path, "", body, signed(c.secret, b.url, body, now)); r.code != http.StatusOK {
		t.Errorf("a signed forward: %d %s", r.code, r.body)
	}
}

// TestIntakeForwardTakesOneHop checks intake's signed requests, which reach
// whichever replica the dispatchers' service picks: signed to no replica in
// particular, one is taken by any replica and forwarded once to the holder
// of the task; a replica's own forward signed so is refused.
func TestIntakeForwardTakesOneHop(t *testing.T) {
	c := newCluster(t)
	a, b, _, onB := twoReplicas(t, c)
	path := "/api/v1/tasks/" + onB
	signed := func(from string) http.Header {
		req, err := http.NewRequest("GET", a.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		taskapi.Sign(req, nil, c.secret, taskapi.Forward{From: from, Actor: lifecycle.Actor{Center: true}, Time: time.Now()})
		return req.Header
	}
	// A replica's forward must name its receiver.
	if r := call(t, c.ctx, "GET", a.url+path, "", "", signed(b.url)); r.code != http.StatusUnauthorized {
		t.Errorf("a replica's forward to no replica: %d %s, want 401", r.code, r.body)
	}
	// Intake's reaches a, which does not hold the task, and b answers it.
	r := call(t, c.ctx, "GET", a.url+path, "", "", signed(taskapi.FromIntake))
	if r.code != http.StatusOK || r.json["id"] != onB || r.header.Get(taskapi.HeaderOwner) != b.url {
		t.Fatalf("intake's request through a: %d %s, owner %q, want b's answer", r.code, r.body, r.header.Get(taskapi.HeaderOwner))
	}
}
