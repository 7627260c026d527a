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

// member records what one consumer of the group was handed.
type member struct {
	mu     sync.Mutex
	open   map[int]bool    // partitions with an open handler
	opens  map[int]int     // how often each partition was opened
	first  map[int]int64   // first offset handled since the partition's last open
	starts map[int][]int64 // the first offset of every open that handled a record, in order
	last   map[int]int64   // last offset handled
	closed map[int]int     // how often each partition was closed
	seen   map[string]bool // every value handled
}

func newMember() *member {
	return &member{open: map[int]bool{}, opens: map[int]int{}, first: map[int]int64{}, starts: map[int][]int64{}, last: map[int]int64{}, closed: map[int]int{}, seen: map[string]bool{}}
}

type recorder struct {
	m         *member
	partition int
}

func (r *recorder) Handle(_ context.Context, batch []kafka.Message) error {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	for _, msg := range batch {
		if msg.Partition != r.partition {
			return fmt.Errorf("partition %d handler got a record of partition %d", r.partition, msg.Partition)
		}
		if _, ok := r.m.first[r.partition]; !ok {
			r.m.first[r.partition] = msg.Offset
			r.m.starts[r.partition] = append(r.m.starts[r.partition], msg.Offset)
		}
		r.m.last[r.partition] = msg.Offset
		r.m.seen[string(msg.Value)] = true
	}
	return nil
}

func (r *recorder) Close(context.Context) error {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	delete(r.m.open, r.partition)
	r.m.closed[r.partition]++
	return nil
}

func (m *member) openFunc(ctx context.Context, topic string, partition int) (bus.PartitionHandler, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if topic != "p" {
		return nil, fmt.Errorf("opened topic %q", topic)
	}
	m.open[partition] = true
	m.opens[partition]++
	delete(m.first, partition)
	return &recorder{m: m, partition: partition}, nil
}

func (m *member) snapshot() (open []int, seen map[string]bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := range m.open {
		open = append(open, p)
	}
	seen = map[string]bool{}
	for v := range m.seen {
		seen[v] = true
	}
	return open, seen
}

// waitFor polls cond until it holds or the test's deadline passes.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func writeValues(t *testing.T, ctx context.Context, w *kafka.Writer, from, to int) {
	t.Helper()
	msgs := make([]kafka.Message, 0, to-from)
	for i := from; i < to; i++ {
		msgs = append(msgs, kafka.Message{Key: []byte(fmt.Sprint("k", i%13)), Value: []byte(fmt.Sprint(i))})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// TestConsumePartitionsMovesPartitions runs two members of one group: they
// share the partitions; when one stops, the other opens the moved partitions
// and resumes each at the offset after the last record the first handled, so
// nothing is lost.
func TestConsumePartitionsMovesPartitions(t *testing.T) {
	b, err := broker.Start("127.0.0.1:0", t.TempDir(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := []string{b.Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := bus.EnsureTopics(ctx, brokers, 4, "p"); err != nil {
		t.Fatal(err)
	}
	w := bus.NewWriter(brokers, "p")
	defer w.Close()
	cfg := bus.ConsumerConfig{Brokers: brokers, Topic: "p", Group: "g", BatchSize: 40, BatchWait: 20 * time.Millisecond, SessionTimeout: 6 * time.Second}

	a, bm := newMember(), newMember()
	actx, acancel := context.WithCancel(ctx)
	adone := make(chan error, 1)
	go func() { adone <- bus.ConsumePartitions(actx, cfg, a.openFunc) }()
	bdone := make(chan error, 1)
	go func() { bdone <- bus.ConsumePartitions(ctx, cfg, bm.openFunc) }()

	waitFor(t, ctx, "both members to hold partitions", func() bool {
		ao, _ := a.snapshot()
		bo, _ := bm.snapshot()
		return len(ao) > 0 && len(bo) > 0 && len(ao)+len(bo) == 4
	})
	const n = 400
	writeValues(t, ctx, w, 0, n)
	union := func() int {
		_, as := a.snapshot()
		_, bs := bm.snapshot()
		for v := range bs {
			as[v] = true
		}
		return len(as)
	}
	waitFor(t, ctx, "the first records", func() bool { return union() == n })
	aOpen, aSeen := a.snapshot()
	bOpen, _ := bm.snapshot()
	if len(aSeen) == 0 {
		t.Fatalf("member a holds partitions %v but handled nothing", aOpen)
	}
	for _, p := range aOpen {
		for _, q := range bOpen {
			if p == q {
				t.Fatalf("partition %d open in both members", p)
			}
		}
	}

	acancel()
	if err := <-adone; err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	for _, p := range aOpen {
		if a.closed[p] == 0 {
			t.Errorf("member a stopped without closing partition %d", p)
		}
	}
	aLast := map[int]int64{}
	for _, p := range aOpen {
		aLast[p] = a.last[p]
	}
	a.mu.Unlock()

	writeValues(t, ctx, w, n, 2*n)
	waitFor(t, ctx, "member b to take over every partition", func() bool {
		bo, _ := bm.snapshot()
		return len(bo) == 4
	})
	waitFor(t, ctx, "every record", func() bool { return union() == 2*n })

	bm.mu.Lock()
	defer bm.mu.Unlock()
	for p, last := range aLast {
		// b's first open of p after the move; the group may rebalance
		// again after it, which opens p once more further on.
		if s := bm.starts[p]; len(s) == 0 || s[0] != last+1 {
			t.Errorf("partition %d moved: b's opens started at offsets %v, want the first at %d (after a's last handled record)", p, s, last+1)
		}
	}
	for i := n; i < 2*n; i++ {
		if !bm.seen[fmt.Sprint(i)] {
			t.Fatalf("record %d written after the move was not handled by b", i)
		}
	}
}
