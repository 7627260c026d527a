package fault

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/deploy/load"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
)

// The readings path's scenarios: sensor readings on readings.raw, stored by
// the readings path (rules/readings, run by role.Readings as `cityops
// process` runs it) straight into ClickHouse's readings. Every reading sent
// must be there once after FINAL.

// readingsPath runs the readings path as the process role does
// (role.Readings).
func readingsPath(ctx context.Context, brokers []string, s *store.Store, pack *rules.Pack, log *slog.Logger) error {
	return role.Readings(ctx, config(brokers), pack, s, log)
}

// runReadingsRole runs the readings path against the brokers in
// CITYOPS_FAULT_KAFKA and the ClickHouse in CITYOPS_FAULT_CLICKHOUSE until
// it is killed.
func runReadingsRole() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	pack, err := rules.Load(demo.City())
	if err == nil {
		var s *store.Store
		if s, err = store.Open(ctx, store.Options{Addr: os.Getenv("CITYOPS_FAULT_CLICKHOUSE"), Database: store.DefaultDatabase}); err == nil {
			defer s.Close()
			err = readingsPath(ctx, strings.Split(os.Getenv("CITYOPS_FAULT_KAFKA"), ","), s, pack, log)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// readingsTraffic is sensor readings only, on the demo city's devices.
func (e *env) readingsTraffic(t *testing.T) *load.Traffic {
	t.Helper()
	run := strings.ToLower(strings.NewReplacer("/", "", "_", "").Replace(t.Name()))
	tr, err := load.NewTraffic(run, e.pack, load.Sources{HotlineMix: 0})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// sendReadings produces n readings of tr to readings.raw at rate.
func (e *env) sendReadings(ctx context.Context, tr *load.Traffic, n int, rate float64) int64 {
	e.t.Helper()
	r, err := load.Run(ctx, load.Config{Traffic: tr, Kafka: e.brokers(), Rate: rate, Events: n})
	if err != nil {
		e.t.Fatalf("producing readings: %v", err)
	}
	return r.IoT
}

// readingsResult waits until in readings of tr are stored, or timeout, and
// makes the scenario's result: stored, lost and duplicated count readings
// by id after FINAL.
func (e *env) readingsResult(ctx context.Context, tr *load.Traffic, scenario string, in int64, timeout time.Duration, note string) result {
	e.t.Helper()
	end := time.Now().Add(timeout)
	for {
		c, err := load.CountStored(ctx, e.s, tr.Prefix(), e.since, false)
		if err == nil && int64(c.IoT) >= in || time.Now().After(end) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	raw, err := load.CountStored(ctx, e.s, tr.Prefix(), e.since, false)
	if err != nil {
		e.t.Fatal(err)
	}
	final, err := load.CountStored(ctx, e.s, tr.Prefix(), e.since, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return result{scenario: scenario, in: in, stored: int64(final.IoT), lost: max(0, in-int64(final.IoT)),
		dup: int64(final.Rows) - int64(final.IoT), repeated: int64(raw.Rows) - int64(raw.IoT), incidents: -1, note: note}
}

// startReadingsRole starts the readings path in a process of its own.
func (e *env) startReadingsRole(t *testing.T, n int) *exec.Cmd {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), fmt.Sprintf("readings%d.log", n)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), RoleEnv+"=readings", "CITYOPS_FAULT_KAFKA="+e.addr, "CITYOPS_FAULT_CLICKHOUSE="+e.ch.Addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// TestReadingsKill9: the readings path is killed with SIGKILL half way
// through a run and a new one takes over its partitions: it restores their
// alarm state from the snapshots and replays what followed, inserting again
// what the first may have inserted. Every reading is stored once.
func TestReadingsKill9(t *testing.T) {
	n, rate, wait := 50_000, 20_000.0, 3*time.Minute
	if *full {
		n, rate, wait = 1_000_000, 50_000, 15*time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait+5*time.Minute)
	defer cancel()
	e := newEnv(ctx, t)
	tr := e.readingsTraffic(t)
	first := e.startReadingsRole(t, 1)
	sent := make(chan int64, 1)
	go func() { sent <- e.sendReadings(ctx, tr, n, rate) }()
	time.Sleep(time.Duration(float64(n) / rate / 2 * float64(time.Second)))
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	c, _ := load.CountStored(ctx, e.s, tr.Prefix(), e.since, false)
	e.startReadingsRole(t, 2)
	in := <-sent
	record(t, e.readingsResult(ctx, tr, fmt.Sprintf("readings path kill -9 (%d readings at %.0f/s)", n, rate), in, wait,
		fmt.Sprintf("killed with %d stored; a new readings path took over the group", c.IoT)))
}

// readingsOutage runs n readings at rate through a supervised readings
// path, with outage (which returns a note) a fraction of the way through
// the run, and returns the scenario's result (a name is made from
// scenario) and how many readings the producer had acknowledged.
func readingsOutage(t *testing.T, scenario string, n int, rate float64, at float64, wait time.Duration, outage func(ctx context.Context, e *env, tr *load.Traffic) string) (result, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait+5*time.Minute)
	defer cancel()
	e := newEnv(ctx, t)
	tr := e.readingsTraffic(t)
	stages, stop := context.WithCancel(ctx)
	defer stop()
	waitPath := e.supervise(stages, "readings", func(ctx context.Context) error { return readingsPath(ctx, e.brokers(), e.s, e.pack, e.log) })
	sent := make(chan int64, 1)
	go func() { sent <- e.sendReadings(ctx, tr, n, rate) }()
	time.Sleep(time.Duration(float64(n) / rate * at * float64(time.Second)))
	note := outage(ctx, e, tr)
	in := <-sent
	r := e.readingsResult(ctx, tr, fmt.Sprintf("readings path, %s (%d readings at %.0f/s)", scenario, n, rate), in, wait, note)
	stop()
	if fails := waitPath(); fails > 0 {
		r.note += fmt.Sprintf("; the path restarted %d times", fails)
	}
	return r, in
}

// TestReadingsClickHouseDown: ClickHouse stops for a while in the middle of
// a run of readings. The path retries its insert, holding its offsets, and
// stores everything once ClickHouse is back.
func TestReadingsClickHouseDown(t *testing.T) {
	n, rate, down, wait := 50_000, 20_000.0, 5*time.Second, 3*time.Minute
	if *full {
		n, rate, down, wait = 1_000_000, 50_000, 60*time.Second, 15*time.Minute
	}
	r, _ := readingsOutage(t, fmt.Sprintf("ClickHouse down %s", down), n, rate, 1.0/3, wait, func(_ context.Context, e *env, _ *load.Traffic) string {
		e.ch.Stop()
		time.Sleep(down)
		if err := e.ch.Restart(); err != nil {
			t.Fatal(err)
		}
		return "inserts retried until ClickHouse was back"
	})
	record(t, r)
}

// TestReadingsBrokerRestart: the broker stops in the middle of a run of
// readings and starts again on its data directory. The path's fetches,
// snapshot writes and commits fail meanwhile and it is restarted as often
// as it fails; every reading the producer had acknowledged is stored once.
func TestReadingsBrokerRestart(t *testing.T) {
	n, rate, down, wait := 50_000, 20_000.0, time.Second, 3*time.Minute
	if *full {
		n, rate, down, wait = 1_000_000, 50_000, 5*time.Second, 15*time.Minute
	}
	r, in := readingsOutage(t, fmt.Sprintf("broker restart, down %s", down), n, rate, 1.0/2, wait, func(ctx context.Context, e *env, tr *load.Traffic) string {
		before, _ := load.CountStored(ctx, e.s, tr.Prefix(), e.since, false)
		e.restartBroker(down)
		return fmt.Sprintf("restarted with %d stored", before.IoT)
	})
	r.note += fmt.Sprintf("; %d readings refused by the producer while it was down", int64(n)-in)
	record(t, r)
	if in < int64(n)/2 {
		t.Errorf("only %d of %d readings were accepted around a %s restart", in, n, down)
	}
}
