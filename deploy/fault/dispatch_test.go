package fault

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/taskapi"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/segmentio/kafka-go"
)

// The dispatchers run as a deployment runs them: replicas of `cityops
// dispatch` (role.Dispatch), each a process of its own that the scenario
// kills with SIGKILL, from the binary built once.
var (
	cityopsOnce sync.Once
	cityopsPath string
	cityopsErr  error
)

// cityopsBinary builds cmd/cityops into a directory of its own and returns
// the binary's path.
func cityopsBinary(t *testing.T) string {
	t.Helper()
	cityopsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cityops-fault-")
		if err != nil {
			cityopsErr = err
			return
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		cityopsPath = filepath.Join(dir, "cityops")
		out, err := exec.Command("go", "build", "-o", cityopsPath, "github.com/cityops/cityops/cmd/cityops").CombinedOutput()
		if err != nil {
			cityopsErr = fmt.Errorf("building cmd/cityops: %w\n%s", err, out)
		}
	})
	if cityopsErr != nil {
		t.Fatal(cityopsErr)
	}
	return cityopsPath
}

// cleanups run when the suite ends.
var cleanups []func()

// dispatcher is one `cityops dispatch` replica in a process of its own.
type dispatcher struct {
	cmd  *exec.Cmd
	base string        // http://127.0.0.1:PORT, which it serves and advertises
	done chan struct{} // closed when the process has exited
}

// kill9 kills the replica with SIGKILL and waits for it to be gone.
func (d *dispatcher) kill9() error {
	if err := d.cmd.Process.Kill(); err != nil {
		return err
	}
	<-d.done
	return nil
}

// startDispatcher starts replica n of the dispatchers with the shared
// tokens and cluster secret, serving and advertising a port of its own.
func (e *env) startDispatcher(t *testing.T, n int, tokens, secret string) *dispatcher {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(filepath.Join(e.dir, fmt.Sprintf("dispatch%d.log", n)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	d := &dispatcher{base: "http://" + addr, done: make(chan struct{})}
	d.cmd = exec.Command(cityopsBinary(t), "dispatch",
		"--kafka", e.addr, "--partitions", fmt.Sprint(partitions),
		"--http", addr, "--advertise", d.base,
		"--tokens", tokens, "--cluster-secret", secret, "--log-level", "warn")
	d.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + e.dir} // none of the CITYOPS_* of whoever runs the suite
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			d.kill9()
		}
	})
	end := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(d.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d
			}
		}
		exited := false
		select {
		case <-d.done:
			exited = true
		default:
		}
		if exited || time.Now().After(end) {
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("dispatcher %d not ready at %s: %v\n%s", n, d.base, err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logged is what the transitions topic holds, read to its end.
type logged struct {
	records  int                                  // records on the topic
	steps    map[transitionKey]cityops.Transition // distinct steps, by incident and version
	repeated int                                  // records that repeat a step already read, unchanged
	adopts   map[string][]cityops.Transition      // incident -> its distinct adoption steps
	conflict []string                             // one version of an incident written as two different steps
	part     map[string]int                       // incident -> its partition
}

type transitionKey struct {
	incident string
	version  uint64
}

// sameStep reports whether a and b are one step written twice.
func sameStep(a, b cityops.Transition) bool {
	return a.Action == b.Action && a.From == b.From && a.To == b.To && a.Time.Equal(b.Time) && a.Actor == b.Actor
}

// readTransitions reads every partition of the transitions topic from the
// start to its end as it is now.
func (e *env) readTransitions(ctx context.Context) logged {
	e.t.Helper()
	l := logged{steps: map[transitionKey]cityops.Transition{}, adopts: map[string][]cityops.Transition{}, part: map[string]int{}}
	for p := range partitions {
		conn, err := kafka.DialLeader(ctx, "tcp", e.addr, tasks.Topic, p)
		if err != nil {
			e.t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			e.t.Fatal(err)
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: e.brokers(), Topic: tasks.Topic, Partition: p, MaxWait: 100 * time.Millisecond})
		for off := int64(0); off < last; {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				e.t.Fatalf("reading %s/%d at %d of %d: %v", tasks.Topic, p, off, last, err)
			}
			off = m.Offset + 1
			l.records++
			var tr cityops.Transition
			if err := bus.DecodeJSON(m.Value, &tr); err != nil {
				e.t.Errorf("%s/%d@%d: %v", tasks.Topic, p, m.Offset, err)
				continue
			}
			k := transitionKey{tr.IncidentID, tr.Version}
			l.part[tr.IncidentID] = p
			if prev, ok := l.steps[k]; ok {
				if sameStep(prev, tr) {
					l.repeated++
				} else {
					l.conflict = append(l.conflict, fmt.Sprintf("%s v%d: %s %s->%s at %s and %s %s->%s at %s", tr.IncidentID, tr.Version,
						prev.Action, prev.From, prev.To, prev.Time.Format(time.RFC3339Nano), tr.Action, tr.From, tr.To, tr.Time.Format(time.RFC3339Nano)))
				}
			} else {
				l.steps[k] = tr
			}
			if tr.From == "" && !containsStep(l.adopts[tr.IncidentID], tr) {
				l.adopts[tr.IncidentID] = append(l.adopts[tr.IncidentID], tr)
			}
		}
		r.Close()
	}
	return l
}

func containsStep(steps []cityops.Transition, tr cityops.Transition) bool {
	for _, s := range steps {
		if sameStep(s, tr) {
			return true
		}
	}
	return false
}

// queryInts runs a query of one row of integers.
func (e *env) queryInts(ctx context.Context, q string, dst ...*uint64) {
	e.t.Helper()
	rows, err := e.s.Query(ctx, q)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	anyDst := make([]any, len(dst))
	for i := range dst {
		anyDst[i] = dst[i]
	}
	for rows.Next() {
		if err := rows.Scan(anyDst...); err != nil {
			e.t.Fatalf("%s: %v", q, err)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// waitAdopted waits until every stored incident has its adoption stored, and
// the stored transitions stop growing, or timeout.
func (e *env) waitAdopted(ctx context.Context, timeout time.Duration) {
	e.t.Helper()
	db := e.s.Database()
	end := time.Now().Add(timeout)
	var last uint64
	stable := 0
	for time.Now().Before(end) {
		var incidents, adopted, rows uint64
		e.queryInts(ctx, fmt.Sprintf(`SELECT (SELECT uniqExact(id) FROM %[1]s.incidents), (SELECT uniqExact(incident_id) FROM %[1]s.transitions WHERE from_status = ''), (SELECT count() FROM %[1]s.transitions)`, db),
			&incidents, &adopted, &rows)
		if incidents > 0 && adopted >= incidents && rows == last {
			if stable++; stable >= 3 {
				return
			}
		} else {
			stable = 0
		}
		last = rows
		time.Sleep(time.Second)
	}
}

// TestDispatcherKill9: two dispatchers share the incidents by partition;
// one is killed with SIGKILL while reports flow, and the other takes over
// its partitions, rebuilding their tasks from the transitions topic. Every
// incident is adopted exactly once (one adoption step, so one dispatch, per
// incident, whichever replica held it), and every transition on the topic
// is stored once in ClickHouse, none lost and none extra.
func TestDispatcherKill9(t *testing.T) {
	n, rate, wait := 6_000, 1_500.0, 3*time.Minute
	if *full {
		n, rate, wait = 200_000, 10_000, 15*time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait+5*time.Minute)
	defer cancel()
	e := newEnv(ctx, t)
	if err := bus.EnsureTopics(ctx, e.brokers(), partitions, tasks.Topic); err != nil {
		t.Fatal(err)
	}
	stages, stop := context.WithCancel(ctx)
	defer stop()
	waitProcess := e.supervise(stages, "process", func(ctx context.Context) error { return processor(ctx, e.brokers(), e.pack, e.log) })
	waitSink := e.supervise(stages, "sink", func(ctx context.Context) error { return sink(ctx, e.brokers(), e.s, e.log) })

	// The replicas share their tokens and cluster secret, as a Secret
	// gives them in a deployment.
	tokens := filepath.Join(e.dir, "tokens.json")
	if err := taskapi.NewTokens(e.pack.Departments).Write(tokens); err != nil {
		t.Fatal(err)
	}
	secret := taskapi.NewSecret()
	first := e.startDispatcher(t, 1, tokens, secret)
	e.startDispatcher(t, 2, tokens, secret)

	sent := make(chan int64, 1)
	go func() { r := e.produce(ctx, n, rate); sent <- r.Accepted }()
	time.Sleep(time.Duration(float64(n) / rate / 2 * float64(time.Second)))
	if err := first.kill9(); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	var adoptedAtKill uint64
	e.queryInts(ctx, fmt.Sprintf(`SELECT uniqExact(incident_id) FROM %s.transitions WHERE from_status = ''`, e.s.Database()), &adoptedAtKill)

	in := <-sent
	if final, _ := e.waitStored(ctx, in, wait); int64(final.Hotline) < in {
		t.Errorf("%d of %d events stored", final.Hotline, in)
	}
	e.waitAdopted(ctx, wait)
	stop()
	waitProcess()
	waitSink()

	// Adopted exactly once: one adoption step per incident on the topic,
	// for every incident ClickHouse holds, and no version of an incident
	// written as two different steps (two replicas stepping one task).
	l := e.readTransitions(ctx)
	db := e.s.Database()
	rows, err := e.s.Query(ctx, fmt.Sprintf(`SELECT DISTINCT id FROM %s.incidents`, db))
	if err != nil {
		t.Fatal(err)
	}
	var incidents, notAdopted, twice int
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		incidents++
		switch a := l.adopts[id]; {
		case len(a) == 0:
			notAdopted++
			if notAdopted <= 5 {
				t.Errorf("incident %s was never adopted", id)
			}
		case len(a) > 1:
			twice++
			if twice <= 5 {
				t.Errorf("incident %s adopted %d times: %+v", id, len(a), a)
			}
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatal(err)
	}
	if incidents == 0 {
		t.Fatal("no incident stored")
	}
	dispatched := map[string]int{}
	for _, tr := range l.steps {
		if tr.To == cityops.StatusDispatched && tr.From != cityops.StatusDispatched {
			dispatched[tr.IncidentID]++
		}
	}
	for id, c := range dispatched {
		if c > 1 {
			t.Errorf("incident %s dispatched %d times without a step back", id, c)
		}
	}
	// The survivor took over the killed replica's partitions: incidents of
	// every partition were adopted after the kill.
	after := make([]int, partitions)
	for id, a := range l.adopts {
		if len(a) > 0 && a[0].Time.After(killedAt) {
			after[l.part[id]]++
		}
	}
	for p, c := range after {
		if c == 0 {
			t.Errorf("no incident of partition %d adopted after the kill (per partition: %v): the survivor did not take it over", p, after)
		}
	}
	for i, c := range l.conflict {
		if i < 5 {
			t.Errorf("one version, two steps: %s", c)
		}
	}

	// Stored once: every distinct step of the topic is one row of
	// transitions after FINAL, with the statuses the topic has, and no row
	// the topic lacks.
	stored := map[transitionKey]string{}
	rows, err = e.s.Query(ctx, fmt.Sprintf(`SELECT incident_id, version, from_status, to_status FROM %s.transitions FINAL`, db))
	if err != nil {
		t.Fatal(err)
	}
	var extra int64
	for rows.Next() {
		var id, from, to string
		var v uint64
		if err := rows.Scan(&id, &v, &from, &to); err != nil {
			t.Fatal(err)
		}
		k := transitionKey{id, v}
		tr, ok := l.steps[k]
		if !ok {
			extra++
			continue
		}
		if string(tr.From) != from || string(tr.To) != to {
			t.Errorf("transition %s v%d stored as %s->%s; the topic has %s->%s", id, v, from, to, tr.From, tr.To)
		}
		stored[k] = to
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatal(err)
	}
	var raw uint64
	e.queryInts(ctx, fmt.Sprintf(`SELECT count() FROM %s.transitions`, db), &raw)
	steps := int64(len(l.steps))
	record(t, result{
		scenario: fmt.Sprintf("dispatcher kill -9 of 2 (%d events at %.0f/s)", n, rate),
		in:       steps, stored: int64(len(stored)), lost: steps - int64(len(stored)), dup: extra + int64(twice),
		repeated: int64(raw) - int64(len(stored)), incidents: int64(incidents), orphans: int64(notAdopted),
		note: fmt.Sprintf("transitions, not events (%d sent); killed with %d incidents adopted, the other replica took its partitions (adopted after the kill, per partition: %v); %d incidents adopted twice, %d records repeated on the topic",
			in, adoptedAtKill, after, twice, l.repeated),
	})
	if t.Failed() {
		for i := 1; i <= 2; i++ {
			if b, err := os.ReadFile(filepath.Join(e.dir, fmt.Sprintf("dispatch%d.log", i))); err == nil {
				t.Logf("dispatch%d.log:\n%s", i, strings.TrimSpace(string(b)))
			}
		}
	}
}
