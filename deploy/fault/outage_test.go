package fault

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// runPipeline runs the processor and the sink in this process until the
// test ends, each restarted when it fails. The returned function stops them
// and says how often they failed.
func (e *env) runPipeline(ctx context.Context) func() int {
	stages, stop := context.WithCancel(ctx)
	waitP := e.supervise(stages, "process", func(ctx context.Context) error { return processor(ctx, e.brokers(), e.pack, e.log) })
	waitS := e.supervise(stages, "sink", func(ctx context.Context) error { return sink(ctx, e.brokers(), e.s, e.log) })
	e.t.Cleanup(stop)
	return func() int { stop(); return waitP() + waitS() }
}

// TestBrokerRestart: the broker stops while events flow and starts again on
// its data directory. What the producer had acknowledged is stored once.
func TestBrokerRestart(t *testing.T) {
	n, rate, down := 20_000, 5_000.0, time.Second
	if *full {
		n, rate, down = 200_000, 20_000, 5*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := newEnv(ctx, t)
	stopPipeline := e.runPipeline(ctx)

	sent := make(chan int64, 1)
	go func() { r := e.produce(ctx, n, rate); sent <- r.Accepted }()
	time.Sleep(time.Duration(float64(n) / rate / 2 * float64(time.Second)))
	before := e.storedNow(ctx)
	e.restartBroker(down)

	in := <-sent
	final, raw := e.waitStored(ctx, in, 5*time.Minute)
	fails := stopPipeline()
	record(t, e.storedResult(ctx, fmt.Sprintf("broker restart, down %s (%d events at %.0f/s)", down, n, rate), in, final, raw,
		fmt.Sprintf("restarted with %d stored; %d events refused by the producer while it was down; stages restarted %d times", before, int64(n)-in, fails)))
	if in < int64(n)/2 {
		t.Errorf("only %d of %d events were accepted around a %s restart", in, n, down)
	}
}

// TestClickHouseDown: ClickHouse is killed while events flow and started
// again after an outage; the sink retries its batch and commits only after
// the insert, so everything arrives once.
func TestClickHouseDown(t *testing.T) {
	n, rate, down := 20_000, 5_000.0, 3*time.Second
	if *full {
		n, rate, down = 300_000, 5_000, 60*time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	e := newEnv(ctx, t)
	stopPipeline := e.runPipeline(ctx)

	sent := make(chan int64, 1)
	go func() { r := e.produce(ctx, n, rate); sent <- r.Accepted }()
	time.Sleep(time.Duration(float64(n) / rate / 3 * float64(time.Second)))
	before := e.storedNow(ctx)
	e.ch.Stop()
	time.Sleep(down)
	if err := e.ch.Restart(); err != nil {
		t.Fatal(err)
	}
	in := <-sent
	final, raw := e.waitStored(ctx, in, 5*time.Minute)
	fails := stopPipeline()
	record(t, e.storedResult(ctx, fmt.Sprintf("ClickHouse down %s (%d events at %.0f/s)", down, n, rate), in, final, raw,
		fmt.Sprintf("killed with %d stored; stages restarted %d times", before, fails)))
}
