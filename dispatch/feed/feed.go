// Package feed publishes each department's task transitions on a Kafka
// topic of its own, tasks.DEPARTMENT, for departments whose systems read
// Kafka rather than take webhooks.
package feed

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/dispatch/lifecycle"
	"github.com/segmentio/kafka-go"
)

// Topic is the topic of a department's feed.
func Topic(department string) string { return "tasks." + department }

// Topics are the feed topics of departments, to create at start.
func Topics(depts []cityops.Department) []string {
	out := make([]string, len(depts))
	for i, d := range depts {
		out[i] = Topic(d.ID)
	}
	return out
}

// Feed writes asynchronously: Notify never blocks the loop, and a failed
// write is logged (the transitions topic remains the record).
type Feed struct{ w *kafka.Writer }

// New returns a feed writing to brokers.
func New(brokers []string, log *slog.Logger) *Feed {
	return &Feed{w: &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
		Async:        true,
		Completion: func(msgs []kafka.Message, err error) {
			if err != nil {
				log.Error("writing department feeds", "records", len(msgs), "err", err)
			}
		},
	}}
}

// Record is a feed's record.
type Record struct {
	Transition cityops.Transition `json:"transition"`
	Task       lifecycle.Task     `json:"task"`
}

// Notify queues the transition on the owner's topic; it fits tasks.Config.Notify.
func (f *Feed) Notify(t *lifecycle.Task, tr cityops.Transition) {
	if t.DepartmentID == "" {
		return
	}
	v, err := json.Marshal(Record{Transition: tr, Task: *t})
	if err != nil {
		return
	}
	_ = f.w.WriteMessages(context.Background(), kafka.Message{Topic: Topic(t.DepartmentID), Key: []byte(t.ID), Value: v})
}

// Close flushes and closes the feed.
func (f *Feed) Close() error { return f.w.Close() }
