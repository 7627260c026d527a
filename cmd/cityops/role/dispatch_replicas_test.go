package role

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role/roletest"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/segmentio/kafka-go"
)

// replica is one dispatcher of the test with its own tasks API.
type replica struct {
	d    *dispatcher
	base string
	stop context.CancelFunc
	done chan error
}

func startReplica(ctx context.Context, t *testing.T, e *testEnv, tokens string, now func() time.Time) *replica {
	t.Helper()
	o := e.o
	o.HTTP.Listen, o.Tokens = roletest.FreeAddr(t), tokens
	base := "http://" + o.HTTP.Listen
	d, err := newDispatcher(ctx, &o, e.pack, DispatchFiles{now: now, Advertise: base}, newRegistry(), e.log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, h := range d.Routes() {
		mux.Handle(p, h)
	}
	ln, err := net.Listen("tcp", o.HTTP.Listen)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	rctx, stop := context.WithCancel(ctx)
	r := &replica{d: d, base: base, stop: stop, done: make(chan error, 1)}
	go func() { r.done <- d.Run(rctx) }()
	t.Cleanup(func() {
		r.halt(t)
		srv.Close()
		d.Close()
	})
	return r
}

// halt stops the replica's dispatcher, as a SIGTERM would, and waits for it.
func (r *replica) halt(t *testing.T) {
	if r.stop == nil {
		return
	}
	r.stop()
	r.stop = nil
	if err := <-r.done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("dispatcher at %s: %v", r.base, err)
	}
}

// TestReplicasSplitAndTakeOver runs two dispatcher replicas on the embedded
// broker. They split the incidents by partition; a request to either
// replica about any task works (it is forwarded to the holder). Then one
// replica stops, its deadlines pass while nobody holds its partition, and
// the other takes its tasks over: with their clocks intact, escalated at
// once, none lost and none doubled.
func TestReplicasSplitAndTakeOver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := newTestEnv(ctx, t, Config{ClickHouse: ClickHouseConfig{Database: "cityops_replicas"}})
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	a := startReplica(ctx, t, e, tokens, now)
	b := startReplica(ctx, t, e, tokens, now)
	tk, err := taskapi.ReadTokens(tokens)
	if err != nil {
		t.Fatal(err)
	}

	// Six new incidents, three in each partition, as the processor writes them.
	w := bus.NewWriter(e.o.Brokers(), bus.TopicIncidentsFound)
	defer w.Close()
	var ids []string
	per := map[int]int{}
	start := time.Now()
	for i := 0; len(ids) < 6; i++ {
		id := "INC-replica-" + strconv.Itoa(i)
		p := a.d.svc.Partition(id)
		if per[p] == 3 {
			continue
		}
		per[p]++
		ids = append(ids, id)
		inc := cityops.Incident{ID: id, Source: cityops.SourceHotline, Category: "0111", Status: cityops.StatusDispatched,
			DepartmentID: "water", AreaID: "d1-s2", DistrictID: "d1", Reported: start.Add(-time.Duration(i) * time.Minute), Updated: start, Version: 1}
		v, _ := json.Marshal(cityops.Change{Kind: cityops.ChangeCreated, Incident: inc})
		if err := w.WriteMessages(ctx, kafka.Message{Key: []byte(id), Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	roletest.WaitFor(t, 60*time.Second, func() error {
		ha, hb := a.d.svc.Held(), b.d.svc.Held()
		if len(ha) != 1 || len(hb) != 1 || a.d.svc.Len()+b.d.svc.Len() != 6 {
			return fmt.Errorf("replica a holds %v (%d tasks), b holds %v (%d tasks)", ha, a.d.svc.Len(), hb, b.d.svc.Len())
		}
		return nil
	})

	// call wants the status want of a request. A 503 for a partition
	// moving between replicas is the API's "try again", which a client
	// follows: the group may rebalance once more after the split the test
	// waited for.
	call := func(base, method, path, token, body string, want int) (map[string]any, http.Header) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; {
			req, _ := http.NewRequestWithContext(ctx, method, base+path, bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && want != resp.StatusCode && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			if resp.StatusCode != want {
				t.Fatalf("%s %s%s: %d %v, want %d", method, base, path, resp.StatusCode, out, want)
			}
			return out, resp.Header
		}
	}
	// b's tasks, asked of a: a forwards to b, which names itself.
	var ofB []string
	for _, id := range ids {
		if b.d.svc.Owns(id) {
			ofB = append(ofB, id)
		}
	}
	water := tk.Departments["water"]
	got, h := call(a.base, "POST", "/api/v1/tasks/"+ofB[0]+"/accept", water, "", http.StatusOK)
	if got["status"] != "accepted" || h.Get(taskapi.HeaderOwner) != b.base {
		t.Fatalf("accept through a: %v, owner %q, want %q", got["status"], h.Get(taskapi.HeaderOwner), b.base)
	}
	// Another department's task, through the forward, is as unknown to jj
	// as a task that does not exist.
	call(a.base, "GET", "/api/v1/tasks/"+ofB[1], tk.Departments["jj"], "", http.StatusNotFound)
	if list, _ := call(a.base, "GET", "/api/v1/tasks?limit=4", water, "", http.StatusOK); list["total"].(float64) != 6 || len(list["tasks"].([]any)) != 4 {
		t.Fatalf("a lists %v of 6 tasks", list["total"])
	}
	before := map[string]lifecycle.Task{}
	for _, id := range ids {
		holder := a
		if b.d.svc.Owns(id) {
			holder = b
		}
		before[id], _ = holder.d.svc.Get(id)
	}

	// b stops; 7 hours pass (the 6-hour deadlines with them); a takes over.
	b.halt(t)
	skew.Store(int64(7 * time.Hour))
	roletest.WaitFor(t, 60*time.Second, func() error {
		if held := a.d.svc.Held(); len(held) != 2 || a.d.svc.Len() != 6 {
			return fmt.Errorf("a holds partitions %v and %d tasks", held, a.d.svc.Len())
		}
		for _, id := range ids {
			if t, _ := a.d.svc.Get(id); t.Level != lifecycle.LevelSupervisor {
				return fmt.Errorf("%s escalated to level %d, want the supervisor", id, t.Level)
			}
		}
		return nil
	})
	for _, id := range ids {
		after, _ := a.d.svc.Get(id)
		was := before[id]
		if !after.Dispatched.Equal(was.Dispatched) || !after.Deadline.Equal(was.Deadline) || after.Status != was.Status || after.Version <= was.Version {
			t.Errorf("%s: dispatched %v deadline %v %s v%d, was %v %v %s v%d", id, after.Dispatched, after.Deadline, after.Status, after.Version,
				was.Dispatched, was.Deadline, was.Status, was.Version)
		}
	}
	if got, _ := call(a.base, "GET", "/api/v1/tasks/"+ofB[0], water, "", http.StatusOK); got["status"] != "accepted" {
		t.Errorf("%s after the takeover: %v", ofB[0], got["status"])
	}

	// The log holds each incident's steps once: one adoption, and no
	// version written twice.
	seen, adopted := map[string]bool{}, map[string]int{}
	readAll(ctx, t, e.o.Brokers(), tasks.Topic, func(m kafka.Message) {
		var tr cityops.Transition
		if err := json.Unmarshal(m.Value, &tr); err != nil {
			t.Fatal(err)
		}
		k := tr.IncidentID + "/" + strconv.FormatUint(tr.Version, 10)
		if seen[k] {
			t.Errorf("transition %s written twice", k)
		}
		seen[k] = true
		if tr.Action == string(lifecycle.Adopt) {
			adopted[tr.IncidentID]++
		}
	})
	for _, id := range ids {
		if adopted[id] != 1 {
			t.Errorf("%s adopted %d times", id, adopted[id])
		}
	}
}

// readAll hands every record of every partition of topic to f.
func readAll(ctx context.Context, t *testing.T, brokers []string, topic string, f func(kafka.Message)) {
	t.Helper()
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		pc, err := kafka.DialLeader(ctx, "tcp", net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port)), topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, last, err := pc.ReadOffsets()
		pc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if last <= first {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		if err := r.SetOffset(first); err != nil {
			t.Fatal(err)
		}
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			f(m)
			if m.Offset >= last-1 {
				break
			}
		}
		r.Close()
	}
}
