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

// TestConsumeCommitsOnlyAfterHandler checks at-least-once delivery: a batch
// whose handler failed is handed over again, and a second consumer of the
// same group starts after the last committed record.
func TestConsumeCommitsOnlyAfterHandler(t *testing.T) {
	const n = 200
	ctx, brokers := topicOf(t, n, 7)

	var mu sync.Mutex
	seen := map[string]int{}
	failedOnce := false
	cctx, ccancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(cctx, bus.ConsumerConfig{Brokers: brokers, Topic: "t", Group: "g", BatchSize: 50, BatchWait: 20 * time.Millisecond},
			func(_ context.Context, batch []kafka.Message) error {
				mu.Lock()
				defer mu.Unlock()
				if !failedOnce {
					failedOnce = true
					return fmt.Errorf("first batch fails")
				}
				for _, m := range batch {
					seen[string(m.Value)]++
				}
				if len(seen) == n {
					ccancel()
				}
				return nil
			})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatalf("timed out with %d of %d records", len(seen), n)
	}
	if len(seen) != n {
		t.Fatalf("saw %d distinct records, want %d", len(seen), n)
	}

	// Everything was committed: a new member of the group gets only new records.
	w := bus.NewWriter(brokers, "t")
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("x"), Value: []byte("after")}); err != nil {
		t.Fatal(err)
	}
	cctx2, ccancel2 := context.WithCancel(ctx)
	var got []string
	err := bus.Consume(cctx2, bus.ConsumerConfig{Brokers: brokers, Topic: "t", Group: "g", BatchWait: 20 * time.Millisecond},
		func(_ context.Context, batch []kafka.Message) error {
			for _, m := range batch {
				got = append(got, string(m.Value))
			}
			ccancel2()
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "after" {
		t.Fatalf("second consumer got %v, want [after]", got)
	}
}

// topicOf starts an embedded broker with a topic "t" of two partitions
// holding n records, keyed by i % keys and valued i, and returns the test's
// context and the brokers.
func topicOf(t *testing.T, n, keys int) (context.Context, []string) {
	t.Helper()
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	brokers := []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	if err := bus.EnsureTopics(ctx, brokers, 2, "t"); err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(brokers, "t")
	defer w.Close()
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(fmt.Sprint(i % keys)), Value: []byte(fmt.Sprint(i))}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	return ctx, brokers
}
