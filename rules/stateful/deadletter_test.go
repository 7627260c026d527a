package stateful_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/deploy/demo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/segmentio/kafka-go"
)

// TestStageDeadLetters feeds real NYC 311 reports mixed with malformed
// records, and fails the first write to the dead-letter topic: every bad
// record still ends there exactly once, with its reason and origin, filed
// with its batch's other outputs; every good report still becomes a change.
func TestStageDeadLetters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := newEnv(ctx, t, 2)
	reports := nycReports(t)[:300]
	e.write(ctx, t, reports)
	malformed := [][]byte{[]byte("not json"), []byte(`{"id": 7}`), []byte(`{"id":"x","time":"yesterday"}`), []byte(`{"id":"x","lat":`)}
	bad := make([]kafka.Message, 120)
	for i := range bad {
		bad[i] = kafka.Message{Key: fmt.Appendf(nil, "bad-%d", i), Value: malformed[i%len(malformed)]}
	}
	w := bus.NewWriter(e.brokers, e.topics.Events)
	defer w.Close()
	if err := w.WriteMessages(ctx, bad...); err != nil {
		t.Fatal(err)
	}
	e.write(ctx, t, nycReports(t)[300:400])

	pack, err := rules.Load(demo.City())
	if err != nil {
		t.Fatal(err)
	}
	ws := stateful.NewWriters(e.brokers)
	defer ws.Close()
	var dlqWrites, dlqFailed atomic.Int64
	publish := func(ctx context.Context, topic string, msgs ...kafka.Message) error {
		if topic == e.topics.DeadLetters {
			dlqWrites.Add(1)
			if dlqFailed.CompareAndSwap(0, 1) {
				return errors.New("the broker refused the dead letters")
			}
		}
		return ws.Publish(ctx, topic, msgs...)
	}
	st, err := stateful.New(stateful.Config{
		Brokers: e.brokers, Group: "process", Topics: e.topics, Pack: func() *rules.Pack { return pack },
		Publish: publish, Session: 6 * time.Second, Batch: 500, AnyPlace: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := e.collect(ctx, t)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- st.Run(rctx) }()

	letters := map[string]int{}
	waitFor(ctx, t, "every malformed record dead-lettered", func() bool {
		clear(letters)
		err := bus.ReadDeadLetters(ctx, e.brokers, e.topics.DeadLetters, func(l bus.Letter) error {
			letters[string(l.Key)]++
			if !strings.HasPrefix(string(l.Key), "bad-") || l.Topic != e.topics.Events || !strings.HasPrefix(l.Reason, "invalid event: ") {
				t.Errorf("letter %s from %q: %q", l.Key, l.Topic, l.Reason)
			}
			return nil
		})
		return err == nil && len(letters) == len(bad)
	})
	waitFor(ctx, t, "a change of every report", func() bool {
		seen := map[string]bool{}
		for _, c := range got.snapshot() {
			if c.Event != nil {
				seen[c.Event.ID] = true
			}
		}
		return len(seen) == 400
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for k, n := range letters {
		if n != 1 {
			t.Errorf("%s dead-lettered %d times, want once", k, n)
		}
	}
	// One write per batch that had letters, not one per letter.
	if n := dlqWrites.Load(); n < 2 || n > 10 {
		t.Errorf("%d dead-letter writes for %d letters (one failed), want a few", n, len(bad))
	}
	// And the classify stage committed every record it dead-lettered.
	lag, err := bus.GroupLag(ctx, e.brokers, "process.classify", e.topics.Events)
	if err != nil || bus.TotalLag(lag) != 0 {
		t.Errorf("classify lag %v, %v; want 0", lag, err)
	}
}
