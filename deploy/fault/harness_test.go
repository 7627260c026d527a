package fault

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/load"
	"github.com/cityops/cityops/deploy/realdata"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
)

var full = flag.Bool("fault", false, "run the scenarios at full size (1M events through a processor kill, ClickHouse down 60 s)")

func TestMain(m *testing.M) {
	switch os.Getenv(RoleEnv) {
	case "process":
		os.Exit(runProcessRole())
	case "readings":
		os.Exit(runReadingsRole())
	}
	flag.Parse()
	code := m.Run()
	printResults(os.Stdout)
	for _, f := range cleanups {
		f()
	}
	os.Exit(code)
}

// runProcessRole runs the processor against the brokers in
// CITYOPS_FAULT_KAFKA until it is killed.
func runProcessRole() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	pack, err := rules.Load(demo.City())
	if err == nil {
		err = processor(ctx, strings.Split(os.Getenv("CITYOPS_FAULT_KAFKA"), ","), pack, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// partitions is how many partitions the suite's topics have.
const partitions = 2

// config is the settings the suite runs the roles' stages with: its
// broker and partitions, the demo city (no --pack), every other setting
// left zero, as in the roles' tests.
func config(brokers []string) role.Config {
	return role.Config{Kafka: role.KafkaConfig{Brokers: brokers, Partitions: partitions}}
}

// processor runs the processor stage as `cityops process` runs it
// (role.Processor): both stateful stages (classify on events.raw, merge on
// incidents.signals) in the consumer groups cityops-process.classify and
// cityops-process.merge, publishing changes, signals and the dead letters
// of each batch before its offsets are committed. What the process role
// adds around it is not failure handling: the metrics, the readings path
// (which has scenarios of its own) and the probes.
func processor(ctx context.Context, brokers []string, pack *rules.Pack, log *slog.Logger) error {
	return role.Processor(ctx, config(brokers), pack, log)
}

// sink runs the store role's ClickHouse sink (role.Sink, store.Sink as the
// store role runs it): incidents' states, the events of merged signals and
// the dispatchers' transitions.
func sink(ctx context.Context, brokers []string, s *store.Store, log *slog.Logger) error {
	return role.Sink(ctx, config(brokers), s, log)
}

// ensureTopics creates the pipeline's topics, the processor's among them, as
// `cityops broker` and `cityops dev` do when they start a broker.
func ensureTopics(ctx context.Context, brokers []string) error {
	return role.EnsureTopics(ctx, brokers, partitions)
}

// env is one scenario's system: an embedded broker persisting to a
// directory, a private ClickHouse server with the schema, the demo city, and
// hotline traffic replayed from NYC 311 requests.
type env struct {
	t       *testing.T
	dir     string
	addr    string
	b       *broker.Broker
	ch      *chtest.Server
	s       *store.Store
	pack    *rules.Pack
	traffic *load.Traffic
	since   time.Time
	log     *slog.Logger
}

func newEnv(ctx context.Context, t *testing.T) *env {
	t.Helper()
	nyc := realdata.Read(t, "nyc311/nyc311_dev.csv") // first: without it the scenario skips before starting anything
	e := &env{t: t, dir: t.TempDir(), since: time.Now().Add(-time.Minute), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if testing.Verbose() {
		e.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	b, err := broker.Start("127.0.0.1:0", e.dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	e.b, e.addr = b, b.Addr()
	t.Cleanup(func() { e.b.Close() })
	if err := ensureTopics(ctx, e.brokers()); err != nil {
		t.Fatal(err)
	}
	e.ch = chtest.StartServer(t)
	if e.s, err = store.Open(ctx, store.Options{Addr: e.ch.Addr, Database: store.DefaultDatabase}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.s.Close() })
	if err := e.s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if e.pack, err = rules.Load(demo.City()); err != nil {
		t.Fatal(err)
	}
	run := strings.ToLower(strings.NewReplacer("/", "", "_", "").Replace(t.Name()))
	if e.traffic, err = load.NewTraffic(run, e.pack, load.Sources{NYC311: nyc, HotlineMix: 1}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) brokers() []string { return []string{e.addr} }

// restartBroker closes the broker and starts it again on its address with
// its data directory.
func (e *env) restartBroker(down time.Duration) {
	e.t.Helper()
	e.b.Close()
	time.Sleep(down)
	var err error
	for range 50 {
		if e.b, err = broker.Start(e.addr, e.dir, 2); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatalf("restarting the broker: %v", err)
}

// supervise runs a stage until ctx is done, starting it again whenever it
// fails, as a service manager would. It returns a function that waits for
// the stage to stop and reports how often it failed.
func (e *env) supervise(ctx context.Context, name string, stage func(ctx context.Context) error) func() int {
	var wg sync.WaitGroup
	fails := 0
	wg.Go(func() {
		for ctx.Err() == nil {
			if err := stage(ctx); err != nil && ctx.Err() == nil {
				fails++
				e.log.Warn("stage failed, restarting", "stage", name, "err", err)
				time.Sleep(200 * time.Millisecond)
			}
		}
	})
	return func() int { wg.Wait(); return fails }
}

// produce sends n replayed hotline requests to events.raw at rate.
func (e *env) produce(ctx context.Context, n int, rate float64) *load.Report {
	e.t.Helper()
	r, err := load.Run(ctx, load.Config{Traffic: e.traffic, Kafka: e.brokers(), Rate: rate, Events: n})
	if err != nil {
		e.t.Fatalf("producing: %v", err)
	}
	return r
}

// waitStored waits until want of the run's events are stored, or timeout,
// and returns the counts after ReplacingMergeTree's FINAL, and the rows
// before it.
func (e *env) waitStored(ctx context.Context, want int64, timeout time.Duration) (final load.Counts, raw load.Counts) {
	e.t.Helper()
	end := time.Now().Add(timeout)
	for {
		c, err := load.CountStored(ctx, e.s, e.traffic.Prefix(), e.since, false)
		if err == nil && int64(c.Hotline) >= want || time.Now().After(end) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	var err error
	if raw, err = load.CountStored(ctx, e.s, e.traffic.Prefix(), e.since, false); err != nil {
		e.t.Fatal(err)
	}
	if final, err = load.CountStored(ctx, e.s, e.traffic.Prefix(), e.since, true); err != nil {
		e.t.Fatal(err)
	}
	return final, raw
}

// storedNow returns how many of the run's events are stored now.
func (e *env) storedNow(ctx context.Context) int64 {
	e.t.Helper()
	c, err := load.CountStored(ctx, e.s, e.traffic.Prefix(), e.since, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return int64(c.Hotline)
}

// result is one scenario's line in the suite's table.
type result struct {
	scenario                        string
	in, stored, lost, dup, repeated int64
	incidents, orphans              int64 // -1: not counted (no incidents in the scenario)
	note                            string
}

var (
	resultsMu sync.Mutex
	results   []result
)

// record checks and keeps a scenario's result: nothing lost, nothing
// duplicated after FINAL, and no stored event pointing at an incident that
// is not stored.
func record(t *testing.T, r result) {
	t.Helper()
	t.Logf("%s: in %d, stored %d, lost %d, duplicated %d (rows repeated before merges: %d), incidents %d (events without theirs: %d) %s",
		r.scenario, r.in, r.stored, r.lost, r.dup, r.repeated, r.incidents, r.orphans, r.note)
	resultsMu.Lock()
	results = append(results, r)
	resultsMu.Unlock()
	if r.lost != 0 || r.dup != 0 || r.orphans > 0 {
		t.Errorf("%s: lost %d, duplicated %d, events whose incident is not stored %d; want 0, 0 and 0", r.scenario, r.lost, r.dup, r.orphans)
	}
}

// storedResult makes the result of a scenario whose input was in events,
// from the counts of waitStored: stored, lost and duplicated count events by
// id after FINAL, as `cityops load` counts them. The merge stage joins
// repeated reports into one incident, but each report is still an event row
// of its own, so merging cannot hide a lost report; the incidents they
// belong to are counted beside, with the events whose incident is missing.
func (e *env) storedResult(ctx context.Context, scenario string, in int64, final, raw load.Counts, note string) result {
	e.t.Helper()
	q := fmt.Sprintf(`SELECT uniqExact(incident_id), countIf(incident_id NOT IN (SELECT id FROM %[1]s.incidents))
FROM %[1]s.events FINAL WHERE time >= toDateTime(?) AND id LIKE ?`, e.s.Database())
	var incidents, orphans uint64
	rows, err := e.s.Query(ctx, q, e.since.Unix(), e.traffic.Prefix()+"%")
	if err != nil {
		e.t.Fatalf("counting the stored events' incidents: %v", err)
	}
	for rows.Next() {
		if err := rows.Scan(&incidents, &orphans); err != nil {
			e.t.Fatalf("counting the stored events' incidents: %v", err)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		e.t.Fatalf("counting the stored events' incidents: %v", err)
	}
	return result{
		scenario: scenario, in: in, stored: int64(final.Hotline),
		lost: max(0, in-int64(final.Hotline)), dup: int64(final.Rows) - int64(final.Hotline),
		repeated: int64(raw.Rows) - int64(raw.Hotline), incidents: int64(incidents), orphans: int64(orphans), note: note,
	}
}

func printResults(w io.Writer) {
	if len(results) == 0 {
		return
	}
	size := "small (default)"
	if *full {
		size = "full (-fault)"
	}
	fmt.Fprintf(w, "\nfault suite, %s size:\n\n", size)
	fmt.Fprintln(w, "| scenario | events in | stored (delivered, for websocket clients) | lost | duplicated | repeated rows before merges | incidents (events without theirs) | notes |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range results {
		inc := "-"
		if r.incidents >= 0 {
			inc = fmt.Sprintf("%d (%d)", r.incidents, r.orphans)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %s | %s |\n", r.scenario, r.in, r.stored, r.lost, r.dup, r.repeated, inc, r.note)
	}
}
