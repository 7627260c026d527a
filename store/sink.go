package store

import (
	"context"
	"log/slog"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"
)

// SinkConfig wires the ClickHouse sink.
type SinkConfig struct {
	Brokers    []string
	Partitions int // of the transitions topic when the sink creates it
	Logger     *slog.Logger
	Metrics    *bus.Metrics // consumer metrics; nil for none
	// Writer makes the writer of the dead letters (bus.NewWriter when nil).
	Writer func(brokers []string, topic string) *kafka.Writer
	// Observe wraps the handlers of incident records, to measure what was
	// stored when (nil: none).
	Observe func(bus.Handler) bus.Handler
}

// Sink stores what the pipeline decides until ctx is done: incidents'
// states from bus.TopicIncidentChanges, the events of the reports and
// readings merged into incidents from bus.TopicIncidentsFound, and the
// dispatchers' transitions (the audit trail the planners' department
// figures read) from bus.TopicTransitions, each in its consumer group of
// bus. Every batch is inserted before its offsets are committed, and a
// record that cannot be stored goes to the dead letters with its reason.
// It is the store role's work, and the fault suite's.
func (s *Store) Sink(ctx context.Context, cfg SinkConfig) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Writer == nil {
		cfg.Writer = bus.NewWriter
	}
	if cfg.Observe == nil {
		cfg.Observe = func(h bus.Handler) bus.Handler { return h }
	}
	dlqw := cfg.Writer(cfg.Brokers, bus.TopicDLQ)
	defer dlqw.Close()
	dlq := bus.NewDeadLetters(dlqw)
	if err := bus.EnsureTopics(ctx, cfg.Brokers, max(1, cfg.Partitions), bus.TopicTransitions); err != nil {
		return err
	}
	consume := func(topic, group string, h bus.Handler) error {
		return bus.Consume(ctx, bus.ConsumerConfig{
			Brokers: cfg.Brokers, Topic: topic, Group: group,
			BatchSize: 20000, BatchWait: 500 * time.Millisecond, Logger: cfg.Logger, Metrics: cfg.Metrics,
		}, h)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return consume(bus.TopicIncidentChanges, bus.GroupStore, cfg.Observe(dlq.Handler(s.Handler)))
	})
	g.Go(func() error {
		return consume(bus.TopicIncidentsFound, bus.GroupStoreFound, cfg.Observe(dlq.Handler(s.SignalHandler)))
	})
	g.Go(func() error {
		return consume(bus.TopicTransitions, bus.GroupStoreTransitions, dlq.Handler(s.TransitionHandler))
	})
	return g.Wait()
}
