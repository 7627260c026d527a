package role

import (
	"context"
	"log/slog"

	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/store"
)

// The stages below are those the roles run, each as its role runs it, for
// tests that drive one stage alone (the fault suite, the scale-out test):
// without the metrics a role's process registers. They run until ctx is
// done.

// Processor runs the processor's stateful stages (classify, alarms, merge
// and fusion) as the process role does.
func Processor(ctx context.Context, cfg Config, pack *rules.Pack, log *slog.Logger) error {
	return runProcessor(ctx, &proc{Config: cfg}, pack, log)
}

// Readings runs the readings path as the process role does: every valid
// reading inserted into s, alarm transitions sent to the merge stage.
func Readings(ctx context.Context, cfg Config, pack *rules.Pack, s *store.Store, log *slog.Logger) error {
	return readingsPath(ctx, &proc{Config: cfg}, pack, s, log)
}

// Sink runs the store role's ClickHouse sink as the store role does.
func Sink(ctx context.Context, cfg Config, s *store.Store, log *slog.Logger) error {
	return sink(ctx, &proc{Config: cfg}, s, log)
}
