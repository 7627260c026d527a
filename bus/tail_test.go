package bus_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
)

// TestTailReadsEveryPartitionWithoutAGroup writes records over two
// partitions, tails the topic twice (as two starts of a live map would),
// and checks that each tail sees every record, each partition in order, and
// that the brokers know of no consumer group afterwards.
func TestTailReadsEveryPartitionWithoutAGroup(t *testing.T) {
	const n = 300
	ctx, brokers := topicOf(t, n, 5)

	for start := range 2 {
		var (
			mu    sync.Mutex
			seen  = map[string]bool{}
			last  = map[int]int64{0: -1, 1: -1}
			parts = map[int]bool{}
		)
		tctx, tcancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- bus.Tail(tctx, bus.ConsumerConfig{Brokers: brokers, Topic: "t", BatchSize: 40, BatchWait: 10 * time.Millisecond},
				func(_ context.Context, batch []kafka.Message) error {
					mu.Lock()
					defer mu.Unlock()
					for _, m := range batch {
						if m.Offset <= last[m.Partition] {
							t.Errorf("start %d: partition %d: offset %d after %d", start, m.Partition, m.Offset, last[m.Partition])
						}
						last[m.Partition] = m.Offset
						parts[m.Partition] = true
						seen[string(m.Value)] = true
					}
					if len(seen) == n {
						tcancel()
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
			t.Fatalf("start %d: timed out with %d of %d records", start, len(seen), n)
		}
		tcancel()
		if len(seen) != n || len(parts) != 2 {
			t.Fatalf("start %d: saw %d records over %d partitions, want %d over 2", start, len(seen), len(parts), n)
		}
	}

	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second}
	groups, err := c.ListGroups(ctx, &kafka.ListGroupsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.Groups) != 0 {
		t.Errorf("tailing left consumer groups on the broker: %+v", groups.Groups)
	}

	if err := bus.Tail(ctx, bus.ConsumerConfig{Brokers: brokers, Topic: "t", Group: "g"}, nil); err == nil {
		t.Error("Tail with a group: no error")
	}
}
