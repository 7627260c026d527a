package role

import (
	"context"
	"errors"
	"log/slog"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/readings"
	"github.com/cityops/cityops/store"
	"golang.org/x/sync/errgroup"
)

// readingsPath runs the readings path (rules/readings) until ctx is
// done: readings.raw consumed by device, every valid reading inserted into
// s, alarm transitions sent to the merge stage. With a pack directory, the
// pack is reloaded when it changes and passes its checks, as the
// processor's is.
func readingsPath(ctx context.Context, o *proc, pack *rules.Pack, s *store.Store, log *slog.Logger) error {
	current := func() *rules.Pack { return pack }
	g, ctx := errgroup.WithContext(ctx)
	if o.Pack != "" {
		r, err := rules.NewReloader(o.Pack, rules.ReloaderOptions{
			OnError: func(err error) { log.Error("the changed pack is not valid, keeping the running one", "err", err) },
		})
		if err != nil {
			return err
		}
		current = r.Pack
		g.Go(func() error { return r.Run(ctx) })
	}
	g.Go(func() error {
		return readings.Serve(ctx, readings.ServeConfig{
			Brokers: o.Brokers(), Partitions: max(1, o.Kafka.Partitions), Pack: current, Insert: func(ctx context.Context, r readings.Rows) error { return s.InsertRows(ctx, r) },
			NewRows: func() readings.Rows { return new(store.Readings) },
			Session: o.Kafka.SessionTimeout, Logger: log, Metrics: o.hooks.busMetrics(), Writer: o.hooks.writer,
		})
	})
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// readingsDrained reports drained once the readings path has handled every
// record of readings.raw.
func readingsDrained(o *proc) func(ctx context.Context) (bool, error) {
	return lagZero(o, bus.GroupReadings, bus.TopicReadingsRaw)
}
