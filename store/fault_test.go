package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/chtest"
	"github.com/segmentio/kafka-go"
)

// outage is how long ClickHouse stays down in TestSinkOutlivesClickHouseOutage.
const outage = 30 * time.Second

// pipeline is a real embedded broker with the changes topic, and a writer.
type pipeline struct {
	brokers []string
	w       *kafka.Writer
	dlq     func(context.Context, kafka.Message, error) error
}

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	p := &pipeline{brokers: []string{b.Addr()}}
	if err := bus.EnsureTopics(testContext(t), p.brokers, 2, bus.TopicIncidentChanges, bus.TopicDLQ); err != nil {
		t.Fatal(err)
	}
	p.w = bus.NewWriter(p.brokers, bus.TopicIncidentChanges)
	t.Cleanup(func() { p.w.Close() })
	dw := bus.NewWriter(p.brokers, bus.TopicDLQ)
	t.Cleanup(func() { dw.Close() })
	p.dlq = bus.DeadLetter(dw)
	return p
}

// produce writes changes from..to-1 of the generated stream, keyed by incident.
func (p *pipeline) produce(t *testing.T, from, to int) {
	t.Helper()
	msgs := make([]kafka.Message, 0, to-from)
	for k := from; k < to; k++ {
		c := makeChange(k)
		v, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, kafka.Message{Key: []byte(c.Incident.ID), Value: v})
	}
	if err := p.w.WriteMessages(testContext(t), msgs...); err != nil {
		t.Fatal(err)
	}
}

// consume runs the store's sink as `cityops store` does, until ctx is done.
func (p *pipeline) consume(ctx context.Context, h bus.Handler) chan error {
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(ctx, bus.ConsumerConfig{
			Brokers: p.brokers, Topic: bus.TopicIncidentChanges, Group: "cityops-store",
			BatchSize: 1000, BatchWait: 50 * time.Millisecond,
		}, h)
	}()
	return done
}

// waitCount waits until the store holds want distinct events and incidents.
func waitCount(t *testing.T, s *store.Store, want uint64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var e, i uint64
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e, _ = s.CountEvents(ctx)
		i, _ = s.CountIncidents(ctx)
		cancel()
		if e == want && i == want {
			return
		}
		if e > want || i > want {
			t.Fatalf("%d events and %d incidents, want %d: duplicates are visible", e, i, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("after %v: %d events and %d incidents, want %d each", within, e, i, want)
}

// TestSinkKilledBetweenInsertAndCommit: the sink dies after ClickHouse took a
// batch and before Kafka heard of it; the restarted sink inserts that batch
// again, and no query sees it twice.
func TestSinkKilledBetweenInsertAndCommit(t *testing.T) {
	s := newStore(t)
	p := newPipeline(t)
	const n = 5000
	p.produce(t, 0, n)

	ctx, crash := context.WithCancel(testContext(t))
	var batches atomic.Int32
	var inserted, committed int
	h := s.Handler(p.dlq)
	done := p.consume(ctx, func(ctx context.Context, batch []kafka.Message) error {
		if err := h(ctx, batch); err != nil {
			return err
		}
		inserted += len(batch)
		if batches.Add(1) == 2 {
			crash() // the process dies here: inserted, not committed
			return errors.New("killed before the commit")
		}
		committed += len(batch)
		return nil
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("the killed sink inserted %d changes and committed %d", inserted, committed)

	ctx2, stop := context.WithCancel(testContext(t))
	var handled atomic.Int64
	h2 := s.Handler(p.dlq)
	done = p.consume(ctx2, func(ctx context.Context, batch []kafka.Message) error {
		if err := h2(ctx, batch); err != nil {
			return err
		}
		handled.Add(int64(len(batch)))
		return nil
	})
	waitCount(t, s, n, 30*time.Second)
	// The rows can be visible before the handler has returned: wait until it
	// has handled everything after the committed offsets.
	for end := time.Now().Add(10 * time.Second); handled.Load() < int64(n-committed) && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	again := inserted + int(handled.Load()) - n
	if again <= 0 {
		t.Fatalf("no change was inserted twice (%d inserted, then %d handled): the test proved nothing", inserted, handled.Load())
	}
	t.Logf("%d changes were inserted twice; every query sees %d", again, n)
	assertHeatmapTotal(t, s, n)
}

// TestSinkOutlivesClickHouseOutage: ClickHouse dies in the middle of a
// stream and comes back after a while. Meanwhile the sink is not ready and
// Kafka keeps the records; afterwards every record is stored exactly once,
// without anyone restarting the sink.
func TestSinkOutlivesClickHouseOutage(t *testing.T) {
	srv := chtest.StartServer(t)
	ctx := testContext(t)
	s, err := store.Open(ctx, store.Options{Addr: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t)
	sinkCtx, stop := context.WithTimeout(context.Background(), outage+90*time.Second)
	defer stop()
	done := p.consume(sinkCtx, s.Handler(p.dlq))

	const third = 10000
	p.produce(t, 0, third)
	waitCount(t, s, third, 30*time.Second)

	srv.Stop()
	p.produce(t, third, 2*third) // arrives while ClickHouse is down
	time.Sleep(2 * time.Second)
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := s.Ready(rctx); err == nil {
		t.Fatal("the store is ready while ClickHouse is down")
	}
	rcancel()
	time.Sleep(outage - 2*time.Second)
	p.produce(t, 2*third, 3*third)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitCount(t, s, 3*third, 60*time.Second)
	t.Logf("all %d changes stored %v after ClickHouse came back", 3*third, time.Since(start).Round(time.Millisecond))
	rctx, rcancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := s.Ready(rctx); err != nil {
		t.Fatalf("not ready after the outage: %v", err)
	}
	assertHeatmapTotal(t, s, 3*third)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// assertHeatmapTotal checks that the cells of the planners' heatmap add up to
// want incidents.
func assertHeatmapTotal(t *testing.T, s *store.Store, want uint64) {
	t.Helper()
	rows, err := s.Query(testContext(t), fmt.Sprintf(
		"SELECT sum(n) FROM (SELECT cell7, count() AS n FROM %s.incidents FINAL GROUP BY cell7)", s.Database()))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got uint64
	for rows.Next() {
		if err := rows.Scan(&got); err != nil {
			t.Fatal(err)
		}
	}
	if got != want {
		t.Fatalf("the heatmap counts %d incidents, want %d", got, want)
	}
}
