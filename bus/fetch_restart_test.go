package bus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/segmentio/kafka-go"
)

// TestConsumePartitionsThroughBrokerRestart: the broker stops while a
// consumer reads and starts again on its data directory; the consumer's
// fetchers reconnect by themselves and it is handed every record written
// before and after.
func TestConsumePartitionsThroughBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	b, err := broker.Start("127.0.0.1:0", dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	defer func() { b.Close() }()
	brokers := []string{addr}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := bus.EnsureTopics(ctx, brokers, 2, "t"); err != nil {
		t.Fatal(err)
	}
	write := func(from, n int) {
		t.Helper()
		w := bus.NewWriter(brokers, "t")
		defer w.Close()
		msgs := make([]kafka.Message, n)
		for i := range msgs {
			msgs[i] = kafka.Message{Key: []byte(fmt.Sprint(i % 7)), Value: []byte(fmt.Sprint(from + i))}
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(seen) }
	waitFor := func(n int) {
		t.Helper()
		for count() < n {
			if ctx.Err() != nil {
				t.Fatalf("handed %d distinct records, want %d", count(), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- bus.ConsumePartitions(cctx, bus.ConsumerConfig{Brokers: brokers, Topic: "t", Group: "g", BatchSize: 100, BatchWait: 10 * time.Millisecond},
			func(context.Context, string, int) (bus.PartitionHandler, error) {
				return handlerFunc(func(_ context.Context, batch []kafka.Message) error {
					mu.Lock()
					defer mu.Unlock()
					for _, m := range batch {
						seen[string(m.Value)] = true
					}
					return nil
				}), nil
			})
	}()
	write(0, 1000)
	waitFor(1000)
	b.Close()
	time.Sleep(time.Second)
	for range 50 {
		if b, err = broker.Start(addr, dir, 2); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("restarting the broker: %v", err)
	}
	write(1000, 1000)
	waitFor(2000)
	stop()
	if err := <-done; err != nil {
		t.Fatalf("ConsumePartitions: %v", err)
	}
}

// handlerFunc is a PartitionHandler of a function, with nothing to close.
type handlerFunc func(ctx context.Context, batch []kafka.Message) error

func (f handlerFunc) Handle(ctx context.Context, batch []kafka.Message) error { return f(ctx, batch) }
func (handlerFunc) Close(context.Context) error                               { return nil }
