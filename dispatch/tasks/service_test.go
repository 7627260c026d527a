package tasks_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type env struct {
	brokers []string
	pack    *rules.Pack
	policy  *sla.Policy
	clock   *clock
	writers []*kafka.Writer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	pack, policy := tasks.DemoCity(t)
	e := &env{brokers: []string{b.Addr()}, pack: pack, policy: policy, clock: &clock{}}
	if err := bus.EnsureTopics(testContext(t), e.brokers, 2, tasks.Topic, bus.TopicIncidentChanges); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, w := range e.writers {
			w.Close()
		}
	})
	return e
}

func (e *env) service(t testing.TB) *tasks.Service {
	t.Helper()
	tw, cw := bus.NewWriter(e.brokers, tasks.Topic), bus.NewWriter(e.brokers, bus.TopicIncidentChanges)
	e.writers = append(e.writers, tw, cw)
	known, names := map[string]bool{}, map[string]string{}
	for _, d := range e.pack.Departments {
		known[d.ID] = true
	}
	for _, c := range e.pack.Categories {
		names[c.Code] = c.Name
	}
	s := tasks.New(tasks.Config{
		Machine:       &lifecycle.Machine{MaxReturns: e.policy.MaxReturns, Known: func(d string) bool { return known[d] }},
		Policy:        e.policy,
		Center:        e.pack.Matrix.Default,
		Transitions:   tw.WriteMessages,
		Changes:       cw.WriteMessages,
		Now:           e.clock.now,
		Retention:     30 * 24 * time.Hour,
		CategoryNames: names,
	})
	if _, err := s.Load(testContext(t), e.brokers, tasks.Topic); err != nil {
		t.Fatal(err)
	}
	return s
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var (
	center = lifecycle.Actor{Center: true}
	water  = lifecycle.Actor{Department: "water"}
)

// TestLoopSurvivesRestart runs incidents through the loop, restarts the
// service from the transitions topic in the middle of open deadlines, and
// checks that escalations that fell due while it was down fire at once.
func TestLoopSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	ctx := testContext(t)
	loc := e.pack.Location
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, loc) // a Monday
	e.clock.set(t0)
	s := e.service(t)

	flood := cityops.Incident{ID: "INC-flood", Status: cityops.StatusDispatched, Category: "0111", DepartmentID: "water",
		AreaID: "d1-s2", DistrictID: "d1", Reported: t0, Updated: t0, Version: 1}
	question := cityops.Incident{ID: "INC-q", Status: cityops.StatusReported, DepartmentID: "center", Reported: t0, Updated: t0, Version: 1}
	for _, inc := range []cityops.Incident{flood, question, flood} { // the second flood is a redelivery
		if err := s.Adopt(ctx, inc); err != nil {
			t.Fatal(err)
		}
	}
	if s.Len() != 2 {
		t.Fatalf("holding %d tasks", s.Len())
	}
	got, _ := s.Get("INC-flood")
	if want := t0.Add(6 * time.Hour); !got.Deadline.Equal(want) || got.Version != 2 {
		t.Fatalf("flood deadline %v version %d, want %v 2", got.Deadline, got.Version, want)
	}

	steps := []struct {
		id   string
		cmd  lifecycle.Command
		want error
	}{
		{"INC-flood", lifecycle.Command{Action: lifecycle.Accept, Actor: lifecycle.Actor{Department: "jj"}}, lifecycle.ErrForbidden},
		{"INC-flood", lifecycle.Command{Action: lifecycle.Accept, Actor: water}, nil},
		{"INC-flood", lifecycle.Command{Action: lifecycle.Accept, Actor: water}, lifecycle.ErrIllegal},
		{"INC-flood", lifecycle.Command{Action: lifecycle.Note, Actor: water, Note: "pumps on the way"}, nil},
		{"INC-q", lifecycle.Command{Action: lifecycle.Register, Actor: center, Category: "09009"}, nil},
		{"INC-q", lifecycle.Command{Action: lifecycle.Dispatch, Actor: center, Department: "zjw"}, nil},
		{"INC-q", lifecycle.Command{Action: lifecycle.Return, Actor: lifecycle.Actor{Department: "zjw"}, Reason: "not_responsible"}, nil},
		{"INC-missing", lifecycle.Command{Action: lifecycle.Accept, Actor: water}, cityops.ErrNotFound},
	}
	for i, st := range steps {
		if _, err := s.Do(ctx, st.id, st.cmd); !errors.Is(err, st.want) || (err == nil) != (st.want == nil) {
			t.Fatalf("step %d (%s %s): got %v, want %v", i, st.id, st.cmd.Action, err, st.want)
		}
	}
	q, _ := s.Get("INC-q")
	if q.Status != cityops.StatusRegistered || q.DepartmentID != "center" || q.Returns != 1 || !q.Dispatched.Equal(t0) {
		t.Fatalf("returned task: %+v", q)
	}
	// The center classified it as illegal parking: 4 hours from its dispatch,
	// and the return did not stop the clock.
	if q.Category != "09009" || q.CategoryName != "机动车乱停放" || !q.Deadline.Equal(t0.Add(4*time.Hour)) {
		t.Fatalf("classified task: %q %q deadline %v", q.Category, q.CategoryName, q.Deadline)
	}

	// Down for a while: at +6h30 the flood is past its deadline. A fresh
	// service rebuilt from the log holds the same tasks and escalates the
	// flood at once: warning, then the supervisor.
	e.clock.add(6*time.Hour + 30*time.Minute)
	s2 := e.service(t)
	for _, id := range []string{"INC-flood", "INC-q"} {
		a, _ := s.Get(id)
		b, ok := s2.Get(id)
		if !ok || a.Version != b.Version || a.Status != b.Status || !a.Deadline.Equal(b.Deadline) || a.Returns != b.Returns {
			t.Fatalf("%s rebuilt as %+v, was %+v", id, b, a)
		}
	}
	next, err := s2.FireDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := s2.Get("INC-flood")
	if f2.Level != lifecycle.LevelSupervisor || f2.Version != 6 {
		t.Fatalf("after restart: level %d version %d, want %d 6", f2.Level, f2.Version, lifecycle.LevelSupervisor)
	}
	if want := t0.Add(10 * time.Hour); next != want.UnixNano() { // the district center 4h after the breach
		t.Errorf("next escalation at %v, want %v", time.Unix(0, next).In(loc), want)
	}

	// The escalations were recorded: a third replica agrees. Then an
	// extension, approved by the center, moves the deadline and starts
	// escalation over.
	s3 := e.service(t)
	f3, _ := s3.Get("INC-flood")
	if f3.Level != lifecycle.LevelSupervisor || f3.Version != 6 {
		t.Fatalf("escalations not recorded: %+v", f3)
	}
	f3, err = s3.Do(ctx, "INC-flood", lifecycle.Command{Action: lifecycle.Extend, Actor: center, Hours: 2, Note: "pumps broke down"})
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(8 * time.Hour); !f3.Deadline.Equal(want) || f3.Level != 0 {
		t.Fatalf("extended: deadline %v level %d", f3.Deadline, f3.Level)
	}
}
