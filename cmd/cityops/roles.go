package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"regexp"
	"time"

	"github.com/cityops/cityops"
	"github.com/cityops/cityops/bus"
	"github.com/cityops/cityops/dispatch/tasks"
	"github.com/cityops/cityops/geo"
	"github.com/cityops/cityops/rules"
	"github.com/cityops/cityops/rules/stateful"
	"github.com/cityops/cityops/store"
	"github.com/cityops/cityops/store/history"
	"github.com/cityops/cityops/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"
)

// Consumer groups of the roles (see bus.GroupProcess and the others).
const (
	groupProcess = bus.GroupProcess
	groupStore   = bus.GroupStore

	groupStoreTransitions = bus.GroupStoreTransitions
	groupStoreFound       = bus.GroupStoreFound
)

func runProcess(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o proc
	fs := newFlags("process", stderr, &o.config, "kafka", "clickhouse", "pack", "admin", "run")
	if err := parseFlags(fs, &o.config, args); err != nil {
		return err
	}
	pack, err := o.loadPack()
	if err != nil {
		return err
	}
	if err := bus.EnsureTopics(ctx, o.brokers(), o.Kafka.Partitions, bus.Topics...); err != nil {
		return err
	}
	log := o.logger(stderr)
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	s, err := o.openStore(ctx) // the readings path stores every reading
	if err != nil {
		return err
	}
	defer s.Close()
	admin := web.NewAdmin(reg, kafkaReady(&o), log)
	return runInOrder(ctx, o.Shutdown.Timeout, log, admin.Drain,
		stage{"readings", func(ctx context.Context) error { return readingsPath(ctx, &o, pack, s, log) }, readingsDrained(&o)},
		stage{"process", func(ctx context.Context) error { return runProcessor(ctx, &o, pack, log) }, processDrained(&o)},
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
			Brokers: o.brokers(), Partitions: o.Kafka.Partitions, Group: groupProcess, Pack: current,
			Session: o.Kafka.SessionTimeout, Logger: log, Metrics: o.hooks.busMetrics(), Events: o.hooks.eventMetrics(), Writer: o.hooks.writer,
		})
	})
	return g.Wait()
}

func runStore(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o proc
	fs := newFlags("store", stderr, &o.config, "kafka", "clickhouse", "pack", "admin", "run")
	if err := parseFlags(fs, &o.config, args); err != nil {
		return err
	}
	pack, err := o.loadPack() // its names go to ClickHouse for planners
	if err != nil {
		return err
	}
	log := o.logger(stderr)
	s, err := o.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	admin := web.NewAdmin(reg, readiness(&o, s), log)
	return runInOrder(ctx, o.Shutdown.Timeout, log, admin.Drain,
		stage{"store", func(ctx context.Context) error { return sink(ctx, &o, s, log) }, storeDrained(&o)},
		stage{"names", func(ctx context.Context) error { return syncNames(ctx, &o, s, pack, log) }, nil},
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
		return s.Sink(ctx, store.SinkConfig{Brokers: o.brokers(), Partitions: o.Kafka.Partitions, Logger: log,
			Metrics: o.hooks.busMetrics(), Writer: o.hooks.writer, Observe: o.hooks.observeStored})
	})
	g.Go(func() error { return settleLoop(ctx, s, settleEvery, settleQuiet, log) })
	return g.Wait()
}

func runWeb(ctx context.Context, args []string, _, stderr io.Writer) error {
	var o proc
	fs := newFlags("web", stderr, &o.config, "kafka", "clickhouse", "http", "pack", "run")
	fs.StringVar(&o.Tokens, "tokens", o.Tokens, "the dispatch role's API tokens file, whose tokens open the live map's center, inspector and department views and the history API")
	registerPublicMinCount(fs, &o.config)
	fs.StringVar(&o.Tasks, "tasks", os.Getenv("CITYOPS_TASKS_URL"), "base URLs of the dispatchers' tasks API, comma-separated, served through this server so the inbox works on its origin, and where citizens' Open311 ratings go, signed with the cluster secret (env CITYOPS_CLUSTER_SECRET) (env CITYOPS_TASKS_URL; empty: no tasks API)")
	if err := parseFlags(fs, &o.config, args); err != nil {
		return err
	}
	log := o.logger(stderr)
	tasks, err := tasksProxy(o.Tasks, log)
	if err != nil {
		return err
	}
	pack, err := o.loadPack()
	if err != nil {
		return err
	}
	s, err := o.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	reg, err := o.instrument()
	if err != nil {
		return err
	}
	return runInOrder(ctx, o.Shutdown.Timeout, log, o.hooks.intake.close,
		stage{"intake", waitDone, o.hooks.intake.idle},
		stage{"web", func(ctx context.Context) error { return serveWeb(ctx, &o, pack, s, reg, log, tasks) }, nil},
	)
}

// serveWeb runs the HTTP server, with the intake API, and feeds its live map
// from the changes topic until ctx is done. extra adds the routes of other
// roles run in the same process, such as the tasks API in dev.
func serveWeb(ctx context.Context, o *proc, pack *rules.Pack, s *store.Store, reg *prometheus.Registry, log *slog.Logger, extra ...map[string]http.Handler) error {
	areas, err := geo.NewIndex(pack.AreasGeoJSON, geo.Options{CRS: pack.CRS})
	if err != nil {
		return fmt.Errorf("indexing the areas of %s: %w", pack.Name, err)
	}
	api, closeIntake, err := intakeAPI(ctx, o, pack, areas, s, log)
	if err != nil {
		return err
	}
	defer closeIntake()
	cs, err := readCallers(o.Tokens, log)
	if err != nil {
		return err
	}
	api["GET "+history.Prefix] = history.Handler(s, log, nil, history.Access{Caller: cs.history(), Cooperating: o.cooperating})
	for _, routes := range extra {
		maps.Copy(api, routes)
	}
	srv, err := web.New(web.Config{
		Authenticate: cs.live(),
		City:         cityOf(pack, areas),
		Devices:      pack.Devices,
		Alarms:       alarmsOf(pack),
		AreasGeoJSON: pack.AreasGeoJSON,
		API:          api,
		Ready:        o.hooks.intake.ready(readiness(o, s)),
		Registry:     reg,
		Logger:       log,
		// The public view's k; zero (tests that build the config by hand)
		// is the default.
		PublicMinCount: o.Web.PublicMinCount,
	})
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		// Each server replays the whole changes log, so its live map
		// starts from the city's current state. It reads without a group:
		// a group per start would be left on the brokers by every restart.
		errc <- bus.Tail(ctx, bus.ConsumerConfig{
			Brokers: o.brokers(), Topic: bus.TopicIncidentChanges,
			BatchSize: 1000, BatchWait: time.Millisecond, Logger: log, Metrics: o.hooks.busMetrics(),
		}, srv.ChangeHandler())
	}()
	log.Info("web serving", "addr", o.HTTP.Listen)
	if err := srv.Serve(ctx, o.HTTP.Listen); err != nil {
		return err
	}
	return <-errc
}

// readiness reports whether the broker and ClickHouse answer, and whether the
// store's last insert (of the sink in this process, if any) succeeded.
func readiness(o *proc, s *store.Store) func(ctx context.Context) error {
	kafkaUp := kafkaReady(o)
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := kafkaUp(ctx); err != nil {
			return err
		}
		if err := s.Ready(ctx); err != nil {
			return fmt.Errorf("clickhouse: %w", err)
		}
		return nil
	}
}

// cityOf describes the running city for the web.
func cityOf(p *rules.Pack, areas *geo.Index) cityops.City {
	return cityops.City{
		Name:        p.Name,
		NameEN:      p.NameEN,
		TimeZone:    p.TimeZone,
		Center:      areas.Center(),
		BBox:        areas.BBox(),
		Areas:       areas.Areas(),
		Departments: p.Departments,
		Categories:  p.Categories,
	}
}

// alarmsOf lists the pack's alarms with their limits for the pages' charts.
func alarmsOf(p *rules.Pack) []web.Alarm {
	as := make([]web.Alarm, 0, len(p.Alarms))
	for _, d := range p.Alarms {
		a := web.Alarm{ID: d.ID, Kind: d.Kind, Types: d.Types, Raise: d.Raise, Clear: d.Clear,
			AfterS: int(d.After.Seconds()), Severity: d.Severity, Category: d.Category}
		r, rok, c, cok := d.Limits()
		if rok {
			a.RaiseAt = &r
		}
		if cok {
			a.ClearAt = &c
		}
		as = append(as, a)
	}
	return as
}

// newRegistry returns a registry with the Go runtime's and the process's
// metrics, and cityops_build_info. Besides the default runtime metrics it reports the scheduler's
// latencies (go_sched_latencies_seconds): how long runnable goroutines
// waited for a core, which tells a starved process from a slow stage.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/sched/latencies:seconds$`)})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfoCollector())
	return reg
}
