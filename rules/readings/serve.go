package readings

import (
	"context"
	"log/slog"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/segmentio/kafka-go"
)

// ServeConfig wires the stage as the process role and `cityops dev` run
// it; the fault suite runs it through Serve too.
type ServeConfig struct {
	Brokers    []string
	Partitions int // of the topics created when they are missing
	Pack       func() *rules.Pack
	Insert     Insert
	NewRows    func() Rows
	Session    time.Duration
	Logger     *slog.Logger
	Metrics    *bus.Metrics // nil for none
	// Writer makes the writer of each output topic (bus.NewWriter when nil).
	Writer func(brokers []string, topic string) *kafka.Writer
}

// Serve creates the topics the stage reads and writes and runs it as
// group bus.GroupReadings until ctx is done.
func Serve(ctx context.Context, cfg ServeConfig) error {
	if err := bus.EnsureTopics(ctx, cfg.Brokers, cfg.Partitions, bus.TopicReadingsRaw, stateful.TopicSignals, bus.TopicDLQ); err != nil {
		return err
	}
	if err := bus.EnsureCompacted(ctx, cfg.Brokers, cfg.Partitions, stateful.TopicSnapshots); err != nil {
		return err
	}
	ws := stateful.NewWriters(cfg.Brokers)
	ws.New = cfg.Writer
	defer ws.Close()
	snaps := stateful.NewSnapshots(cfg.Brokers, stateful.TopicSnapshots)
	defer snaps.Close()
	st, err := New(Config{
		Brokers: cfg.Brokers, Group: bus.GroupReadings, Snapshots: snaps, Pack: cfg.Pack,
		Insert: cfg.Insert, NewRows: cfg.NewRows, Publish: ws.Publish, Session: cfg.Session, Logger: cfg.Logger, Metrics: cfg.Metrics,
	})
	if err != nil {
		return err
	}
	return st.Run(ctx)
}
