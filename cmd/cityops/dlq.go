package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cityops/cityops/ingest/bus"
	"github.com/segmentio/kafka-go"
)

func init() {
	commands["dlq"] = command{runDLQ, "list or replay dead letters: dlq list|replay [--match TEXT] [--dry-run]"}
}

func runDLQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay") {
		return errors.New("usage: cityops dlq list|replay [--kafka host:port] [--match TEXT] [--limit N] [--dry-run]")
	}
	verb := args[0]
	var o options
	fs := newFlags("dlq "+verb, stderr, &o, "kafka")
	match := fs.String("match", "", "only letters whose reason or source topic contains this text")
	limit := fs.Int("limit", 0, "show at most this many (list)")
	dryRun := fs.Bool("dry-run", false, "say what would be replayed without sending it (replay)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var w *kafka.Writer
	if verb == "replay" && !*dryRun {
		w = &kafka.Writer{
			Addr: kafka.TCP(o.brokers()...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll,
			BatchTimeout: 5 * time.Millisecond, BatchSize: replayBatch, BatchBytes: bus.MaxBatchBytes,
		}
		defer w.Close()
	}
	var shown, replayed, skipped int
	var pending []kafka.Message // replayed letters not yet written
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := w.WriteMessages(ctx, pending...); err != nil {
			return fmt.Errorf("replaying %d dead letters (%d replayed before them): %w", len(pending), replayed-len(pending), err)
		}
		pending = pending[:0]
		return nil
	}
	err := bus.ReadDeadLetters(ctx, o.brokers(), bus.TopicDLQ, func(l bus.Letter) error {
		if *match != "" && !strings.Contains(l.Reason, *match) && !strings.Contains(l.Topic, *match) {
			return nil
		}
		if verb == "list" {
			if *limit > 0 && shown == *limit {
				return nil
			}
			shown++
			fmt.Fprintf(stdout, "%d@%d  %s  from %s\n  reason: %s\n  record: %s\n", l.Partition, l.Offset, l.Filed, l.Topic, l.Reason, truncate(l.Value, 300))
			return nil
		}
		if l.Topic == "" || l.Topic == bus.TopicDLQ {
			skipped++
			return nil
		}
		replayed++
		if w == nil {
			fmt.Fprintf(stdout, "would replay %d@%d to %s\n", l.Partition, l.Offset, l.Topic)
			return nil
		}
		// The records' ids are those they had: sinks keep one copy however
		// often a letter is replayed. They are written in batches, one
		// produce round trip per replayBatch letters rather than per letter.
		pending = append(pending, kafka.Message{Topic: l.Topic, Key: l.Key, Value: l.Value})
		if len(pending) == replayBatch {
			return flush()
		}
		return nil
	})
	if err == nil && w != nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	if verb == "list" {
		fmt.Fprintf(stdout, "%d dead letters shown\n", shown)
	} else {
		fmt.Fprintf(stdout, "replayed %d dead letters to their source topics, skipped %d without one\n", replayed, skipped)
	}
	return nil
}

// replayBatch is how many dead letters a replay writes at once.
const replayBatch = 1000

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
