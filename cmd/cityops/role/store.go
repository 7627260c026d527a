package role

import (
	"context"
	"log/slog"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/web"
	"golang.org/x/sync/errgroup"
)

// Store runs the store role until ctx is done, then shuts it down in
// pipeline order: the ClickHouse sink, which commits its input only after
// its insert, the pack's names for planners, and the probes and metrics on
// cfg.Admin.
func Store(ctx context.Context, cfg Config, log *slog.Logger) error {
	o := &proc{Config: cfg}
	pack, err := o.LoadPack() // its names go to ClickHouse for planners
	if err != nil {
		return err
	}
	s, err := o.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	admin := web.NewAdmin(reg, readiness(o, s), log)
	return runInOrder(ctx, o.Shutdown.Timeout, log, admin.Drain,
		stage{"store", func(ctx context.Context) error { return sink(ctx, o, s, log) }, storeDrained(o)},
		stage{"names", func(ctx context.Context) error { return syncNames(ctx, o, s, pack, log) }, nil},
		stage{"probes", func(ctx context.Context) error { return serveAdmin(ctx, o.Admin.Listen, admin, reg, log) }, nil},
	)
}

// storeDrained reports drained once the sink has stored every change, the
// events of every merged signal and every transition.
func storeDrained(o *proc) func(ctx context.Context) (bool, error) {
	lags := []func(ctx context.Context) (bool, error){lagZero(o, groupStore, bus.TopicIncidentChanges),
		lagZero(o, groupStoreFound, bus.TopicIncidentsFound), lagZero(o, groupStoreTransitions, tasks.Topic)}
	return func(ctx context.Context) (bool, error) {
		for _, drained := range lags {
			if ok, err := drained(ctx); !ok || err != nil {
				return ok, err
			}
		}
		return true, nil
	}
}

// sink runs the ClickHouse sink until ctx is done.
func sink(ctx context.Context, o *proc, s *store.Store, log *slog.Logger) error {
	log.Info("store sink running", "clickhouse", o.ClickHouse.Addr, "database", o.ClickHouse.Database)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return s.Sink(ctx, store.SinkConfig{Brokers: o.Brokers(), Partitions: o.Kafka.Partitions, Logger: log,
			Metrics: o.hooks.busMetrics(), Writer: o.hooks.writer, Observe: o.hooks.observeStored})
	})
	g.Go(func() error { return settleLoop(ctx, s, settleEvery, settleQuiet, log) })
	return g.Wait()
}
