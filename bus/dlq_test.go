package bus_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/broker"
	"github.com/segmentio/kafka-go"
)

// dlqEnv is a broker with an input topic "in" and a dead-letter topic.
func dlqEnv(tb testing.TB, ctx context.Context) []string {
	tb.Helper()
	b, err := broker.Start("127.0.0.1:0", tb.TempDir(), 2)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(b.Close)
	brokers := []string{b.Addr()}
	if err := bus.EnsureTopics(ctx, brokers, 2, "in", bus.TopicDLQ); err != nil {
		tb.Fatal(err)
	}
	return brokers
}

// TestDeadLettersBatched runs a consumer whose stage dead-letters every third
// record and fails the first time it sees a batch: the failed attempt files
// nothing, every bad record ends on the dead-letter topic exactly once with
// its reason and origin, and the letters of a batch go in one write.
func TestDeadLettersBatched(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers := dlqEnv(t, ctx)
	in := bus.NewWriter(brokers, "in")
	defer in.Close()
	const n = 600
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		v := fmt.Sprintf("ok-%d", i)
		if i%3 == 0 {
			v = fmt.Sprintf("bad-%d", i)
		}
		msgs[i] = kafka.Message{Key: []byte(v), Value: []byte(v)}
	}
	if err := in.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}

	dw := bus.NewWriter(brokers, bus.TopicDLQ)
	defer dw.Close()
	dl := bus.NewDeadLetters(dw)
	var mu sync.Mutex
	failed := map[int64]bool{} // first offsets of batches that failed once
	batches, done := 0, 0
	stage := func(dlq func(ctx context.Context, m kafka.Message, reason error) error) bus.Handler {
		return func(ctx context.Context, batch []kafka.Message) error {
			for _, m := range batch {
				if strings.HasPrefix(string(m.Value), "bad-") {
					if err := dlq(ctx, m, fmt.Errorf("decoding %s: not an event", m.Value)); err != nil {
						return err
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			key := int64(batch[0].Partition)<<40 | batch[0].Offset
			if !failed[key] {
				failed[key] = true
				return errors.New("the sink is down") // after filing: nothing may reach the topic
			}
			batches++
			done += len(batch)
			return nil
		}
	}
	cctx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		errc <- bus.Consume(cctx, bus.ConsumerConfig{Brokers: brokers, Topic: "in", Group: "g", BatchSize: 100, BatchWait: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)},
			func(ctx context.Context, batch []kafka.Message) error {
				err := dl.Handler(stage)(ctx, batch)
				mu.Lock()
				if done == n {
					stop()
				}
				mu.Unlock()
				return err
			})
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if done != n {
		t.Fatalf("handled %d of %d records", done, n)
	}

	seen := map[string]int{}
	err := bus.ReadDeadLetters(ctx, brokers, bus.TopicDLQ, func(l bus.Letter) error {
		seen[string(l.Key)]++
		if l.Topic != "in" || l.Reason != "decoding "+string(l.Value)+": not an event" || l.Filed == "" {
			t.Errorf("letter %s: origin %q, reason %q, filed %q", l.Key, l.Topic, l.Reason, l.Filed)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n/3 {
		t.Errorf("%d records dead-lettered, want %d", len(seen), n/3)
	}
	for k, c := range seen {
		if c != 1 || !strings.HasPrefix(k, "bad-") {
			t.Errorf("letter %s filed %d times", k, c)
		}
	}
	// One WriteMessages per batch: at most one produce request per
	// partition of the dead-letter topic, not one per letter.
	if st := dw.Stats(); st.Messages != int64(n/3) || st.Writes > int64(2*batches) {
		t.Errorf("%d letters in %d produce requests for %d batches; want %d in at most %d", st.Messages, st.Writes, batches, n/3, 2*batches)
	}
}

// BenchmarkDeadLetters files batches of 1,000 malformed records on the
// embedded broker: one write per record (DeadLetter) against one write per
// batch (DeadLetters). Reported as letters/s.
func BenchmarkDeadLetters(b *testing.B) {
	ctx := context.Background()
	brokers := dlqEnv(b, ctx)
	batch := make([]kafka.Message, 1000)
	for i := range batch {
		v := fmt.Appendf(nil, `{"id":"bad-%d","type":`, i)
		batch[i] = kafka.Message{Topic: "in", Partition: i % 2, Offset: int64(i), Key: v[7:13], Value: v}
	}
	reason := errors.New("decoding event: unexpected end of JSON input")
	fileAll := func(dlq func(ctx context.Context, m kafka.Message, reason error) error) bus.Handler {
		return func(ctx context.Context, batch []kafka.Message) error {
			for _, m := range batch {
				if err := dlq(ctx, m, reason); err != nil {
					return err
				}
			}
			return nil
		}
	}
	run := func(b *testing.B, h bus.Handler) {
		b.ReportAllocs()
		letters := 0
		for b.Loop() {
			if err := h(ctx, batch); err != nil {
				b.Fatal(err)
			}
			letters += len(batch)
		}
		b.ReportMetric(float64(letters)/b.Elapsed().Seconds(), "letters/s")
	}
	b.Run("one-by-one", func(b *testing.B) {
		w := bus.NewWriter(brokers, bus.TopicDLQ)
		defer w.Close()
		run(b, fileAll(bus.DeadLetter(w)))
	})
	b.Run("batched", func(b *testing.B) {
		w := bus.NewWriter(brokers, bus.TopicDLQ)
		defer w.Close()
		run(b, bus.NewDeadLetters(w).Handler(fileAll))
	})
}
