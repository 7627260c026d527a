package stateful

import (
	"context"
	"log/slog"
	"time"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/segmentio/kafka-go"
)

// ServeConfig wires the stage as the process role runs it. `cityops
// process` and the fault suite both run the stage through Serve, so the
// suite tests what production runs.
type ServeConfig struct {
	Brokers    []string
	Partitions int    // of the topics created when they are missing
	Group      string // consumer group prefix (see Config)
	Pack       func() *rules.Pack
	Session    time.Duration // consumer group session timeout (default 10s)
	Logger     *slog.Logger
	Metrics    *bus.Metrics // nil for none
	Events     *Metrics     // the classify stage's counts of refused and resent events; nil for none
	// Writer makes the writer of each output topic (bus.NewWriter when
	// nil), for instance one that reports its records.
	Writer func(brokers []string, topic string) *kafka.Writer
}

// Serve creates the stage's topics and runs both stages with the default
// topics until ctx is done, publishing incident changes, signals and dead
// letters through one writer per topic.
func Serve(ctx context.Context, cfg ServeConfig) error {
	if err := EnsureTopics(ctx, cfg.Brokers, cfg.Partitions, DefaultTopics); err != nil {
		return err
	}
	ws := NewWriters(cfg.Brokers)
	ws.New = cfg.Writer
	defer ws.Close()
	st, err := New(Config{
		Brokers: cfg.Brokers, Group: cfg.Group, Topics: DefaultTopics, Pack: cfg.Pack, Publish: ws.Publish,
		Session: cfg.Session, Logger: cfg.Logger, Metrics: cfg.Metrics, Events: cfg.Events,
	})
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Run(ctx)
}
