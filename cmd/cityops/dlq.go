package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/cmd/cityops/role"
	"github.com/segmentio/kafka-go"
)

// dlqFlags are the flags of a dlq verb.
type dlqFlags struct {
	o      role.Config
	match  string
	limit  int
	dryRun bool
	json   bool
}

func newDLQFlags(verb string, stderr io.Writer) (*flag.FlagSet, *dlqFlags) {
	f := &dlqFlags{}
	fs := newFlags("dlq "+verb, stderr, &f.o, "kafka")
	fs.StringVar(&f.match, "match", "", "only letters whose reason or source topic contains this text")
	switch verb {
	case "list":
		fs.IntVar(&f.limit, "limit", 0, "show at most this many; 0 for all")
		fs.BoolVar(&f.json, "json", false, "print one JSON object per letter (partition, offset, filed, topic, reason, key, value) and no summary")
	case "replay":
		fs.BoolVar(&f.dryRun, "dry-run", false, "say which letters would be replayed, and where, without sending them")
	}
	verbFlagUsage(fs, stderr, dlqVerbs(verb, fs))
	return fs, f
}

// dlqVerbs describes the verb of dlq with its flags fs.
func dlqVerbs(verb string, fs *flag.FlagSet) verbUsage {
	if verb == "list" {
		return verbUsage{"dlq list [flags]", "List the dead letters on " + bus.TopicDLQ + ": where each came from and why it failed.", fs}
	}
	return verbUsage{"dlq replay [flags]", "Send the dead letters back to the topics they came from, once their cause is fixed.\nLetters with no source topic are skipped.", fs}
}

func printDLQUsage(w io.Writer) {
	list, _ := newDLQFlags("list", io.Discard)
	replay, _ := newDLQFlags("replay", io.Discard)
	printVerbs(w, "dlq", "List or replay the records the pipeline could not process.", dlqVerbs("list", list), dlqVerbs("replay", replay))
}

func runDLQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		printDLQUsage(stderr)
		return flag.ErrHelp
	}
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay") {
		printDLQUsage(stderr)
		if len(args) == 0 {
			return usageErrorf("no verb: want list or replay")
		}
		return usageErrorf("unknown verb %q: want list or replay", args[0])
	}
	verb := args[0]
	fs, f := newDLQFlags(verb, stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageErrorf("dlq %s takes no arguments, got %q", verb, fs.Args())
	}
	o, match, limit, dryRun := &f.o, &f.match, &f.limit, &f.dryRun
	enc := json.NewEncoder(stdout)
	var w *kafka.Writer
	if verb == "replay" && !*dryRun {
		w = &kafka.Writer{
			Addr: kafka.TCP(o.Brokers()...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll,
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
	err := bus.ReadDeadLetters(ctx, o.Brokers(), bus.TopicDLQ, func(l bus.Letter) error {
		if *match != "" && !strings.Contains(l.Reason, *match) && !strings.Contains(l.Topic, *match) {
			return nil
		}
		if verb == "list" {
			if *limit > 0 && shown == *limit {
				return nil
			}
			shown++
			if f.json {
				return enc.Encode(letterJSON(l))
			}
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
	switch {
	case verb == "list" && !f.json:
		fmt.Fprintf(stdout, "%d dead letters shown\n", shown)
	case verb == "replay" && *dryRun:
		fmt.Fprintf(stdout, "dry run: would replay %d dead letters to their source topics and skip %d without one; nothing was sent\n", replayed, skipped)
	case verb == "replay":
		fmt.Fprintf(stdout, "replayed %d dead letters to their source topics, skipped %d without one\n", replayed, skipped)
	}
	return nil
}

// letterJSON is how `dlq list --json` prints a letter: the record as JSON
// when it is JSON, as a string otherwise.
func letterJSON(l bus.Letter) any {
	filed := l.Filed
	if t, err := time.Parse(time.RFC3339Nano, filed); err == nil {
		filed = t.UTC().Format(time.RFC3339Nano)
	}
	var value any = string(l.Value)
	if json.Valid(l.Value) {
		value = json.RawMessage(l.Value)
	}
	return struct {
		Partition int    `json:"partition"`
		Offset    int64  `json:"offset"`
		Filed     string `json:"filed"` // RFC 3339, UTC
		Topic     string `json:"topic"`
		Reason    string `json:"reason"`
		Key       string `json:"key,omitempty"`
		Value     any    `json:"value"`
	}{l.Partition, l.Offset, filed, l.Topic, l.Reason, string(l.Key), value}
}

// replayBatch is how many dead letters a replay writes at once.
const replayBatch = 1000

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
