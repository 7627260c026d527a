package tasks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/rules/process"
	"github.com/segmentio/kafka-go"
)

// recorder is a service whose writes are kept in memory; fail makes the
// next write to the transitions topic fail. Its Fanout writes a record of
// each step to feedTopic, with the changes.
type recorder struct {
	s           *Service
	mu          sync.Mutex
	transitions [][]byte
	changes     [][]byte // updates of incidents
	feed        [][]byte // Config.Fanout's records
	writes      int      // calls to the transitions topic
	fail        bool
}

const feedTopic = "tasks.feed"

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	pack, policy := demoCity(t)
	r := &recorder{}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, pack.Location)
	r.s = New(Config{
		Machine: &lifecycle.Machine{MaxReturns: policy.MaxReturns, Known: func(string) bool { return true }},
		Policy:  policy, Center: pack.Matrix.Default, Now: func() time.Time { return now },
		Transitions: func(_ context.Context, msgs ...kafka.Message) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.writes++
			if r.fail {
				r.fail = false
				return errors.New("broker unreachable")
			}
			for _, m := range msgs {
				r.transitions = append(r.transitions, m.Value)
			}
			return nil
		},
		Changes: func(_ context.Context, msgs ...kafka.Message) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			for _, m := range msgs {
				if m.Topic == feedTopic {
					r.feed = append(r.feed, m.Value)
					continue
				}
				r.changes = append(r.changes, m.Value)
			}
			return nil
		},
		Fanout: func(t *lifecycle.Task, tr cityops.Transition) []kafka.Message {
			return []kafka.Message{{Topic: feedTopic, Value: fmt.Appendf(nil, "%s@%d %s", tr.IncidentID, tr.Version, tr.Action)}}
		},
	})
	r.s.SetReady()
	return r
}

// testChanges returns the records of real-shaped traffic on the demo city:
// incidents created, merged into more than once, cleared, a created change
// delivered twice, a merge repeated, a merge of an incident never created
// and the service's own updates among them.
func testChanges(t *testing.T) []kafka.Message {
	t.Helper()
	pack, _ := demoCity(t)
	proc, err := process.New(pack)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, pack.Location)
	var out []kafka.Message
	add := func(c cityops.Change) {
		v, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, kafka.Message{Offset: int64(len(out)), Value: v})
	}
	texts := []string{"Noise - Commercial: Car/Truck Horn", "Blocked Driveway: No Access", "Illegal Dumping: Removal Request", "Street Light Condition: Out"}
	var created []cityops.Change
	for i := range 12 {
		ev := &cityops.Event{ID: fmt.Sprintf("ev-%d", i), Source: cityops.SourceHotline, Type: "311", Text: texts[i%len(texts)],
			Lat: pack.Devices[0].Lat + float64(i)*0.001, Lon: pack.Devices[0].Lon, Time: now, Received: now}
		c, ok, err := proc.Process(ev)
		if err != nil || !ok {
			t.Fatalf("processing %s: %v %v", ev.ID, ok, err)
		}
		created = append(created, c)
		add(c)
		if i%3 == 0 {
			add(c) // redelivered
		}
	}
	for i, c := range created {
		for seq := uint64(1); seq <= uint64(i%3); seq++ {
			m := cityops.Change{Kind: cityops.ChangeMerged, Incident: c.Incident, Event: c.Event, Merge: &cityops.Merge{
				Signal: fmt.Sprintf("dup-%d-%d", i, seq), Seq: seq, Reports: int(seq) + 1, ReportIDs: []string{c.Event.ID, fmt.Sprintf("dup-%d-%d", i, seq)}, First: now, Last: now}}
			add(m)
			if seq == 2 {
				add(m) // repeated
			}
		}
		add(cityops.Change{Kind: cityops.ChangeUpdated, Incident: c.Incident})
	}
	add(cityops.Change{Kind: cityops.ChangeCleared, Incident: created[4].Incident, Merge: &cityops.Merge{Signal: "al-1", Seq: 9, Alarm: "water_level", Count: 4, Peak: 1.5}})
	add(cityops.Change{Kind: cityops.ChangeMerged, Incident: cityops.Incident{ID: "INC-never"}, Merge: &cityops.Merge{Signal: "x", Seq: 1}})
	return out
}

// oneByOne is what the change consumer did before batches: each change
// adopted or signalled on its own.
func oneByOne(t *testing.T, s *Service, msgs []kafka.Message) {
	t.Helper()
	for _, m := range msgs {
		var c cityops.Change
		if err := json.Unmarshal(m.Value, &c); err != nil {
			t.Fatal(err)
		}
		var err error
		switch c.Kind {
		case cityops.ChangeCreated:
			err = s.Adopt(context.Background(), c.Incident)
		case cityops.ChangeMerged, cityops.ChangeCleared:
			err = s.Signal(context.Background(), c)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func tasksOf(s *Service) map[string]lifecycle.Task {
	out := map[string]lifecycle.Task{}
	s.each(func(t *lifecycle.Task) { out[t.ID] = *t })
	return out
}

// TestBatchLikeOneByOne: the consumer's batches write the same
// transitions and fanout records, in the same order, and leave the same
// tasks as the changes taken one by one, in two writes per batch. Of the
// updates they write each incident's last of the batch: in the order one
// by one wrote them, leaving out only updates a later one of the same
// incident replaces, and ending on the same update of every incident.
func TestBatchLikeOneByOne(t *testing.T) {
	msgs := testChanges(t)
	want := newRecorder(t)
	oneByOne(t, want.s, msgs)
	for _, size := range []int{1, 7, len(msgs)} {
		t.Run(fmt.Sprintf("batches of %d", size), func(t *testing.T) {
			got := newRecorder(t)
			h := got.s.ChangeHandler()
			for b := range slices.Chunk(msgs, size) {
				if err := h(context.Background(), b); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(got.transitions, want.transitions) {
				t.Errorf("transitions differ: %d written, %d one by one", len(got.transitions), len(want.transitions))
			}
			if !reflect.DeepEqual(got.feed, want.feed) {
				t.Errorf("fanout records differ: %d written, %d one by one", len(got.feed), len(want.feed))
			}
			checkUpdates(t, got.changes, want.changes, size == 1)
			if g, w := tasksOf(got.s), tasksOf(want.s); !reflect.DeepEqual(g, w) {
				t.Errorf("tasks differ:\n%v\n%v", g, w)
			}
			if batches := (len(msgs) + size - 1) / size; got.writes > batches {
				t.Errorf("%d writes of transitions for %d batches", got.writes, batches)
			}
		})
	}
	if len(want.transitions) < 20 {
		t.Fatalf("only %d transitions: the traffic takes too few steps", len(want.transitions))
	}
}

// checkUpdates checks the updates a batched consumer wrote against those
// written one by one: a subsequence of them, whose only missing updates are
// followed by a later one of the same incident, and which ends on the same
// update of each incident. With all, none may be missing.
func checkUpdates(t *testing.T, got, want [][]byte, all bool) {
	t.Helper()
	id := func(v []byte) string {
		var c cityops.Change
		if err := json.Unmarshal(v, &c); err != nil {
			t.Fatal(err)
		}
		return c.Incident.ID
	}
	lastGot, lastWant := map[string]string{}, map[string]string{}
	j := 0
	for i, w := range want {
		lastWant[id(w)] = string(w)
		if j < len(got) && bytes.Equal(got[j], w) {
			lastGot[id(w)] = string(w)
			j++
			continue
		}
		if all {
			t.Fatalf("update %d of %d one by one is missing", i, len(want))
		}
		later := slices.ContainsFunc(want[i+1:], func(v []byte) bool { return id(v) == id(w) })
		if !later {
			t.Fatalf("the last update of %s is missing", id(w))
		}
	}
	if j != len(got) {
		t.Fatalf("%d of %d updates written are not among those one by one, in order", len(got)-j, len(got))
	}
	if !reflect.DeepEqual(lastGot, lastWant) {
		t.Errorf("incidents end on other updates: %d incidents written, %d one by one", len(lastGot), len(lastWant))
	}
	if !all && len(got) == len(want) {
		t.Errorf("%d updates, as many as one by one: batches wrote every update of incidents that took several steps", len(got))
	}
}

// TestBatchFailedWriteChangesNothing: when the transitions cannot be
// written, the tasks are as before the batch and nothing is published; the
// retried batch then writes what the first try would have.
func TestBatchFailedWriteChangesNothing(t *testing.T) {
	msgs := testChanges(t)
	first, rest := msgs[:len(msgs)/2], msgs[len(msgs)/2:]
	want := newRecorder(t)
	oneByOne(t, want.s, msgs)

	r := newRecorder(t)
	h := r.s.ChangeHandler()
	if err := h(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	before := tasksOf(r.s)
	nt, nc := len(r.transitions), len(r.changes)
	r.fail = true
	if err := h(context.Background(), rest); err == nil {
		t.Fatal("a failed write returned no error")
	}
	if !reflect.DeepEqual(tasksOf(r.s), before) {
		t.Error("a failed write left tasks changed")
	}
	if len(r.transitions) != nt || len(r.changes) != nc {
		t.Errorf("a failed write published %d transitions and %d changes", len(r.transitions)-nt, len(r.changes)-nc)
	}
	if err := h(context.Background(), rest); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.transitions, want.transitions) || !reflect.DeepEqual(tasksOf(r.s), tasksOf(want.s)) {
		t.Error("the retried batch did not end where one by one does")
	}
}

// TestBatchBadChangeWritesWhatCameBefore: a merge without counters fails
// the batch, after the steps before it are written, as one by one would.
func TestBatchBadChangeWritesWhatCameBefore(t *testing.T) {
	msgs := testChanges(t)[:5]
	bad, err := json.Marshal(cityops.Change{Kind: cityops.ChangeMerged, Incident: cityops.Incident{ID: "INC-ev-0"}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder(t)
	err = r.s.ChangeHandler()(context.Background(), append(slices.Clone(msgs), kafka.Message{Value: bad}))
	if !errors.Is(err, cityops.ErrInvalid) {
		t.Fatalf("error %v, want one matching ErrInvalid", err)
	}
	want := newRecorder(t)
	oneByOne(t, want.s, msgs)
	if len(want.transitions) == 0 || !reflect.DeepEqual(r.transitions, want.transitions) {
		t.Errorf("%d transitions written before the bad change, want %d", len(r.transitions), len(want.transitions))
	}
}
