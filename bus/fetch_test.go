package bus

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// fetches makes n fetches of the given sizes, offsets following on.
func fetches(sizes ...int) [][]kafka.Message {
	var out [][]kafka.Message
	off := int64(0)
	for _, n := range sizes {
		var f []kafka.Message
		for range n {
			f = append(f, kafka.Message{Offset: off})
			off++
		}
		out = append(out, f)
	}
	return out
}

func offsets(msgs []kafka.Message) []int64 {
	var out []int64
	for _, m := range msgs {
		out = append(out, m.Offset)
	}
	return out
}

func TestNextBatch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fetches []int
		closed  bool // the fetcher stops after the fetches
		size    int
		batches [][]int64
	}{
		{"one fetch, one batch", []int{3}, false, 10, [][]int64{{0, 1, 2}}},
		{"fetches join until the wait", []int{2, 2}, false, 10, [][]int64{{0, 1, 2, 3}}},
		{"a fetch larger than a batch is split", []int{5}, false, 2, [][]int64{{0, 1}, {2, 3}, {4}}},
		{"what is left starts the next batch", []int{3, 3}, false, 4, [][]int64{{0, 1, 2, 3}, {4, 5}}},
		{"a stopped fetcher ends the batch", []int{1}, true, 10, [][]int64{{0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := make(chan []kafka.Message, len(tc.fetches))
			for _, f := range fetches(tc.fetches...) {
				ch <- f
			}
			if tc.closed {
				close(ch)
			}
			var batch, rest []kafka.Message
			for i, want := range tc.batches {
				var ok bool
				batch, rest, ok = nextBatch(context.Background(), ch, batch[:0], rest, tc.size, 20*time.Millisecond)
				if !ok || !slices.Equal(offsets(batch), want) {
					t.Fatalf("batch %d = %v (ok %v), want %v", i, offsets(batch), ok, want)
				}
			}
			if tc.closed {
				if _, _, ok := nextBatch(context.Background(), ch, nil, rest, tc.size, time.Millisecond); ok {
					t.Error("a batch after the fetcher stopped")
				}
			}
		})
	}
}

func TestNextBatchStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, ok := nextBatch(ctx, make(chan []kafka.Message), nil, nil, 10, time.Hour); ok {
		t.Error("nextBatch made a batch after its context was done")
	}
}
