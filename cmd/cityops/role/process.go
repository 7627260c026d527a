package role

import (
	"context"
	"log/slog"

	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/cityops/cityops/web"
	"golang.org/x/sync/errgroup"
)

// Consumer groups of the roles (see bus.GroupProcess and the others).
const (
	groupProcess = bus.GroupProcess
	groupStore   = bus.GroupStore

	groupStoreTransitions = bus.GroupStoreTransitions
	groupStoreFound       = bus.GroupStoreFound
)

// Process runs the process role until ctx is done, then shuts it down in
// pipeline order: the readings path (rules/readings), the processor's
// stateful stages (rules/stateful), and the probes and metrics on
// cfg.Admin.
func Process(ctx context.Context, cfg Config, log *slog.Logger) error {
	o := &proc{Config: cfg}
	pack, err := o.LoadPack()
	if err != nil {
		return err
	}
	if err := bus.EnsureTopics(ctx, o.Brokers(), o.Kafka.Partitions, bus.Topics...); err != nil {
		return err
	}
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	s, err := o.OpenStore(ctx) // the readings path stores every reading
	if err != nil {
		return err
	}
	defer s.Close()
	admin := web.NewAdmin(reg, kafkaReady(o), log)
	return runInOrder(ctx, o.Shutdown.Timeout, log, admin.Drain,
		stage{"readings", func(ctx context.Context) error { return readingsPath(ctx, o, pack, s, log) }, readingsDrained(o)},
		stage{"process", func(ctx context.Context) error { return runProcessor(ctx, o, pack, log) }, processDrained(o)},
		stage{"probes", func(ctx context.Context) error { return serveAdmin(ctx, o.Admin.Listen, admin, reg, log) }, nil},
	)
}

// processDrained reports drained once both stateful stages have handled
// every record of their input.
func processDrained(o *proc) func(ctx context.Context) (bool, error) {
	classify := lagZero(o, bus.GroupClassify, bus.TopicEventsRaw)
	merge := lagZero(o, bus.GroupMerge, stateful.TopicSignals)
	return func(ctx context.Context) (bool, error) {
		if ok, err := classify(ctx); !ok {
			return ok, err
		}
		return merge(ctx)
	}
}

// process runs the processor's stateful stages (alarms, merge and fusion;
// see rules/stateful) until ctx is done. With a pack directory, the pack
// is reloaded when it changes and passes its checks.
func runProcessor(ctx context.Context, o *proc, pack *rules.Pack, log *slog.Logger) error {
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
	log.Info("processor running", "pack", pack.Name, "rules", pack.Engine.Rules())
	g.Go(func() error {
		return stateful.Serve(ctx, stateful.ServeConfig{
			Brokers: o.Brokers(), Partitions: o.Kafka.Partitions, Group: groupProcess, Pack: current,
			Session: o.Kafka.SessionTimeout, Logger: log, Metrics: o.hooks.busMetrics(), Events: o.hooks.eventMetrics(), Writer: o.hooks.writer,
		})
	})
	return g.Wait()
}
