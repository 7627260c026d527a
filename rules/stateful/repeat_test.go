package stateful_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/sla"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/segmentio/kafka-go"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestRepeatAfterClosureReopens drives the whole loop through the real
// pipeline (intake's raw topic, both processor stages, the dispatcher fed
// by the found topic, as cmd/cityops feeds it, with the done records it
// writes back to the merge stage): a report is dispatched, accepted, resolved, verified and closed
// (after the merge stage forgot it: its merge window ended);
// a callback leaves it closed; three days later a report of the same
// category at the same spot reopens it as a repeat complaint to the same
// department with a new deadline, and round one's figures do not change;
// after the round-two closure, a report beyond the reopen window founds a
// new incident and leaves the closed one as it was.
func TestRepeatAfterClosureReopens(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newEnv(ctx, t, 2)
	if err := bus.EnsureTopics(ctx, e.brokers, 2, tasks.Topic); err != nil {
		t.Fatal(err)
	}
	pack := demoPack(t)
	policy, err := sla.Load(demo.City(), pack.Location, pack.Categories)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 7, 1, 2, 5, 0, 0, time.UTC)
	clk := &fakeClock{t: t0}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// The processor's stages.
	ws := stateful.NewWriters(e.brokers)
	defer ws.Close()
	st, err := stateful.New(stateful.Config{Brokers: e.brokers, Group: "process", Topics: e.topics, Pack: func() *rules.Pack { return pack },
		Publish: ws.Publish, Session: 6 * time.Second, Batch: 100, Logger: quiet, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	go func() { _ = st.Run(ctx) }()

	// The dispatcher, wired as cmd/cityops wires it: the done records go
	// to the signals topic with the step's changes.
	tw, cw := bus.NewWriter(e.brokers, tasks.Topic), bus.NewWriter(e.brokers, "")
	defer tw.Close()
	defer cw.Close()
	var mu sync.Mutex
	var trs []cityops.Transition
	svc := tasks.New(tasks.Config{
		Machine: &lifecycle.Machine{MaxReturns: policy.MaxReturns, MaxRedos: policy.Callback.MaxRedos},
		Policy:  policy, Center: pack.Matrix.Default, Transitions: tw.WriteMessages,
		Changes: func(ctx context.Context, msgs ...kafka.Message) error {
			for i := range msgs {
				if msgs[i].Topic == "" {
					msgs[i].Topic = bus.TopicIncidentChanges
				}
			}
			return cw.WriteMessages(ctx, msgs...)
		},
		Fanout: tasks.DoneFanout(stateful.DoneRecords(pack.Merge, e.topics.Signals)),
		Notify: func(_ *lifecycle.Task, tr cityops.Transition) { mu.Lock(); trs = append(trs, tr); mu.Unlock() },
		Reopen: pack.Merge.ReopenWindow, Now: clk.now, Logger: quiet,
	})
	if _, err := svc.Load(ctx, e.brokers, tasks.Topic); err != nil {
		t.Fatal(err)
	}
	go func() {
		// The found topic, not the changes topic: a report merged into an
		// incident (the repeat complaint) goes to the found topic alone.
		_ = bus.Consume(ctx, bus.ConsumerConfig{Brokers: e.brokers, Topic: e.topics.Found, Group: "dispatch", BatchWait: 5 * time.Millisecond}, svc.ChangeHandler())
	}()

	reportAt := func(id string, at time.Time, lat, lon float64) {
		t.Helper()
		clk.set(at)
		e.write(ctx, t, []*cityops.Event{{ID: id, Source: cityops.SourceHotline, Type: "complaint", Text: "路面破损有个大坑，紧急",
			Lat: lat, Lon: lon, Time: at, Received: at}})
	}
	report := func(id string, at time.Time) { t.Helper(); reportAt(id, at, 30.6, 117.05) }
	task := func(id string) lifecycle.Task {
		got, _ := svc.Get(id)
		return got
	}
	do := func(id string, cmd lifecycle.Command, after time.Duration) lifecycle.Task {
		t.Helper()
		clk.add(after)
		got, err := svc.Do(ctx, id, cmd)
		if err != nil {
			t.Fatalf("%s %s: %v", cmd.Action, id, err)
		}
		return got
	}
	closeRound := func(id string) lifecycle.Task {
		t.Helper()
		owner := lifecycle.Actor{Department: task(id).DepartmentID}
		do(id, lifecycle.Command{Action: lifecycle.Accept, Actor: owner}, 10*time.Minute)
		do(id, lifecycle.Command{Action: lifecycle.Resolve, Actor: owner, Evidence: []string{"patched.jpg"}}, time.Hour)
		return do(id, lifecycle.Command{Action: lifecycle.Verify, Actor: lifecycle.Actor{Center: true}}, time.Hour)
	}

	// Round one.
	inc := "INC-r1"
	report("r1", t0)
	waitFor(ctx, t, "the first report dispatched", func() bool { return task(inc).Status == cityops.StatusDispatched })
	dept := task(inc).DepartmentID
	// The same problem across town five hours later: the merge stage
	// forgets the first incident, whose merge window has long ended, and
	// must hold it again when it is done.
	reportAt("far", t0.Add(5*time.Hour), 30.64, 117.1)
	waitFor(ctx, t, "the report across town dispatched", func() bool { return task("INC-far").Status == cityops.StatusDispatched })
	round1 := closeRound(inc)
	if round1.Status != cityops.StatusClosed {
		t.Fatalf("round one: %+v", round1)
	}
	fb := do(inc, lifecycle.Command{Action: lifecycle.Feedback, Actor: lifecycle.Actor{Center: true}, Result: "satisfied", Channel: "phone", Note: "fixed"}, time.Hour)
	if fb.Status != cityops.StatusClosed || !fb.Updated.Equal(round1.Updated) || !fb.Closed.Equal(round1.Closed) {
		t.Fatalf("the callback changed the closed round: %+v, closed %+v", fb, round1)
	}

	// Three days later, the same problem at the same spot.
	repeatAt := t0.Add(72 * time.Hour)
	report("r2", repeatAt)
	waitFor(ctx, t, "the repeat complaint to reopen the incident", func() bool { return task(inc).Repeats == 1 })
	got := task(inc)
	if got.Status != cityops.StatusDispatched || got.DepartmentID != dept || !got.Dispatched.Equal(repeatAt) ||
		!got.Deadline.After(repeatAt) || got.Round() != 2 || got.Reports != 2 {
		t.Fatalf("reopened: %+v", got)
	}
	if _, ok := svc.Get("INC-r2"); ok {
		t.Fatal("the repeat complaint founded its own incident too")
	}
	mu.Lock()
	var closeTr, reopenTr *cityops.Transition
	for i := range trs {
		if trs[i].IncidentID != inc {
			continue
		}
		switch trs[i].Action {
		case string(lifecycle.Close):
			closeTr = &trs[i]
		case string(lifecycle.Reopen):
			reopenTr = &trs[i]
		}
	}
	mu.Unlock()
	if closeTr == nil || reopenTr == nil {
		t.Fatalf("close %v reopen %v", closeTr, reopenTr)
	}
	// Nothing came between the callback and the reopening, and round one's
	// close still says what it said.
	if reopenTr.Version != fb.Version+1 || reopenTr.From != cityops.StatusClosed || reopenTr.Reason != lifecycle.ReasonRepeat ||
		reopenTr.Merge == nil || !reopenTr.Merge.Repeat || reopenTr.Department != dept || !reopenTr.Entered.Equal(round1.Closed) {
		t.Fatalf("reopen transition %+v after version %d", reopenTr, fb.Version)
	}
	if !closeTr.Time.Equal(round1.Closed) || closeTr.OnTime == nil || !*closeTr.OnTime || closeTr.Version != round1.Version {
		t.Fatalf("round one's close: %+v", closeTr)
	}
	// A restarted dispatcher rebuilds the same task from the log.
	re := tasks.New(tasks.Config{Machine: &lifecycle.Machine{}, Policy: policy, Transitions: tw.WriteMessages, Changes: cw.WriteMessages, Now: clk.now})
	if _, err := re.Load(ctx, e.brokers, tasks.Topic); err != nil {
		t.Fatal(err)
	}
	if r, _ := re.Get(inc); r.Version != got.Version || r.Repeats != 1 || !r.Deadline.Equal(got.Deadline) || r.Rated != 1 {
		t.Fatalf("replayed %+v, want %+v", r, got)
	}

	// Round two closes; a report beyond the reopen window is a new incident.
	round2 := closeRound(inc)
	late := round2.Closed.Add(pack.Merge.ReopenWindow(round2.Category) + time.Hour)
	report("r3", late)
	waitFor(ctx, t, "the late report to found an incident", func() bool { return task("INC-r3").Status == cityops.StatusDispatched })
	if after := task(inc); after.Version != round2.Version || !after.Updated.Equal(round2.Updated) || after.Status != cityops.StatusClosed {
		t.Fatalf("the late report changed the closed incident: %+v, was %+v", after, round2)
	}
	b, _ := json.Marshal(task("INC-r3"))
	if task("INC-r3").Repeats != 0 {
		t.Fatalf("the new incident: %s", b)
	}
}
